import { paint, type Tone } from "./ansi.js";

/** Characters as a terminal counts columns (code points; no wide-glyph table). */
function width(text: string): number {
  return [...text].length;
}

/** The text in at most `columns` characters, cut with `…` when longer. */
export function fitLine(text: string, columns: number): string {
  if (width(text) <= columns) return text;
  if (columns < 1) return "";
  return `${[...text].slice(0, columns - 1).join("")}…`;
}

/** A piece of a line and its colour. */
export interface Segment {
  text: string;
  tone: Tone | null;
}

/**
 * A line of coloured pieces cut to `columns` visible characters: colour
 * codes take no column, so the cut is made on the text, then painted.
 */
export function fitSegments(
  segments: readonly Segment[],
  columns: number,
  color: boolean,
): string {
  const whole = segments.map((s) => s.text).join("");
  const fitted = fitLine(whole, columns);
  const chars = [...fitted];
  let offset = 0;
  let out = "";
  for (const segment of segments) {
    const size = width(segment.text);
    const piece = chars.slice(offset, offset + size).join("");
    offset += size;
    out += paint(piece, segment.tone, color);
    if (offset >= chars.length) break;
  }
  return out;
}

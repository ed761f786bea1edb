/** The few ANSI codes the progress views use; plain codes, no library. */

export type Tone = "green" | "red" | "yellow" | "dim";

/** Each tone's start code and the code that ends only it. */
const TONES: Record<Tone, [number, number]> = {
  green: [32, 39],
  red: [31, 39],
  yellow: [33, 39],
  dim: [2, 22],
};

/** `text` in `tone` when colour is on; as it is otherwise. */
export function paint(text: string, tone: Tone | null, color: boolean): string {
  if (!color || tone === null || text === "") return text;
  const [start, end] = TONES[tone];
  return `\x1b[${start}m${text}\x1b[${end}m`;
}

export const HIDE_CURSOR = "\x1b[?25l";
export const SHOW_CURSOR = "\x1b[?25h";
/** Clears the whole line the cursor is on. */
export const CLEAR_LINE = "\x1b[2K";
/** Clears from the cursor to the end of the screen. */
export const CLEAR_DOWN = "\x1b[J";

export function cursorUp(lines: number): string {
  return lines > 0 ? `\x1b[${lines}A` : "";
}

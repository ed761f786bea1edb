import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  Scalar,
} from "yaml";
import type { Diagnostic } from "../workflow/diagnostic.js";

/**
 * Re-parses YAML source with a parser that keeps every node's range, to give
 * diagnostics a line and column. Only used when there is something to
 * report: the fast path (js-yaml) keeps no positions.
 */
export function createLocator(
  text: string,
): (diagnostic: Diagnostic) => Diagnostic {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  return (diagnostic) => {
    const { line, col } = lineCounter.linePos(locate(doc, text, diagnostic));
    return { ...diagnostic, line, column: col };
  };
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function locate(doc: Document, text: string, diagnostic: Diagnostic): number {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let complete = true;
  for (const segment of diagnostic.path) {
    node = resolve(doc, node);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) =>
          isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) {
        complete = false;
        break;
      }
      key = pair.key as Node;
      node = pair.value;
    } else if (
      isSeq(node) &&
      typeof segment === "number" &&
      segment < node.items.length
    ) {
      key = undefined;
      node = node.items[segment];
    } else {
      complete = false;
      break;
    }
  }
  node = resolve(doc, node);
  if (key?.range) {
    if (complete && diagnostic.target === "key") return key.range[0];
    // A missing key: point at the key that names the mapping it belongs in.
    if (!complete && isMap(node)) return key.range[0];
  }
  const range = (node as Node | null)?.range;
  if (!range) return key?.range?.[0] ?? 0;
  if (
    diagnostic.offset !== undefined &&
    isScalar(node) &&
    typeof node.value === "string"
  ) {
    return offsetInScalar(node as Scalar<string>, text, diagnostic.offset);
  }
  return range[0];
}

/** Maps an offset in a string scalar's value to an offset in the source. */
function offsetInScalar(
  node: Scalar<string>,
  text: string,
  offset: number,
): number {
  const [start, end] = node.range as [number, number, number];
  const value = node.value;
  const before = value.slice(0, offset);
  const lineIndex = before.split("\n").length - 1;
  const column = offset - (before.lastIndexOf("\n") + 1);
  const lineText = value.split("\n")[lineIndex] ?? "";
  const source = text.slice(start, end);
  switch (node.type) {
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED: {
      // A block scalar's content starts on the line after its header.
      let lineStart = text.indexOf("\n", start) + 1;
      for (let i = 0; i < lineIndex; i++) {
        lineStart = text.indexOf("\n", lineStart) + 1;
      }
      const lineEnd = text.indexOf("\n", lineStart);
      const sourceLine = text.slice(
        lineStart,
        lineEnd === -1 ? undefined : lineEnd,
      );
      const at = lineText === "" ? -1 : sourceLine.indexOf(lineText);
      return lineStart + (at === -1 ? column : at + column);
    }
    case Scalar.QUOTE_DOUBLE:
    case Scalar.QUOTE_SINGLE: {
      const single = node.type === Scalar.QUOTE_SINGLE;
      const walked = walkQuoted(text, start, end, offset, single);
      if (walked !== undefined) return walked;
      break;
    }
    default:
      if (lineIndex === 0 && source.startsWith(value)) return start + offset;
  }
  const at = lineText === "" ? -1 : source.indexOf(lineText);
  return at === -1 ? start : start + at + column;
}

const ESCAPE_LENGTH: Readonly<Record<string, number>> = { x: 4, u: 6, U: 10 };

/**
 * Walks a one-line quoted scalar from its opening quote to the source
 * position of the value's `offset`, undoing `''` (single quotes) and
 * backslash escapes (double quotes). Undefined for a scalar over several
 * lines, whose folding this does not follow.
 */
function walkQuoted(
  text: string,
  start: number,
  end: number,
  offset: number,
  single: boolean,
): number | undefined {
  let position = start + 1;
  for (let v = 0; v < offset; v++) {
    const c = text[position];
    if (position >= end || c === "\n") return undefined;
    if (single && c === "'" && text[position + 1] === "'") position += 2;
    else if (!single && c === "\\") {
      position += ESCAPE_LENGTH[text[position + 1] ?? ""] ?? 2;
    } else position += 1;
  }
  return position;
}

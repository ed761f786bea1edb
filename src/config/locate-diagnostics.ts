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
  const doc = parseDocument(text, {
    lineCounter,
    keepSourceTokens: false,
    uniqueKeys: false,
  });
  return (diagnostic) => {
    const offset = locate(doc, text, diagnostic);
    const { line, col } = lineCounter.linePos(offset);
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
      const pair = node.items.find((item) => {
        const k = item.key;
        return isScalar(k)
          ? String(k.value) === String(segment)
          : k === segment;
      });
      if (pair === undefined) {
        complete = false;
        break;
      }
      key = isScalar(pair.key) ? pair.key : undefined;
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
  if (complete && diagnostic.target === "key" && key?.range)
    return key.range[0];
  node = resolve(doc, node);
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
  const block =
    node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
  if (block) {
    // A block scalar's content starts on the line after its header.
    let lineStart = text.indexOf("\n", start) + 1;
    for (let i = 0; i < lineIndex; i++)
      lineStart = text.indexOf("\n", lineStart) + 1;
    const sourceLine = text.slice(
      lineStart,
      text.indexOf("\n", lineStart) >>> 0,
    );
    const at = lineText === "" ? -1 : sourceLine.indexOf(lineText);
    return lineStart + (at === -1 ? column : at + column);
  }
  const quote =
    node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE
      ? 1
      : 0;
  if (lineIndex === 0 && source.slice(quote, quote + value.length) === value) {
    return start + quote + offset;
  }
  const at = lineText === "" ? -1 : source.indexOf(lineText);
  return at === -1 ? start : start + at + column;
}

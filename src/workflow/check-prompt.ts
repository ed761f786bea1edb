import Handlebars from "handlebars";
import { didYouMean } from "./did-you-mean.js";
import { PROMPT_CONTEXT_KEYS } from "./prompt-context.js";

export interface PromptProblem {
  message: string;
  /** Offset into the template text. */
  offset: number;
}

/** A name a template reads in the prompt context's own scope. */
export interface PromptRead {
  /** The path's parts, `["inputs", "spec"]`. */
  parts: string[];
  /** Offset of the path in the template. */
  offset: number;
}

type Node = hbs.AST.Node;
type Path = hbs.AST.PathExpression;

const CONTEXT_KEEPING_HELPERS = new Set(["if", "unless"]);
const BLOCK_HELPERS = new Set(["if", "unless", "each", "with"]);
const HELPERS = new Set([...BLOCK_HELPERS, "lookup", "log"]);

/**
 * The names a template reads at the top level (where `this` is the prompt
 * context), or a syntax problem. Simple templates — paths and the
 * `if`/`unless`/`each`/`with` blocks — are read by a small scanner; anything
 * else goes through Handlebars' own parser, which is much slower.
 */
export function promptReads(template: string): PromptRead[] | PromptProblem {
  return scanSimpleTemplate(template) ?? readWithHandlebars(template);
}

/**
 * Checks a stage's Handlebars prompt: that it parses, and that the names it
 * reads at the top level exist in the prompt context, including declared
 * `inputs.<name>` and `parameters.<name>`.
 */
export function checkPrompt(
  template: string,
  declared: { inputs: ReadonlySet<string>; parameters: ReadonlySet<string> },
): PromptProblem[] {
  const problems: PromptProblem[] = [];
  const dollar = template.indexOf("${{");
  if (dollar !== -1) {
    problems.push({
      message:
        "prompts are Handlebars templates: write {{ inputs.name }}, not ${{ … }}",
      offset: dollar,
    });
  }
  const reads = promptReads(template);
  if (!Array.isArray(reads)) return [...problems, reads];
  for (const { parts, offset } of reads) {
    const [head, member] = parts;
    if (head === undefined) continue;
    if (!(PROMPT_CONTEXT_KEYS as readonly string[]).includes(head)) {
      problems.push({
        message: `prompt reads unknown name '${head}'${didYouMean(head, PROMPT_CONTEXT_KEYS)}; prompts can read ${PROMPT_CONTEXT_KEYS.join(", ")}`,
        offset,
      });
      continue;
    }
    const names =
      head === "inputs"
        ? declared.inputs
        : head === "parameters"
          ? declared.parameters
          : undefined;
    if (names !== undefined && member !== undefined && !names.has(member)) {
      problems.push({
        message: `prompt reads ${head}.${member}, which is not declared${didYouMean(member, names)}`,
        offset,
      });
    }
  }
  return problems;
}

/**
 * The parts a path reads from the current context, or undefined when it
 * reads elsewhere (a parent context `../x`, a data variable `@index`).
 */
function contextParts(
  original: string,
  parts: string[],
  data: boolean,
  depth: number,
): string[] | undefined {
  if (depth > 0) return undefined;
  if (data) return parts[0] === "root" ? parts.slice(1) : undefined;
  if (original.startsWith("@") || original === "this") return undefined;
  return parts;
}

// --- The fast path ---------------------------------------------------------

// Handlebars reads true, false, null and undefined as literals, even as a
// later segment of a path (where they are a syntax error).
const SEGMENT =
  "(?!(?:true|false|null|undefined)(?![A-Za-z0-9_-]))[A-Za-z_][A-Za-z0-9_-]*";
const PATH = new RegExp(
  `^(?:@root\\.|this\\.|(\\.\\./)+)?${SEGMENT}(?:\\.${SEGMENT})*$|^this$|^@(?:index|key|first|last)$`,
);
const OPEN_BLOCK = /^#(if|unless|each|with)\s+(\S+)$/;
const CLOSE_BLOCK = /^\/(if|unless|each|with)$/;

interface Frame {
  helper: string;
  /** Reads in this block are at the top level. */
  top: boolean;
  /** Reads in the `{{else}}` part will be at the top level. */
  topElse: boolean;
  inElse: boolean;
}

function simpleRead(path: string, offset: number): PromptRead | undefined {
  const data = path.startsWith("@");
  const depth = path.match(/\.\.\//g)?.length ?? 0;
  const bare = path.replace(/^(?:\.\.\/)+/, "").replace(/^@|^this\./, "");
  const parts = contextParts(path, bare.split("."), data, depth);
  return parts === undefined ? undefined : { parts, offset };
}

/**
 * Reads a template made only of `{{ path }}` and `if`/`unless`/`each`/`with`
 * blocks over a path. Returns undefined for anything else (comments,
 * partials, triple braces, helpers with arguments, escapes, unbalanced
 * blocks), which Handlebars then reads.
 */
export function scanSimpleTemplate(template: string): PromptRead[] | undefined {
  if (template.includes("\\{{") || template.includes("{{{")) return undefined;
  const reads: PromptRead[] = [];
  const stack: Frame[] = [];
  const atTop = () => {
    const frame = stack[stack.length - 1];
    return frame === undefined || (frame.inElse ? frame.topElse : frame.top);
  };
  let cursor = 0;
  for (;;) {
    const open = template.indexOf("{{", cursor);
    if (open === -1) break;
    const close = template.indexOf("}}", open + 2);
    // `}}}` closes a triple-brace tag in Handlebars' lexer.
    if (close === -1 || template[close + 2] === "}") return undefined;
    const raw = template.slice(open + 2, close);
    if (raw.includes("{")) return undefined;
    const inner = raw.trim();
    const innerOffset = open + 2 + raw.indexOf(inner);
    cursor = close + 2;
    const opened = OPEN_BLOCK.exec(inner);
    const closed = CLOSE_BLOCK.exec(inner);
    if (inner === "else") {
      const frame = stack[stack.length - 1];
      if (frame === undefined || frame.inElse) return undefined;
      frame.inElse = true;
    } else if (PATH.test(inner)) {
      if (atTop()) {
        const read = simpleRead(inner, innerOffset);
        if (read) reads.push(read);
      }
    } else if (opened) {
      const [, helper = "", path = ""] = opened;
      if (!PATH.test(path)) return undefined;
      const top = atTop();
      if (top) {
        const at = innerOffset + inner.indexOf(path, helper.length + 1);
        const read = simpleRead(path, at);
        if (read) reads.push(read);
      }
      const keeps = CONTEXT_KEEPING_HELPERS.has(helper);
      stack.push({ helper, top: top && keeps, topElse: top, inElse: false });
    } else if (closed) {
      if (stack.pop()?.helper !== closed[1]) return undefined;
    } else {
      return undefined;
    }
  }
  return stack.length === 0 ? reads : undefined;
}

// --- The Handlebars path ---------------------------------------------------

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", offset);
    if (next === -1) break;
    offset = next + 1;
  }
  return offset + column;
}

/** Reads a template with Handlebars' parser (any syntax it accepts). */
export function readWithHandlebars(
  template: string,
): PromptRead[] | PromptProblem {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parseWithoutProcessing(template);
  } catch (error) {
    const message = (error as Error).message;
    const line = Number(/line (\d+)/.exec(message)?.[1] ?? 1);
    // Jison's "Parse error on line N:\n<context>\n---^\nExpecting …" is
    // noise to a reader; the context line shows where it went wrong.
    const lines = message.split("\n");
    const detail = message.startsWith("Parse error")
      ? `parse error near '${(lines[1] ?? "").replace(/^\.\.\./, "").trim()}'`
      : (lines[0] ?? message).replace(/ - \d+:\d+$/, "");
    return {
      message: `prompt is not a valid Handlebars template: ${detail}`,
      offset: offsetOf(template, line, 0),
    };
  }

  const reads: PromptRead[] = [];
  const readPath = (path: Path) => {
    const parts = contextParts(
      path.original,
      path.parts,
      path.data,
      path.depth,
    );
    if (parts === undefined) return;
    reads.push({
      parts,
      offset: offsetOf(template, path.loc.start.line, path.loc.start.column),
    });
  };
  const readNode = (node: Node | undefined) => {
    if (node?.type === "PathExpression") readPath(node as Path);
    else if (node?.type === "SubExpression")
      readCall(node as hbs.AST.SubExpression);
  };
  const readCall = (node: {
    path: Node;
    params: Node[];
    hash?: hbs.AST.Hash;
  }) => {
    const isCall = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    if (!isCall) readNode(node.path);
    for (const param of node.params) readNode(param);
    for (const pair of node.hash?.pairs ?? []) readNode(pair.value);
  };
  const walk = (program: hbs.AST.Program | undefined, top: boolean) => {
    for (const statement of program?.body ?? []) {
      if (statement.type === "MustacheStatement") {
        if (top) readCall(statement as hbs.AST.MustacheStatement);
      } else if (statement.type === "BlockStatement") {
        const block = statement as hbs.AST.BlockStatement;
        const helper = (block.path as Path).original;
        if (top) {
          if (!HELPERS.has(helper)) readNode(block.path);
          for (const param of block.params) readNode(param);
        }
        walk(block.program, top && CONTEXT_KEEPING_HELPERS.has(helper));
        walk(
          block.inverse,
          top &&
            (CONTEXT_KEEPING_HELPERS.has(helper) || BLOCK_HELPERS.has(helper)),
        );
      }
    }
  };
  walk(ast, true);
  return reads;
}

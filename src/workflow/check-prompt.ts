import Handlebars from "handlebars";
import { didYouMean } from "./did-you-mean.js";
import { PROMPT_CONTEXT_KEYS } from "./prompt-context.js";

export interface PromptProblem {
  message: string;
  /** Offset into the template text. */
  offset: number;
}

type Node = hbs.AST.Node;
type Path = hbs.AST.PathExpression;

const BLOCK_HELPERS_KEEPING_CONTEXT = new Set(["if", "unless"]);
const HELPERS = new Set(["if", "unless", "each", "with", "lookup", "log"]);

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", offset);
    if (next === -1) break;
    offset = next + 1;
  }
  return offset + column;
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
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(template);
  } catch (error) {
    const message = (error as Error).message;
    const line = Number(/line (\d+)/.exec(message)?.[1] ?? 1);
    const detail = message.split("\n").pop() ?? message;
    problems.push({
      message: `prompt is not a valid Handlebars template: ${detail.replace(/ - \d+:\d+$/, "")}`,
      offset: offsetOf(template, line, 0),
    });
    return problems;
  }

  const checkPath = (path: Path) => {
    if (path.depth > 0) return;
    let parts = path.parts;
    if (path.data) {
      if (parts[0] !== "root") return;
      parts = parts.slice(1);
    } else if (path.original.startsWith("@") || path.original === "this") {
      return;
    }
    const [head, member] = parts;
    if (head === undefined) return;
    const at = offsetOf(template, path.loc.start.line, path.loc.start.column);
    if (!(PROMPT_CONTEXT_KEYS as readonly string[]).includes(head)) {
      problems.push({
        message: `prompt reads unknown name '${head}'${didYouMean(head, PROMPT_CONTEXT_KEYS)}; prompts can read ${PROMPT_CONTEXT_KEYS.join(", ")}`,
        offset: at,
      });
      return;
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
        offset: at,
      });
    }
  };

  const checkExpressionNode = (node: Node | undefined) => {
    if (node?.type === "PathExpression") checkPath(node as Path);
    else if (node?.type === "SubExpression")
      checkCall(node as hbs.AST.SubExpression);
  };

  const checkCall = (node: {
    path: Node;
    params: Node[];
    hash?: hbs.AST.Hash;
  }) => {
    const isCall = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    if (!isCall) checkExpressionNode(node.path);
    for (const param of node.params) checkExpressionNode(param);
    for (const pair of node.hash?.pairs ?? []) checkExpressionNode(pair.value);
  };

  const walk = (program: hbs.AST.Program | undefined, top: boolean) => {
    for (const statement of program?.body ?? []) {
      if (statement.type === "MustacheStatement") {
        if (top) checkCall(statement as hbs.AST.MustacheStatement);
      } else if (statement.type === "BlockStatement") {
        const block = statement as hbs.AST.BlockStatement;
        const helper = (block.path as Path).original;
        if (top) {
          if (!HELPERS.has(helper)) checkExpressionNode(block.path);
          for (const param of block.params) checkExpressionNode(param);
        }
        const keeps = BLOCK_HELPERS_KEEPING_CONTEXT.has(helper);
        walk(block.program, top && keeps);
        walk(
          block.inverse,
          top && (keeps || helper === "each" || helper === "with"),
        );
      }
    }
  };
  walk(ast, true);
  return problems;
}

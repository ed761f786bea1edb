import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Action } from "./script.js";
import { USAGE_PER_ANSWER } from "./script.js";
import type { Adapter, Exchange } from "./server.js";

/**
 * OpenAI Codex CLI (0.171.0) calling the OpenAI Responses API:
 * `POST <base>/responses` with `stream: true`, answered as server-sent
 * events (`response.created`, `response.output_item.added` / `.done`,
 * `response.output_text.delta`, `response.function_call_arguments.delta`,
 * `response.custom_tool_call_input.delta`, `response.completed` with usage).
 * The key arrives as `Authorization: Bearer <key>`.
 *
 * codex offers different tools depending on the model it is asked for:
 *
 * - "code mode" (the catalog's GPT-6 family, its default `gpt-6.2-sol`):
 *   the tools travel in an `additional_tools` input item (the "responses
 *   lite" shape, no top-level `tools`), and the only way to act is the
 *   freeform `exec` tool, whose input is JavaScript that calls nested tools
 *   (`await tools.apply_patch(patch)`, `await tools.exec_command({ cmd })`).
 * - classic (e.g. `gpt-5.5`): top-level `tools` with `exec_command` and a
 *   freeform (`custom`) `apply_patch` tool.
 * - a model codex does not know: `exec_command` only, no `apply_patch`; the
 *   adapter then writes files through the shell.
 *
 * `write` becomes an apply_patch `*** Add File` (which overwrites an
 * existing file), `edit` an `*** Update File` hunk of whole lines (read from
 * the working directory named in the request's `<environment_context>`),
 * `shell` a call of codex's shell tool, `say` an assistant message.
 */

interface ContentPart {
  type?: string;
  text?: string;
}

interface InputItem {
  type?: string;
  id?: string;
  role?: string;
  content?: string | ContentPart[];
  call_id?: string;
  name?: string;
  input?: string;
  arguments?: string;
  output?: string | ContentPart[];
  tools?: ToolSpec[];
}

interface ToolSpec {
  type?: string;
  name?: string;
  description?: string;
  tools?: ToolSpec[];
}

interface ResponsesRequest {
  model?: string;
  stream?: boolean;
  instructions?: string;
  input?: string | InputItem[];
  tools?: ToolSpec[];
}

type OutputItem =
  | {
      type: "message";
      id: string;
      role: "assistant";
      status: "completed";
      content: { type: "output_text"; text: string; annotations: [] }[];
    }
  | {
      type: "custom_tool_call";
      id: string;
      call_id: string;
      name: string;
      input: string;
      status: "completed";
    }
  | {
      type: "function_call";
      id: string;
      call_id: string;
      name: string;
      arguments: string;
      status: "completed";
    };

/** What the request offers the model to act with. */
interface Toolbox {
  /** Leaf tool names, and code mode's nested tools as `tools.<name>`. */
  names: string[];
  codeMode: boolean;
  applyPatch: "custom" | "function" | undefined;
  shell: "exec_command" | "shell_command" | "shell" | undefined;
}

function textOf(content: InputItem["content"] | InputItem["output"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (typeof part.text === "string" ? part.text : ""))
    .filter((text) => text.length > 0)
    .join("\n");
}

function flatten(tools: readonly ToolSpec[] | undefined): ToolSpec[] {
  const out: ToolSpec[] = [];
  for (const tool of tools ?? []) {
    if (tool.type === "namespace") out.push(...flatten(tool.tools));
    else out.push(tool);
  }
  return out;
}

/** The tools offered, at the top level and in `additional_tools` items. */
export function toolboxOf(body: ResponsesRequest): Toolbox {
  const items = Array.isArray(body.input) ? body.input : [];
  const specs = flatten([
    ...(body.tools ?? []),
    ...items.flatMap((item) =>
      item.type === "additional_tools" ? (item.tools ?? []) : [],
    ),
  ]);
  const names = specs.map((t) => t.name ?? t.type ?? "?");
  const exec = specs.find((t) => t.type === "custom" && t.name === "exec");
  if (exec) {
    // Code mode describes its nested tools as TypeScript declarations.
    const nested = [
      ...(exec.description ?? "").matchAll(/declare const tools: \{ (\w+)\(/g),
    ].map((m) => `tools.${m[1]}`);
    names.push(...nested);
  }
  const patch = specs.find((t) => t.name === "apply_patch");
  const shell = (["exec_command", "shell_command", "shell"] as const).find(
    (name) => specs.some((t) => t.name === name),
  );
  return {
    names,
    codeMode: exec !== undefined,
    applyPatch:
      patch === undefined
        ? undefined
        : patch.type === "custom"
          ? "custom"
          : "function",
    shell,
  };
}

/** The working directory codex states in its `<environment_context>`. */
export function workingDirectoryOf(text: string): string | undefined {
  return /<cwd>([^<]+)<\/cwd>/.exec(text)?.[1]?.trim();
}

/** Items the model produced (as opposed to the user's, tools' or codex's). */
function isModelItem(item: InputItem): boolean {
  if (item.type === "message") return item.role === "assistant";
  return (
    item.type === "function_call" ||
    item.type === "custom_tool_call" ||
    item.type === "local_shell_call" ||
    item.type === "reasoning" ||
    item.type === "web_search_call" ||
    item.type === "tool_search_call"
  );
}

const TAG = /^(?:call|msg|ctc|fc)_sw(\d+)_/;

/**
 * The number of model answers already in the conversation: the answers
 * this adapter gave are tagged with their turn in their ids; anything else
 * counts once per unbroken run of model items.
 */
export function turnOf(items: readonly InputItem[]): number {
  const tagged = new Set<string>();
  let untaggedRuns = 0;
  let inRun = false;
  for (const item of items) {
    if (!isModelItem(item)) {
      inRun = false;
      continue;
    }
    const tag = TAG.exec(item.call_id ?? item.id ?? "")?.[1];
    if (tag !== undefined) {
      tagged.add(tag);
      inRun = false;
    } else if (!inRun) {
      untaggedRuns += 1;
      inRun = true;
    }
  }
  return tagged.size + untaggedRuns;
}

/** Everything in the conversation that reads as text, joined. */
function conversationText(body: ResponsesRequest): string {
  const parts: string[] = [];
  if (typeof body.instructions === "string") parts.push(body.instructions);
  if (typeof body.input === "string") parts.push(body.input);
  for (const item of Array.isArray(body.input) ? body.input : []) {
    if (item.type === "message") parts.push(textOf(item.content));
    else if (
      item.type === "function_call_output" ||
      item.type === "custom_tool_call_output"
    )
      parts.push(textOf(item.output));
  }
  return parts.filter((p) => p.length > 0).join("\n");
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  return header.replace(/^Bearer\s+/i, "");
}

function linesOf(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** An apply_patch that creates (or overwrites) a file. */
export function addFilePatch(path: string, content: string): string {
  const body = linesOf(content)
    .map((line) => `+${line}\n`)
    .join("");
  return `*** Begin Patch\n*** Add File: ${path}\n${body}*** End Patch\n`;
}

/**
 * An apply_patch that replaces `find` with `replace`, as a hunk of the
 * whole lines around it (read from disk when the file is there; otherwise
 * `find` is taken to be whole lines).
 */
export function updateFilePatch(
  path: string,
  find: string,
  replace: string,
  current: string | undefined,
): string {
  let before = linesOf(find);
  let after = linesOf(replace);
  if (current !== undefined) {
    const at = current.indexOf(find);
    if (at >= 0) {
      const start = at === 0 ? 0 : current.lastIndexOf("\n", at - 1) + 1;
      const newline = current.indexOf("\n", at + Math.max(find.length - 1, 0));
      const end = newline < 0 ? current.length : newline;
      const block = current.slice(start, end);
      const edited = `${block}\n`.replace(find, replace).replace(/\n$/, "");
      before = block.split("\n");
      after = edited.split("\n");
    }
  }
  const hunk = [
    ...before.map((line) => `-${line}`),
    ...after.map((line) => `+${line}`),
  ].join("\n");
  return `*** Begin Patch\n*** Update File: ${path}\n@@\n${hunk}\n*** End Patch\n`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A shell command that writes a file (for a codex without apply_patch). */
function shellWrite(path: string, content: string): string {
  const b64 = Buffer.from(content, "utf8").toString("base64");
  return `mkdir -p "$(dirname ${quote(path)})" && printf %s ${b64} | base64 -d > ${quote(path)}`;
}

function readIfThere(cwd: string | undefined, path: string) {
  try {
    return readFileSync(isAbsolute(path) ? path : join(cwd ?? ".", path), {
      encoding: "utf8",
    });
  } catch {
    return undefined;
  }
}

/** The script's actions for one turn as codex output items. */
export function toCodexOutput(
  actions: readonly Action[],
  toolbox: Toolbox,
  turn: number,
  cwd: string | undefined,
): OutputItem[] {
  const said: string[] = [];
  const items: OutputItem[] = [];
  const js: string[] = [];
  let n = 0;
  const id = (kind: string) => `${kind}_sw${turn}_${n++}`;
  const patchOf = (action: Action): string | undefined => {
    if ("write" in action) return addFilePatch(action.write, action.content);
    if ("edit" in action)
      return updateFilePatch(
        action.edit,
        action.find,
        action.replace,
        readIfThere(cwd, action.edit),
      );
    return undefined;
  };
  const shellOf = (action: Action): string | undefined => {
    if ("shell" in action) return action.shell;
    // codex has no skill tool: the model reads the skill's file.
    if ("skill" in action) return `cat .agents/skills/${action.skill}/SKILL.md`;
    if ("write" in action) return shellWrite(action.write, action.content);
    return undefined;
  };

  for (const action of actions) {
    if ("say" in action) {
      said.push(action.say);
      continue;
    }
    const patch = patchOf(action);
    if (toolbox.codeMode) {
      const call =
        patch !== undefined
          ? `await tools.apply_patch(${JSON.stringify(patch)})`
          : `await tools.exec_command(${JSON.stringify({ cmd: shellOf(action), yield_time_ms: 30000 })})`;
      js.push(
        `r = ${call};`,
        `text(typeof r === "string" ? r : JSON.stringify(r));`,
      );
      continue;
    }
    if (patch !== undefined && toolbox.applyPatch === "custom") {
      items.push({
        type: "custom_tool_call",
        id: id("ctc"),
        call_id: id("call"),
        name: "apply_patch",
        input: patch,
        status: "completed",
      });
      continue;
    }
    if (patch !== undefined && toolbox.applyPatch === "function") {
      items.push({
        type: "function_call",
        id: id("fc"),
        call_id: id("call"),
        name: "apply_patch",
        arguments: JSON.stringify({ input: patch }),
        status: "completed",
      });
      continue;
    }
    const cmd = shellOf(action);
    if (cmd === undefined)
      throw new Error(
        `codex offers no tool for ${JSON.stringify(action)} (tools: ${toolbox.names.join(", ")})`,
      );
    const args =
      toolbox.shell === "exec_command"
        ? { cmd, yield_time_ms: 30000 }
        : toolbox.shell === "shell_command"
          ? { command: cmd }
          : { command: ["bash", "-lc", cmd] };
    items.push({
      type: "function_call",
      id: id("fc"),
      call_id: id("call"),
      name: toolbox.shell ?? "shell",
      arguments: JSON.stringify(args),
      status: "completed",
    });
  }
  if (js.length > 0) {
    items.push({
      type: "custom_tool_call",
      id: id("ctc"),
      call_id: id("call"),
      name: "exec",
      input: ["let r;", ...js].join("\n"),
      status: "completed",
    });
  }
  if (said.length > 0 || items.length === 0) {
    items.unshift({
      type: "message",
      id: id("msg"),
      role: "assistant",
      status: "completed",
      content: [
        {
          type: "output_text",
          text: said.join("\n\n") || "Done.",
          annotations: [],
        },
      ],
    });
  }
  return items;
}

function usage() {
  return {
    input_tokens: USAGE_PER_ANSWER.input_tokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: USAGE_PER_ANSWER.output_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens:
      USAGE_PER_ANSWER.input_tokens + USAGE_PER_ANSWER.output_tokens,
  };
}

let responseCounter = 0;

function respond(exchange: Exchange, model: string, items: OutputItem[]) {
  responseCounter += 1;
  const response = {
    id: `resp_sw${responseCounter}`,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    model,
    status: "in_progress",
    output: [] as OutputItem[],
  };
  const { res } = exchange;
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
  });
  let seq = 0;
  const send = (type: string, data: Record<string, unknown>) => {
    res.write(
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`,
    );
  };
  send("response.created", { response });
  send("response.in_progress", { response });
  items.forEach((item, output_index) => {
    if (item.type === "message") {
      const text = item.content[0]?.text ?? "";
      send("response.output_item.added", {
        output_index,
        item: { ...item, status: "in_progress", content: [] },
      });
      send("response.content_part.added", {
        item_id: item.id,
        output_index,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [] },
      });
      send("response.output_text.delta", {
        item_id: item.id,
        output_index,
        content_index: 0,
        delta: text,
      });
      send("response.output_text.done", {
        item_id: item.id,
        output_index,
        content_index: 0,
        text,
      });
      send("response.content_part.done", {
        item_id: item.id,
        output_index,
        content_index: 0,
        part: item.content[0],
      });
    } else if (item.type === "custom_tool_call") {
      send("response.output_item.added", {
        output_index,
        item: { ...item, status: "in_progress", input: "" },
      });
      send("response.custom_tool_call_input.delta", {
        item_id: item.id,
        output_index,
        delta: item.input,
      });
      send("response.custom_tool_call_input.done", {
        item_id: item.id,
        output_index,
        input: item.input,
      });
    } else {
      send("response.output_item.added", {
        output_index,
        item: { ...item, status: "in_progress", arguments: "" },
      });
      send("response.function_call_arguments.delta", {
        item_id: item.id,
        output_index,
        delta: item.arguments,
      });
      send("response.function_call_arguments.done", {
        item_id: item.id,
        output_index,
        arguments: item.arguments,
      });
    }
    send("response.output_item.done", { output_index, item });
  });
  send("response.completed", {
    response: {
      ...response,
      status: "completed",
      output: items,
      usage: usage(),
    },
  });
  res.end();
}

function isResponses(method: string, url: URL): boolean {
  return method === "POST" && /(^|\/)responses$/.test(url.pathname);
}

async function handle(exchange: Exchange): Promise<void> {
  const body = (exchange.body ?? {}) as ResponsesRequest;
  const items = Array.isArray(body.input) ? body.input : [];
  const toolbox = toolboxOf(body);
  const text = conversationText(body);
  const turn = turnOf(items);
  const actions = exchange.answer({
    api: "openai-responses",
    credential: bearer(exchange.req.headers.authorization),
    model: body.model ?? null,
    stream: body.stream === true,
    text,
    tools: toolbox.names,
    turn,
    // The agent loop always offers tools; a request without any is a side
    // request (a summary, a title, a compaction).
    auxiliary: toolbox.names.length === 0,
  });
  const output =
    toolbox.names.length === 0
      ? toCodexOutput(actions, toolbox, turn, undefined).filter(
          (i) => i.type === "message",
        )
      : toCodexOutput(actions, toolbox, turn, workingDirectoryOf(text));
  respond(exchange, body.model ?? "unknown", output);
}

/** The OpenAI Responses API as codex calls it. */
export const openaiResponsesAdapter: Adapter = {
  backend: "codex",
  matches: (method, url) => isResponses(method, url),
  handle,
};

/**
 * A Responses API that refuses every request with `status` and an OpenAI
 * error body (401: a wrong key), recording what it was sent.
 */
export function refusingResponsesAdapter(status = 401): Adapter {
  return {
    backend: "codex",
    matches: (method, url) => isResponses(method, url),
    handle(exchange) {
      const body = (exchange.body ?? {}) as ResponsesRequest;
      const credential = bearer(exchange.req.headers.authorization);
      exchange.answer({
        api: "openai-responses",
        credential,
        model: body.model ?? null,
        stream: body.stream === true,
        text: conversationText(body),
        tools: toolboxOf(body).names,
        turn: turnOf(Array.isArray(body.input) ? body.input : []),
        auxiliary: false,
      });
      exchange.res.writeHead(status, { "content-type": "application/json" });
      exchange.res.end(
        JSON.stringify({
          error: {
            message:
              status === 401
                ? `Incorrect API key provided: ${credential ?? "(none)"}.`
                : "The server had an error while processing your request.",
            type: status === 401 ? "invalid_request_error" : "server_error",
            param: null,
            code: status === 401 ? "invalid_api_key" : null,
          },
        }),
      );
    },
  };
}

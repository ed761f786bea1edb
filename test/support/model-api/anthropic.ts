import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isAbsolute, resolve } from "node:path";
import { type Action, USAGE_PER_ANSWER } from "./script.js";
import type { Adapter, Exchange } from "./server.js";

/**
 * The Anthropic Messages API (`POST /v1/messages`) as Claude Code calls it:
 * a streamed answer (server-sent events) with its own tools — `Write`,
 * `Edit` (after a `Read` of the file), `Bash` and `Skill` — so the real CLI
 * edits the checkout itself.
 *
 * What Claude Code 2.1.197 sends:
 * - `POST /v1/messages?beta=true`, `stream: true`, the key in `x-api-key`
 *   (or `authorization: Bearer …` for `CLAUDE_CODE_OAUTH_TOKEN`);
 * - a `HEAD /` first (Bun warming up the connection);
 * - the working directory in the system prompt ("Primary working
 *   directory: …"): its file tools want absolute paths.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface AnthropicAdapterOptions {
  /**
   * The only credential accepted: any other (or none) gets HTTP 401 with
   * the API's `authentication_error`, as the real API answers a wrong key.
   */
  expectedCredential?: string;
  /** Answer every Messages request with this HTTP status and an API error. */
  failWith?: number;
}

/** The text of a message's content: a string or blocks (text, tool results). */
function contentText(content: unknown): string[] {
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === "text" && typeof block.text === "string")
      out.push(block.text);
    else if (block.type === "tool_result")
      out.push(...contentText(block.content));
  }
  return out;
}

function credentialOf(req: IncomingMessage): string | null {
  const key = req.headers["x-api-key"];
  if (typeof key === "string") return key;
  const auth = req.headers.authorization;
  if (typeof auth === "string") return auth.replace(/^Bearer\s+/i, "");
  return null;
}

/** The checkout Claude Code runs in, as its system prompt says. */
function workingDirectory(system: string): string | undefined {
  return /Primary working directory: (.+)/.exec(system)?.[1]?.trim();
}

interface ToolUse {
  name: string;
  input: Json;
}

/** The script's actions as Claude Code's own tool calls and text. */
function toBlocks(
  actions: readonly Action[],
  cwd: string | undefined,
): { text: string; tools: ToolUse[] } {
  const path = (p: string) =>
    isAbsolute(p) || cwd === undefined ? p : resolve(cwd, p);
  const texts: string[] = [];
  const tools: ToolUse[] = [];
  for (const action of actions) {
    if ("say" in action) texts.push(action.say);
    else if ("write" in action) {
      const file_path = path(action.write);
      // Claude Code refuses to overwrite a file it has not read in this
      // conversation; a Read earlier in the same message counts.
      if (existsSync(file_path))
        tools.push({ name: "Read", input: { file_path } });
      tools.push({
        name: "Write",
        input: { file_path, content: action.content },
      });
    } else if ("edit" in action) {
      const file_path = path(action.edit);
      tools.push({ name: "Read", input: { file_path } });
      tools.push({
        name: "Edit",
        input: {
          file_path,
          old_string: action.find,
          new_string: action.replace,
        },
      });
    } else if ("shell" in action)
      tools.push({
        name: "Bash",
        input: { command: action.shell, description: "Run a command" },
      });
    else if ("skill" in action)
      tools.push({ name: "Skill", input: { skill: action.skill } });
  }
  return { text: texts.join("\n\n"), tools };
}

function usage() {
  return {
    input_tokens: USAGE_PER_ANSWER.input_tokens,
    output_tokens: USAGE_PER_ANSWER.output_tokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

function sendStream(
  res: ServerResponse,
  model: string,
  text: string,
  tools: readonly ToolUse[],
): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "request-id": `req_${randomUUID()}`,
  });
  const event = (type: string, data: Json) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event("message_start", {
    message: {
      id: `msg_${randomUUID()}`,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage(), output_tokens: 1 },
    },
  });
  let index = 0;
  if (text !== "" || tools.length === 0) {
    event("content_block_start", {
      index,
      content_block: { type: "text", text: "" },
    });
    event("content_block_delta", {
      index,
      delta: { type: "text_delta", text },
    });
    event("content_block_stop", { index });
    index++;
  }
  for (const tool of tools) {
    event("content_block_start", {
      index,
      content_block: {
        type: "tool_use",
        id: `toolu_${randomUUID().replaceAll("-", "")}`,
        name: tool.name,
        input: {},
      },
    });
    // Sent in two pieces, as the API streams a tool's input.
    const json = JSON.stringify(tool.input);
    const half = Math.floor(json.length / 2);
    for (const partial_json of [json.slice(0, half), json.slice(half)])
      event("content_block_delta", {
        index,
        delta: { type: "input_json_delta", partial_json },
      });
    event("content_block_stop", { index });
    index++;
  }
  event("message_delta", {
    delta: {
      stop_reason: tools.length > 0 ? "tool_use" : "end_turn",
      stop_sequence: null,
    },
    usage: { output_tokens: USAGE_PER_ANSWER.output_tokens },
  });
  event("message_stop", {});
  res.end();
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "request-id": `req_${randomUUID()}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function apiError(res: ServerResponse, status: number): void {
  const [type, message] =
    status === 401
      ? ["authentication_error", "invalid x-api-key"]
      : status === 429
        ? ["rate_limit_error", "rate limited"]
        : ["api_error", "Internal server error"];
  // Without `x-should-retry: false` Claude Code retries even a 401, up to
  // CLAUDE_CODE_MAX_RETRIES (10) times with backoff: over a minute.
  sendJson(
    res,
    status,
    { type: "error", error: { type, message } },
    status === 401 ? { "x-should-retry": "false" } : {},
  );
}

/** Claude Code's Messages API stand-in, with options (a key to insist on). */
export function createAnthropicAdapter(
  options: AnthropicAdapterOptions = {},
): Adapter {
  return {
    backend: "claude",
    matches(method, url) {
      return (
        url.pathname.startsWith("/v1/messages") ||
        (method === "HEAD" && url.pathname === "/")
      );
    },
    handle(exchange: Exchange) {
      const { req, res, url, body } = exchange;
      const credential = credentialOf(req);
      const method = req.method ?? "GET";
      const request = isObject(body) ? body : {};
      const model = typeof request.model === "string" ? request.model : null;
      const stream = request.stream === true;
      const tools = Array.isArray(request.tools)
        ? request.tools
            .filter(isObject)
            .map((t) => (typeof t.name === "string" ? t.name : ""))
        : [];
      const messages = Array.isArray(request.messages)
        ? request.messages.filter(isObject)
        : [];
      const system = contentText(request.system).join("\n\n");
      const text = [
        system,
        ...messages
          .filter((m) => m.role === "user")
          .flatMap((m) => contentText(m.content)),
      ].join("\n\n");
      const turn = messages.filter((m) => m.role === "assistant").length;
      // Bun's connection warm-up, token counting, and requests without
      // the agent's tools (titles, topics, quota checks on the small
      // model) are not turns of the agent loop.
      const countTokens = url.pathname.endsWith("/count_tokens");
      const auxiliary =
        method !== "POST" || countTokens || !tools.includes("Bash");
      const actions = exchange.answer({
        api: "anthropic-messages",
        credential,
        model,
        stream,
        text,
        tools,
        turn,
        auxiliary,
      });
      if (method === "HEAD") {
        res.writeHead(200);
        res.end();
        return;
      }
      if (
        options.expectedCredential !== undefined &&
        credential !== options.expectedCredential
      ) {
        apiError(res, 401);
        return;
      }
      if (options.failWith !== undefined) {
        apiError(res, options.failWith);
        return;
      }
      if (countTokens) {
        sendJson(res, 200, { input_tokens: USAGE_PER_ANSWER.input_tokens });
        return;
      }
      const answer = toBlocks(actions, workingDirectory(system));
      if (stream) {
        sendStream(res, model ?? "claude", answer.text, answer.tools);
        return;
      }
      sendJson(res, 200, {
        id: `msg_${randomUUID()}`,
        type: "message",
        role: "assistant",
        model,
        content: [
          ...(answer.text !== "" ? [{ type: "text", text: answer.text }] : []),
          ...answer.tools.map((tool) => ({
            type: "tool_use",
            id: `toolu_${randomUUID().replaceAll("-", "")}`,
            name: tool.name,
            input: tool.input,
          })),
        ],
        stop_reason: answer.tools.length > 0 ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage: usage(),
      });
    },
  };
}

/** Claude Code's Messages API stand-in: any key, the script's answers. */
export const anthropicAdapter: Adapter = createAnthropicAdapter();

import { isAbsolute, join } from "node:path";
import type { Action } from "./script.js";
import { USAGE_PER_ANSWER } from "./script.js";
import type { Adapter, Exchange } from "./server.js";

/**
 * GitHub Copilot CLI (1.0.102) in bring-your-own-key mode
 * (`COPILOT_PROVIDER_BASE_URL`, default provider type "openai", default wire
 * API "completions"): it calls OpenAI Chat Completions,
 * `POST <base>/chat/completions` with `stream: true` and
 * `stream_options.include_usage`, through the OpenAI JS SDK, sending the key
 * as `Authorization: Bearer <COPILOT_PROVIDER_API_KEY>`.
 *
 * Its own tools: `create` (a new file; refuses an existing one), `edit`
 * (`old_str` → `new_str`, exactly one occurrence), `bash` (`command` and
 * `description` required) and `skill` (loads a skill's SKILL.md into the
 * conversation). File tools want absolute paths: the adapter takes the
 * working directory from the system prompt's
 * "* Current working directory: <dir>" line.
 */

interface ChatPart {
  type?: string;
  text?: string;
}

interface ChatMessage {
  role?: string;
  content?: string | ChatPart[] | null;
  tool_calls?: { function?: { name?: string; arguments?: string } }[];
}

interface ChatRequest {
  model?: string;
  stream?: boolean;
  messages?: ChatMessage[];
  tools?: { function?: { name?: string } }[];
}

interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (typeof part.text === "string" ? part.text : ""))
    .join("\n");
}

/** The session's working directory, as copilot states it to the model. */
export function workingDirectoryOf(text: string): string | undefined {
  return /^\* Current working directory: (.+)$/m.exec(text)?.[1]?.trim();
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  return header.replace(/^Bearer\s+/i, "");
}

let callCounter = 0;

/** The script's actions as copilot's own tool calls and a final text. */
export function toCopilotTurn(
  actions: readonly Action[],
  cwd: string,
): { content: string; toolCalls: ToolCall[] } {
  const abs = (path: string) => (isAbsolute(path) ? path : join(cwd, path));
  const toolCalls: ToolCall[] = [];
  const said: string[] = [];
  const call = (name: string, args: Record<string, unknown>) => {
    callCounter += 1;
    toolCalls.push({
      id: `call_standin_${callCounter}`,
      type: "function",
      function: { name, arguments: JSON.stringify(args) },
    });
  };
  for (const action of actions) {
    if ("write" in action)
      call("create", { path: abs(action.write), file_text: action.content });
    else if ("edit" in action)
      call("edit", {
        path: abs(action.edit),
        old_str: action.find,
        new_str: action.replace,
      });
    else if ("shell" in action)
      call("bash", {
        command: action.shell,
        description: "Run a command",
        mode: "sync",
        initial_wait: 30,
      });
    else if ("skill" in action) call("skill", { skill: action.skill });
    else said.push(action.say);
  }
  return { content: said.join("\n"), toolCalls };
}

function usage() {
  return {
    prompt_tokens: USAGE_PER_ANSWER.input_tokens,
    completion_tokens: USAGE_PER_ANSWER.output_tokens,
    total_tokens:
      USAGE_PER_ANSWER.input_tokens + USAGE_PER_ANSWER.output_tokens,
  };
}

export const copilotAdapter: Adapter = {
  backend: "copilot",
  matches: (method, url) =>
    method === "POST" && url.pathname.endsWith("/chat/completions"),
  handle(exchange: Exchange) {
    const body = (exchange.body ?? {}) as ChatRequest;
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const tools = (Array.isArray(body.tools) ? body.tools : [])
      .map((t) => t.function?.name)
      .filter((n): n is string => typeof n === "string");
    const text = messages.map((m) => textOf(m.content)).join("\n\n");
    const turn = messages.filter((m) => m.role === "assistant").length;
    const header = exchange.req.headers.authorization;
    const actions = exchange.answer({
      api: "openai-chat",
      credential: bearer(typeof header === "string" ? header : undefined),
      model: typeof body.model === "string" ? body.model : null,
      stream: body.stream === true,
      text,
      tools,
      turn,
      // The agent loop always offers copilot's tools; its side requests
      // (session names, prompt refinement) offer none.
      auxiliary: tools.length === 0,
    });
    const cwd = workingDirectoryOf(text) ?? process.cwd();
    const { content, toolCalls } = toCopilotTurn(actions, cwd);
    const model = body.model ?? "stand-in";
    const finish = toolCalls.length > 0 ? "tool_calls" : "stop";
    const id = `chatcmpl-standin-${Date.now()}`;
    const created = Math.floor(Date.now() / 1000);
    const { res } = exchange;

    if (body.stream !== true) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id,
          object: "chat.completion",
          created,
          model,
          choices: [
            {
              index: 0,
              message: {
                role: "assistant",
                content: content || null,
                ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
              },
              finish_reason: finish,
            },
          ],
          usage: usage(),
        }),
      );
      return;
    }

    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
    });
    const chunk = (choice: Record<string, unknown> | null, extra = {}) =>
      res.write(
        `data: ${JSON.stringify({
          id,
          object: "chat.completion.chunk",
          created,
          model,
          choices: choice ? [{ index: 0, ...choice }] : [],
          ...extra,
        })}\n\n`,
      );
    chunk({
      delta: { role: "assistant", content: "" },
      finish_reason: null,
    });
    if (content) chunk({ delta: { content }, finish_reason: null });
    toolCalls.forEach((toolCall, index) => {
      chunk({
        delta: {
          tool_calls: [
            {
              index,
              id: toolCall.id,
              type: "function",
              function: { name: toolCall.function.name, arguments: "" },
            },
          ],
        },
        finish_reason: null,
      });
      chunk({
        delta: {
          tool_calls: [
            { index, function: { arguments: toolCall.function.arguments } },
          ],
        },
        finish_reason: null,
      });
    });
    chunk({ delta: {}, finish_reason: finish });
    chunk(null, { usage: usage() });
    res.end("data: [DONE]\n\n");
  },
};

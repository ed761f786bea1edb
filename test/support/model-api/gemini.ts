import type { Action } from "./script.js";
import { USAGE_PER_ANSWER } from "./script.js";
import type { Adapter, Exchange } from "./server.js";

/**
 * The Gemini API as gemini-cli (0.61) calls it through `@google/genai`
 * when `GOOGLE_GEMINI_BASE_URL` points here:
 * `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` for the agent
 * loop (server-sent events, one `GenerateContentResponse` per `data:` line),
 * `POST /v1beta/models/{model}:generateContent` for its side requests (the
 * model router's complexity classifier, the next-speaker check, loop
 * detection, …: JSON answers to a `responseJsonSchema`), and
 * `:countTokens`. The key arrives in the `x-goog-api-key` header.
 */

const PATH = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):([A-Za-z]+)$/;

interface Part {
  text?: string;
  thought?: boolean;
  functionCall?: { name?: string; args?: unknown };
  functionResponse?: { name?: string; response?: unknown };
}

interface Content {
  role?: string;
  parts?: Part[];
}

interface Body {
  contents?: Content[];
  systemInstruction?: Content | string;
  tools?: { functionDeclarations?: { name?: string }[] }[];
  generationConfig?: {
    responseMimeType?: string;
    responseJsonSchema?: unknown;
    responseSchema?: unknown;
  };
}

function asBody(body: unknown): Body {
  return typeof body === "object" && body !== null ? (body as Body) : {};
}

function partText(part: Part): string[] {
  const out: string[] = [];
  if (typeof part.text === "string" && part.thought !== true)
    out.push(part.text);
  if (part.functionResponse) {
    const response = part.functionResponse.response;
    const output =
      typeof response === "object" && response !== null
        ? (response as Record<string, unknown>)
        : {};
    out.push(
      typeof output.output === "string"
        ? output.output
        : JSON.stringify(response ?? null),
    );
  }
  return out;
}

/** System instruction, user prompts, tool results and model text, joined. */
function conversationText(body: Body): string {
  const pieces: string[] = [];
  const system = body.systemInstruction;
  if (typeof system === "string") pieces.push(system);
  else for (const part of system?.parts ?? []) pieces.push(...partText(part));
  for (const content of body.contents ?? [])
    for (const part of content.parts ?? []) pieces.push(...partText(part));
  return pieces.join("\n");
}

/** A value that satisfies a (small) JSON schema: first enum value, 0, "", false. */
function sample(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null) return null;
  const s = schema as {
    type?: string | string[];
    enum?: unknown[];
    properties?: Record<string, unknown>;
    items?: unknown;
    anyOf?: unknown[];
  };
  if (s.enum && s.enum.length > 0) return s.enum[0];
  if (s.anyOf && s.anyOf.length > 0) return sample(s.anyOf[0]);
  const type = (Array.isArray(s.type) ? s.type[0] : s.type)?.toLowerCase();
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(s.properties ?? {}))
        out[key] = sample(value);
      return out;
    }
    case "array":
      return [];
    case "string":
      return "stand-in";
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return false;
    default:
      return null;
  }
}

interface FunctionCall {
  name: string;
  args: Record<string, unknown>;
}

/** The script's actions as gemini-cli's own tools (write_file, replace, run_shell_command, activate_skill). */
function toParts(actions: Action[]): Part[] {
  const parts: Part[] = [];
  const calls: FunctionCall[] = [];
  for (const action of actions) {
    if ("say" in action) parts.push({ text: action.say });
    else if ("write" in action)
      calls.push({
        name: "write_file",
        args: { file_path: action.write, content: action.content },
      });
    else if ("edit" in action)
      calls.push({
        name: "replace",
        args: {
          file_path: action.edit,
          instruction: `Replace the text in ${action.edit}.`,
          old_string: action.find,
          new_string: action.replace,
        },
      });
    else if ("shell" in action)
      calls.push({
        name: "run_shell_command",
        args: { command: action.shell, description: "stand-in command" },
      });
    else if ("skill" in action)
      calls.push({ name: "activate_skill", args: { name: action.skill } });
  }
  // gemini-cli runs shell calls of one turn in parallel unless told to
  // wait: keep the script's order.
  calls.forEach((call, index) => {
    parts.push({
      functionCall: {
        name: call.name,
        args:
          index === 0 ? call.args : { ...call.args, wait_for_previous: true },
      },
    });
  });
  return parts;
}

const usageMetadata = {
  promptTokenCount: USAGE_PER_ANSWER.input_tokens,
  candidatesTokenCount: USAGE_PER_ANSWER.output_tokens,
  totalTokenCount:
    USAGE_PER_ANSWER.input_tokens + USAGE_PER_ANSWER.output_tokens,
};

function response(model: string, parts: Part[], usage: boolean) {
  return {
    candidates: [
      {
        content: { role: "model", parts },
        finishReason: "STOP",
        index: 0,
      },
    ],
    ...(usage ? { usageMetadata } : {}),
    modelVersion: model,
  };
}

function handle(exchange: Exchange): void {
  const { req, res, url } = exchange;
  const match = PATH.exec(url.pathname);
  const model = decodeURIComponent(match?.[1] ?? "");
  const method = match?.[2] ?? "";
  const body = asBody(exchange.body);
  const credential =
    (req.headers["x-goog-api-key"] as string | undefined) ??
    url.searchParams.get("key");
  const stream = method === "streamGenerateContent";
  const schema =
    body.generationConfig?.responseJsonSchema ??
    body.generationConfig?.responseSchema;
  const actions = exchange.answer({
    api: "gemini",
    credential: credential ?? null,
    model,
    stream,
    text: conversationText(body),
    tools: (body.tools ?? []).flatMap((tool) =>
      (tool.functionDeclarations ?? []).flatMap((f) =>
        typeof f.name === "string" ? [f.name] : [],
      ),
    ),
    turn: (body.contents ?? []).filter((c) => c.role === "model").length,
    // The agent loop streams; everything else (router, next-speaker check,
    // loop detection, token counts) is a side request.
    auxiliary: !stream || schema !== undefined,
  });

  if (method === "countTokens") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ totalTokens: USAGE_PER_ANSWER.input_tokens }));
    return;
  }
  const answered: Part[] =
    schema !== undefined
      ? [{ text: JSON.stringify(sample(schema)) }]
      : body.generationConfig?.responseMimeType === "application/json"
        ? [{ text: "{}" }]
        : toParts(actions);
  const parts = answered.length > 0 ? answered : [{ text: "" }];
  if (!stream) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(response(model, parts, true)));
    return;
  }
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
  });
  // Each part in its own event, as the real API streams; usage and the
  // finish reason on the last.
  parts.forEach((part, index) => {
    const last = index === parts.length - 1;
    const chunk = response(model, [part], last);
    if (!last)
      delete (chunk.candidates[0] as { finishReason?: string }).finishReason;
    res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  });
  res.end();
}

/** gemini-cli's Gemini API (`GOOGLE_GEMINI_BASE_URL`). */
export const geminiAdapter: Adapter = {
  backend: "gemini",
  matches: (method, url) => method === "POST" && PATH.test(url.pathname),
  handle,
};

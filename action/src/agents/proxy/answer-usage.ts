import { int, isObject, type Json } from "../output/json.js";

/** The tokens one model answer reports. */
export interface AnswerUsage {
  input_tokens: number;
  output_tokens: number;
}

/** A JSON answer larger than this is not read for its usage. */
const MAX_JSON_BODY = 8 * 1024 * 1024;

/** Tokens in (cache reads and writes included) and out, from a usage object. */
function tokensOf(usage: Json): Partial<AnswerUsage> {
  const input =
    int(usage.input_tokens) ?? int(usage.prompt_tokens) ?? undefined;
  const cache =
    (int(usage.cache_creation_input_tokens) ?? 0) +
    (int(usage.cache_read_input_tokens) ?? 0);
  const output = int(usage.output_tokens) ?? int(usage.completion_tokens);
  return {
    ...(input === undefined ? {} : { input_tokens: input + cache }),
    ...(output === undefined ? {} : { output_tokens: output }),
  };
}

/**
 * The usage in one event or answer body: Anthropic's `message_start`
 * (the input) and `message_delta` (the output so far), OpenAI's
 * `response.completed`, or a whole answer's `usage`.
 */
function usageOfEvent(event: Json): Partial<AnswerUsage> {
  if (event.type === "message_start" && isObject(event.message))
    return isObject(event.message.usage) ? tokensOf(event.message.usage) : {};
  if (event.type === "message_delta" && isObject(event.usage)) {
    const { output_tokens, input_tokens } = tokensOf(event.usage);
    // The delta's input is there only when it has one of its own.
    return {
      ...(output_tokens === undefined ? {} : { output_tokens }),
      ...(input_tokens ? { input_tokens } : {}),
    };
  }
  if (event.type === "response.completed" && isObject(event.response))
    return isObject(event.response.usage) ? tokensOf(event.response.usage) : {};
  return isObject(event.usage) ? tokensOf(event.usage) : {};
}

/**
 * Reads a model answer's usage as the proxy relays it, chunk by chunk:
 * server-sent events line by line, a JSON answer whole. `end` gives the
 * answer's tokens, or undefined when it reports none.
 */
export function readAnswerUsage(contentType: string): {
  push(chunk: Buffer): void;
  end(): AnswerUsage | undefined;
} {
  const streamed = contentType.includes("text/event-stream");
  const json = contentType.includes("json");
  const found: Partial<AnswerUsage> = {};
  const take = (value: unknown) => {
    if (isObject(value)) Object.assign(found, usageOfEvent(value));
  };
  let partial = "";
  const body: Buffer[] = [];
  let size = 0;
  const line = (text: string) => {
    if (!text.startsWith("data:")) return;
    try {
      take(JSON.parse(text.slice(5).trim()));
    } catch {
      // Not JSON ([DONE], a comment).
    }
  };
  return {
    push(chunk) {
      if (streamed) {
        const lines = (partial + chunk.toString("utf8")).split("\n");
        partial = lines.pop() ?? "";
        for (const text of lines) line(text.trimEnd());
      } else if (json && size <= MAX_JSON_BODY) {
        body.push(chunk);
        size += chunk.length;
      }
    },
    end() {
      if (streamed) line(partial.trimEnd());
      else if (json && size <= MAX_JSON_BODY) {
        try {
          take(JSON.parse(Buffer.concat(body).toString("utf8")));
        } catch {
          // Not the JSON it said it was.
        }
      }
      if (found.input_tokens === undefined && found.output_tokens === undefined)
        return undefined;
      return {
        input_tokens: found.input_tokens ?? 0,
        output_tokens: found.output_tokens ?? 0,
      };
    },
  };
}

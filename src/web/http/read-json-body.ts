import type { IncomingMessage } from "node:http";
import { ApiError } from "./respond.js";

/** A control's body is a reason at most: anything bigger is not ours. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * The request's JSON object body: empty means `{}`. Anything else (not
 * JSON, not an object, too big, another content type) is a 4xx the caller
 * sends as it is.
 */
export async function readJsonBody(
  req: IncomingMessage,
): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim();
  if (type !== "application/json") {
    throw new ApiError(
      "unsupported_media_type",
      "Send the body as JSON (Content-Type: application/json).",
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError("bad_request", "The body is not valid JSON.", "body");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(
      "bad_request",
      "The body must be a JSON object.",
      "body",
    );
  }
  return value as Record<string, unknown>;
}

function tooLarge(): ApiError {
  return new ApiError(
    "payload_too_large",
    `The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`,
  );
}

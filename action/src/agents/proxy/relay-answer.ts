import type {
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from "node:http";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import type { Masker } from "../../mask.js";
import { readAnswerUsage } from "./answer-usage.js";
import type { ProxyMeter } from "./proxy-meter.js";
import { endToEnd } from "./swap-credential.js";

/** An error body larger than this is cut: an error is a message, not a payload. */
const MAX_ERROR_BODY = 1024 * 1024;

const DECODE: Record<string, (body: Buffer) => Buffer> = {
  gzip: gunzipSync,
  "x-gzip": gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

function maskedHeaders(
  answer: IncomingMessage,
  mask: Masker,
): OutgoingHttpHeaders {
  const headers = endToEnd(answer.headers);
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === "string") headers[name] = mask.text(value);
    else if (Array.isArray(value)) headers[name] = value.map(mask.text);
  }
  return headers;
}

/**
 * Each key's bytes in a chunk, replaced by as many `*`: the length stays,
 * so does `content-length`, and nothing waits for the next chunk.
 */
function maskChunks(keys: readonly Buffer[]): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let out = chunk;
      for (const key of keys) {
        let at = out.indexOf(key);
        while (at !== -1) {
          if (out === chunk) out = Buffer.from(chunk);
          out.fill("*", at, at + key.length);
          at = out.indexOf(key, at + key.length);
        }
      }
      done(null, out);
    },
  });
}

/** Passes chunks on unchanged, telling the meter the answer's usage at its end. */
function meterUsage(answer: IncomingMessage, meter: ProxyMeter): Transform {
  const usage = readAnswerUsage(String(answer.headers["content-type"] ?? ""));
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      usage.push(chunk);
      done(null, chunk);
    },
    flush(done) {
      const seen = usage.end();
      if (seen) meter.answered(seen);
      done();
    },
  });
}

/** The error body read whole, decoded if the upstream compressed it anyway, and masked. */
async function maskedErrorBody(
  answer: IncomingMessage,
  headers: OutgoingHttpHeaders,
  mask: Masker,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer as AsyncIterable<Buffer>) {
    if (size < MAX_ERROR_BODY) chunks.push(chunk);
    size += chunk.length;
  }
  let body: Buffer = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY);
  const encoding = String(headers["content-encoding"] ?? "").toLowerCase();
  const decode = DECODE[encoding];
  if (decode) {
    try {
      body = decode(body);
      delete headers["content-encoding"];
    } catch {
      // Not what it said it was: passed on as it came, and masked as text.
    }
  }
  return Buffer.from(mask.text(body.toString("utf8")));
}

/**
 * Passes the upstream's answer to the agent: its status and headers
 * (hop-by-hop ones left out), and its body, streamed as it arrives for a
 * success, read whole for an error (so a key it echoes is masked however
 * it was split), with the key masked. A meter is told a success's usage.
 */
export async function relayAnswer(
  answer: IncomingMessage,
  res: ServerResponse,
  mask: Masker,
  meter?: ProxyMeter | undefined,
): Promise<void> {
  const status = answer.statusCode ?? 502;
  const headers = maskedHeaders(answer, mask);
  try {
    // A HEAD answer has no body to read, whatever its length says.
    if (status >= 400 && res.req.method !== "HEAD") {
      const body = await maskedErrorBody(answer, headers, mask);
      headers["content-length"] = body.length;
      res.writeHead(status, answer.statusMessage, headers);
      res.end(body);
      return;
    }
    res.writeHead(status, answer.statusMessage, headers);
    res.flushHeaders();
    const keys = mask.secrets.map((key) => Buffer.from(key));
    if (meter)
      await pipeline(answer, meterUsage(answer, meter), maskChunks(keys), res);
    else await pipeline(answer, maskChunks(keys), res);
  } catch {
    // The agent or the upstream hung up mid-answer: the agent sees a cut
    // connection, as it would without the proxy.
    res.destroy();
  }
}

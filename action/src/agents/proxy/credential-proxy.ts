import { randomBytes } from "node:crypto";
import {
  createServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createMasker } from "../../mask.js";
import type { ProxyMeter } from "./proxy-meter.js";
import { relayAnswer } from "./relay-answer.js";
import { type HeldKey, swapCredential } from "./swap-credential.js";

export interface CredentialProxyOptions {
  /** The origin and base path every request goes to (`https://api.openai.com/v1`). */
  upstream: string | URL;
  /** The keys it holds, each with the place in a request it goes. */
  keys: readonly HeldKey[];
  /** What the agent holds instead of a key; a fresh random token when not given. */
  placeholder?: string;
  /** Told of every request and of each answer's usage; may refuse a request. */
  meter?: ProxyMeter | undefined;
}

export interface CredentialProxy {
  /** `http://127.0.0.1:<port>`: the agent's base URL. */
  url: string;
  placeholder: string;
  /** Stops listening and ends every open connection, upstream too. */
  close(): Promise<void>;
}

const REFUSED =
  "specwright: the credential proxy answers only the agent of this run, and this request did not carry its placeholder credential\n";
const STOPPED =
  "specwright: the agent was stopped at one of its limits; the credential proxy sends no more of its requests\n";
const NO_UPGRADE =
  "specwright: the credential proxy does not carry WebSockets; use HTTP\n";

function answerPlain(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A plain HTTP answer on a socket the server gave up (an upgrade, a CONNECT). */
function refuseRaw(socket: Duplex, status: string, text: string) {
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

/**
 * Starts an HTTP proxy on 127.0.0.1 (a random port) that forwards every
 * request to one upstream, with the real key in place of the placeholder
 * the agent holds, so the agent, which reads untrusted text, never holds
 * the key. Bodies stream both ways, chunk by chunk (server-sent events
 * arrive as the model writes them). A request without the placeholder is
 * refused (401): other processes on the machine cannot spend the key. The
 * upstream's answers pass through as they are, its status and errors
 * included, with the key masked wherever it would come back.
 */
export async function startCredentialProxy(
  options: CredentialProxyOptions,
): Promise<CredentialProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== "https:" && upstream.protocol !== "http:")
    throw new Error(
      `specwright: the credential proxy's upstream must be an http(s) URL, not ${upstream.protocol}`,
    );
  const placeholder =
    options.placeholder ??
    `specwright-proxy-${randomBytes(24).toString("base64url")}`;
  const basePath = upstream.pathname.replace(/\/+$/, "");
  const secure = upstream.protocol === "https:";
  const agent = secure
    ? new HttpsAgent({ keepAlive: true })
    : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  const mask = createMasker(options.keys.map((key) => key.value));

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const swapped = swapCredential({
      headers: req.headers,
      url,
      keys: options.keys,
      placeholder,
    });
    if (!swapped) {
      req.resume();
      // Claude Code retries a 401 for a minute unless told not to.
      answerPlain(res, 401, REFUSED, { "x-should-retry": "false" });
      return;
    }
    if (options.meter?.request(req.method ?? "GET", url.pathname) === false) {
      req.resume();
      answerPlain(res, 400, STOPPED, { "x-should-retry": "false" });
      return;
    }
    swapped.headers.host = upstream.host;
    // Bodies come back as they are, so a key an error echoes can be masked.
    swapped.headers["accept-encoding"] = "identity";
    const outgoing = send({
      protocol: upstream.protocol,
      hostname: upstream.hostname.replace(/^\[|\]$/g, ""),
      port: upstream.port,
      method: req.method ?? "GET",
      path: `${basePath}${url.pathname}${swapped.search}`,
      headers: swapped.headers,
      agent,
    });
    outgoing.on("response", (answer) =>
      relayAnswer(answer, res, mask, options.meter),
    );
    outgoing.on("error", (error) => {
      if (res.headersSent) res.destroy();
      else
        answerPlain(
          res,
          502,
          `specwright: the credential proxy could not reach ${upstream.origin}: ${mask.text(error.message)}\n`,
        );
    });
    // The agent hung up (or was stopped): so does the upstream request.
    res.on("close", () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  };

  const server = createServer(forward);
  // codex 0.171 falls back to HTTP at once on a 426 (on a 404 it retries
  // five times first). The proxy carries HTTP only.
  server.on("upgrade", (_req, socket: Duplex) =>
    refuseRaw(socket, "426 Upgrade Required", NO_UPGRADE),
  );
  server.on("connect", (_req, socket: Duplex) =>
    refuseRaw(socket, "405 Method Not Allowed", NO_UPGRADE),
  );
  await new Promise<void>((ready, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ready());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    placeholder,
    close() {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
        agent.destroy();
      });
      return closing;
    },
  };
}

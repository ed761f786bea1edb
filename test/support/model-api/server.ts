import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Action, Backend, RecordedRequest, Script } from "./script.js";

/** One HTTP request to the stand-in, for an adapter to answer. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The body parsed as JSON (undefined when it is not JSON). */
  body: unknown;
  /**
   * Records the request and says what the model answers: the script's
   * actions for a turn of the agent loop, a short plain answer for an
   * auxiliary request.
   */
  answer(
    parsed: Omit<
      RecordedRequest,
      "backend" | "method" | "path" | "headers" | "body"
    >,
  ): Action[];
}

/** Speaks one model API, as one agent CLI calls it. */
export interface Adapter {
  backend: Backend;
  matches(method: string, url: URL, req: IncomingMessage): boolean;
  handle(exchange: Exchange): Promise<void> | void;
}

/** Something the stand-in could not answer: a test should fail on it. */
export interface Unanswered {
  method: string;
  path: string;
  reason: string;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined)
      out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A local stand-in for the model APIs the agent CLIs call (Anthropic
 * Messages, OpenAI Responses, Gemini, …): each request is answered by the
 * adapter that speaks its API, with what the test's script says the model
 * does; every request is recorded for the test to assert on.
 */
export class ModelApi {
  readonly requests: RecordedRequest[] = [];
  readonly unanswered: Unanswered[] = [];
  private server: Server | undefined;
  private script: Script = () => [{ say: "Done." }];

  constructor(private readonly adapters: readonly Adapter[]) {}

  /** Says what the model answers from now on. */
  use(script: Script): void {
    this.script = script;
  }

  /** The requests of the agent loop (not the CLI's side requests). */
  turns(backend?: Backend): RecordedRequest[] {
    return this.requests.filter(
      (r) => !r.auxiliary && (backend === undefined || r.backend === backend),
    );
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error("the model API stand-in is not listening");
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        this.unanswered.push({
          method: req.method ?? "",
          path: req.url ?? "",
          reason:
            error instanceof Error
              ? (error.stack ?? error.message)
              : String(error),
        });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    // codex tries a Responses WebSocket first; refusing the upgrade makes it
    // fall back to HTTPS.
    server.on("upgrade", (req, socket) => {
      this.unanswered.push({
        method: req.method ?? "GET",
        path: req.url ?? "",
        reason: "websocket upgrade refused",
      });
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : undefined;
    } catch {
      body = undefined;
    }
    const adapter = this.adapters.find((a) => a.matches(method, url, req));
    if (!adapter) {
      this.unanswered.push({
        method,
        path: url.pathname + url.search,
        reason: "no adapter speaks this API",
      });
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    const headers = headersOf(req);
    await adapter.handle({
      req,
      res,
      url,
      body,
      answer: (parsed) => {
        const recorded: RecordedRequest = {
          ...parsed,
          backend: adapter.backend,
          method,
          path: url.pathname,
          headers,
          body,
        };
        this.requests.push(recorded);
        if (parsed.auxiliary) return [{ say: "OK" }];
        return this.script({
          backend: adapter.backend,
          turn: parsed.turn,
          request: recorded,
        });
      },
    });
  }
}

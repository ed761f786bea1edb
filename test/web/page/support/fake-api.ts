import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import {
  ControlResult,
  ErrorEnvelope,
  RunDetail,
  RunPage,
  type RunSummary,
  type SessionView,
} from "../../../../src/web/api/schemas.js";
import { servePage } from "../../../../src/web/page/serve-page.js";

/** A request the page sent to the API, as the server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

/** What a control POST answers: a run (200) or an error envelope. */
export type ControlAnswer =
  | { run: RunDetail }
  | { status: number; code: string; message: string };

const API = "/specwright/api/v1/";

/**
 * The dashboard's API as the page sees it, played by a test: the real
 * `servePage` for the page, fixtures for the JSON (checked against the
 * schemas on the way out), and an event stream the test drives.
 */
export class FakeApi {
  session: SessionView | null = null;
  runs: RunSummary[] = [];
  details = new Map<string, RunDetail>();
  /** "fail": the events endpoint answers 500, as a broken proxy might. */
  streamMode: "stream" | "fail" = "stream";
  controlAnswer: ControlAnswer | undefined;
  /** While set, control POSTs wait for it before answering. */
  controlHeld: Promise<void> | undefined;
  readonly requests: SeenRequest[] = [];
  readonly streams = new Set<ServerResponse>();
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) =>
      this.server.listen(0, "127.0.0.1", resolve),
    );
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const res of this.streams) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Forgets what earlier tests set up. */
  reset(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
    this.session = null;
    this.runs = [];
    this.details.clear();
    this.streamMode = "stream";
    this.controlAnswer = undefined;
    this.controlHeld = undefined;
    this.requests.length = 0;
  }

  /** The requests to one path: the API's without its /specwright/api/v1/. */
  seen(method: string, path: string): SeenRequest[] {
    const full = path.startsWith("/") ? path : API + path;
    return this.requests.filter((r) => r.method === method && r.path === full);
  }

  /** Sends one event to every open stream, as the API does. */
  sendEvent(name: string, id: string, data: unknown): void {
    for (const res of this.streams) {
      res.write(`event: ${name}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (await servePage(req, res, url)) return;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    this.requests.push({
      method: req.method ?? "",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text === "" ? undefined : JSON.parse(text),
    });
    if (url.pathname === "/specwright/auth/sign-out") {
      this.session = null;
      res.writeHead(204);
      res.end();
      return;
    }
    if (!url.pathname.startsWith(API)) {
      return fail(res, 404, "not_found", "No such page.");
    }
    const route = url.pathname.slice(API.length).split("/");
    if (route[0] === "session") {
      if (this.session) json(res, 200, this.session);
      else fail(res, 401, "unauthorized", "Sign in with GitHub first.");
      return;
    }
    if (route[0] !== "runs") return fail(res, 404, "not_found", "No route.");
    if (route.length === 1) return this.listRuns(url.searchParams, res);
    const run = this.details.get(decodeURIComponent(route[1] ?? ""));
    if (!run) return fail(res, 404, "not_found", "There is no such run.");
    if (route.length === 2) return json(res, 200, RunDetail.parse(run));
    if (route[2] === "events") return this.openStream(res);
    if (req.method === "POST") {
      await this.controlHeld;
      return this.answerControl(res);
    }
    fail(res, 404, "not_found", "No route.");
  }

  /** Filters like the real API; the cursor is an offset. */
  private listRuns(query: URLSearchParams, res: ServerResponse) {
    const by = query.get("requested_by");
    if (by !== null && !/^[A-Za-z0-9-]+$/.test(by)) {
      return fail(
        res,
        400,
        "bad_request",
        "Not a GitHub login.",
        "requested_by",
      );
    }
    const statuses = query.get("status")?.split(",");
    const after = query.get("created_after");
    const before = query.get("created_before");
    const rows = this.runs.filter(
      (run) =>
        (!query.get("repository") ||
          run.repository === query.get("repository")) &&
        (!statuses || statuses.includes(run.status)) &&
        (by === null || run.requested_by === by) &&
        (after === null || run.created_at >= after) &&
        (before === null || run.created_at < before),
    );
    const offset = Number(query.get("cursor") ?? "0");
    const limit = Number(query.get("limit") ?? "25");
    const more = offset + limit < rows.length;
    json(
      res,
      200,
      RunPage.parse({
        runs: rows.slice(offset, offset + limit),
        next_cursor: more ? String(offset + limit) : null,
        has_more: more,
      }),
    );
  }

  private openStream(res: ServerResponse) {
    if (this.streamMode === "fail") {
      return fail(res, 500, "internal", "The stream is broken.");
    }
    res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
    });
    res.write(": open\n\n");
    this.streams.add(res);
    res.on("close", () => this.streams.delete(res));
  }

  private answerControl(res: ServerResponse) {
    const answer = this.controlAnswer;
    if (!answer) return fail(res, 500, "internal", "No answer set.");
    if ("run" in answer) {
      json(res, 200, ControlResult.parse({ run: answer.run }));
    } else {
      fail(res, answer.status, answer.code, answer.message);
    }
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function fail(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  field?: string,
): void {
  json(
    res,
    status,
    ErrorEnvelope.parse({
      error: { code, message, ...(field ? { field } : {}) },
    }),
  );
}

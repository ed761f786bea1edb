import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CredentialProxy,
  startCredentialProxy,
} from "../../action/src/agents/proxy/credential-proxy.js";
import type { HeldKey } from "../../action/src/agents/proxy/swap-credential.js";

/**
 * The credential proxy against a local upstream (a plain node:http
 * server): what reaches the upstream, and what comes back to the agent.
 */

const KEY = "sk-real-upstream-key-0123456789";
const API_KEY: HeldKey = { location: { header: "x-api-key" }, value: KEY };
const BEARER: HeldKey = {
  location: { header: "authorization", scheme: "Bearer" },
  value: KEY,
};

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let upstream: Server | undefined;
let proxy: CredentialProxy | undefined;
const received: Received[] = [];

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  upstream?.closeAllConnections();
  await new Promise<void>((done) =>
    upstream ? upstream.close(() => done()) : done(),
  );
  upstream = undefined;
  received.length = 0;
});

/** An upstream that records each request (its body read whole, unless the handler reads it) and answers with `handle`. */
async function startUpstream(
  handle: Handler = (_req, res) => res.end("ok"),
  options: { readBody?: boolean } = {},
): Promise<string> {
  upstream = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    if (options.readBody !== false)
      for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    });
    handle(req, res);
  });
  await new Promise<void>((done) => upstream?.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
}

async function start(
  base: string,
  keys: readonly HeldKey[] = [API_KEY],
): Promise<CredentialProxy> {
  proxy = await startCredentialProxy({ upstream: base, keys });
  return proxy;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request to the proxy, its answer read whole. */
function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request(
      `${proxy?.url}${path}`,
      { method: options.method ?? "GET", headers: options.headers ?? {} },
      async (res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of res) chunks.push(chunk as Buffer);
        done({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      },
    );
    req.on("error", fail);
    req.end(options.body);
  });
}

/** Resolves with `value`, or fails after `ms` naming what did not happen. */
function within<T>(ms: number, what: string, value: Promise<T>): Promise<T> {
  return Promise.race([
    value,
    new Promise<T>((_, fail) =>
      setTimeout(() => fail(new Error(`${what} within ${ms} ms`)), ms),
    ),
  ]);
}

describe("startCredentialProxy: what reaches the upstream", () => {
  it("puts the real key where the placeholder was, sets host, joins the base path, keeps the query and body", async () => {
    const base = await startUpstream();
    const { placeholder } = await start(`${base}/api/v1/`);
    const answer = await send("/v1/messages?beta=true", {
      method: "POST",
      headers: {
        "x-api-key": placeholder,
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
      },
      body: '{"model":"m"}',
    });

    expect(answer).toMatchObject({ status: 200, body: "ok" });
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got).toMatchObject({
      method: "POST",
      url: "/api/v1/v1/messages?beta=true",
      body: '{"model":"m"}',
    });
    expect(got?.headers).toMatchObject({
      "x-api-key": KEY,
      host: new URL(base).host,
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      "accept-encoding": "identity",
    });
    expect(JSON.stringify(got?.headers)).not.toContain(placeholder);
  });

  it.each<[string, HeldKey, Record<string, string>, string]>([
    [
      "a bearer token (any case of the scheme)",
      BEARER,
      { authorization: "bearer PLACEHOLDER" },
      "/responses",
    ],
    [
      "a query parameter",
      { location: { query: "key" }, value: KEY },
      {},
      "/models/m:generateContent?alt=sse&key=PLACEHOLDER",
    ],
  ])("swaps %s", async (_name, key, headers, path) => {
    const base = await startUpstream();
    const { placeholder } = await start(base, [key]);
    const fill = (text: string) => text.replace("PLACEHOLDER", placeholder);
    const answer = await send(fill(path), {
      headers: Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name, fill(value)]),
      ),
    });

    expect(answer.status).toBe(200);
    const [got] = received;
    if ("query" in key.location) {
      expect(got?.url).toBe(`/models/m:generateContent?alt=sse&key=${KEY}`);
    } else {
      expect(got?.headers.authorization).toBe(`Bearer ${KEY}`);
    }
    expect(JSON.stringify(got)).not.toContain(placeholder);
  });

  it("drops hop-by-hop headers, and those `connection` names", async () => {
    const base = await startUpstream();
    const { placeholder } = await start(base);
    await send("/x", {
      headers: {
        "x-api-key": placeholder,
        connection: "keep-alive, x-hop",
        "keep-alive": "timeout=5",
        "x-hop": "one hop only",
        te: "trailers",
        "proxy-authorization": "Basic c2VjcmV0",
        "x-end-to-end": "kept",
      },
    });

    const headers = received[0]?.headers ?? {};
    expect(headers["x-end-to-end"]).toBe("kept");
    for (const name of ["x-hop", "keep-alive", "te", "proxy-authorization"])
      expect(headers).not.toHaveProperty(name);
  });
});

describe("startCredentialProxy: who it answers", () => {
  it.each<[string, (placeholder: string) => Record<string, string>]>([
    ["no credential", () => ({})],
    ["another credential", () => ({ "x-api-key": "sk-someone-else" })],
    ["the placeholder with more", (p) => ({ "x-api-key": `${p}x` })],
    ["the placeholder without its scheme", (p) => ({ authorization: p })],
    [
      "the placeholder and more after its scheme",
      (p) => ({ authorization: `Bearer ${p} more` }),
    ],
    ["the placeholder where no key goes", (p) => ({ "x-goog-api-key": p })],
  ])(
    "refuses a request with %s: 401, plain, upstream untouched",
    async (_name, headers) => {
      const base = await startUpstream();
      const { placeholder } = await start(base, [API_KEY, BEARER]);
      const answer = await send("/v1/messages", {
        method: "POST",
        headers: headers(placeholder),
        body: "{}",
      });

      expect(answer.status).toBe(401);
      expect(answer.headers).toMatchObject({
        "content-type": "text/plain; charset=utf-8",
        "x-should-retry": "false",
      });
      expect(answer.body).toContain("did not carry its placeholder credential");
      expect(answer.body).not.toContain(KEY);
      expect(received).toEqual([]);
    },
  );

  it("makes a fresh random placeholder per proxy, unless given one", async () => {
    const base = await startUpstream();
    const first = await startCredentialProxy({ upstream: base, keys: [] });
    const second = await startCredentialProxy({ upstream: base, keys: [] });
    const given = await startCredentialProxy({
      upstream: base,
      keys: [],
      placeholder: "chosen",
    });
    await Promise.all([first.close(), second.close(), given.close()]);

    expect(first.placeholder).toMatch(/^specwright-proxy-[\w-]{32}$/);
    expect(second.placeholder).not.toBe(first.placeholder);
    expect(given.placeholder).toBe("chosen");
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("refuses a WebSocket upgrade with a plain HTTP answer, so the client falls back", async () => {
    const base = await startUpstream();
    const { placeholder } = await start(base);
    const answer = await new Promise<{ status: number; body: string }>(
      (done, fail) => {
        const req = request(`${proxy?.url}/responses`, {
          headers: {
            "x-api-key": placeholder,
            connection: "Upgrade",
            upgrade: "websocket",
            "sec-websocket-version": "13",
            "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
          },
        });
        req.on("upgrade", () => fail(new Error("the upgrade went through")));
        req.on("response", async (res) => {
          let body = "";
          for await (const chunk of res) body += String(chunk);
          done({ status: res.statusCode ?? 0, body });
        });
        req.on("error", fail);
        req.end();
      },
    );

    expect(answer.status).toBe(426);
    expect(answer.body).toContain("does not carry WebSockets");
    expect(received).toEqual([]);
  });

  it("stops answering once closed", async () => {
    const base = await startUpstream();
    const { placeholder } = await start(base);
    await proxy?.close();
    await expect(
      send("/x", { headers: { "x-api-key": placeholder } }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe("startCredentialProxy: streaming", () => {
  it("streams server-sent events as they come: the first arrives before the upstream ends", async () => {
    let release = () => {};
    const released = new Promise<void>((done) => {
      release = done;
    });
    const base = await startUpstream((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: one\ndata: {}\n\n");
      void released.then(() => res.end("event: two\ndata: {}\n\n"));
    });
    const { placeholder } = await start(base);
    const chunks: string[] = [];
    let first = () => {};
    const firstArrived = new Promise<void>((done) => {
      first = done;
    });
    const ended = new Promise<number>((done, fail) => {
      const req = request(`${proxy?.url}/v1/messages`, {
        headers: { "x-api-key": placeholder },
      });
      req.on("response", (res) => {
        res.on("data", (chunk) => {
          chunks.push(String(chunk));
          first();
        });
        res.on("end", () => done(res.statusCode ?? 0));
      });
      req.on("error", fail);
      req.end();
    });

    await within(
      5_000,
      "no event arrived before the upstream ended",
      firstArrived,
    );
    expect(chunks.join("")).toBe("event: one\ndata: {}\n\n");
    release();
    expect(await ended).toBe(200);
    expect(chunks.join("")).toBe(
      "event: one\ndata: {}\n\nevent: two\ndata: {}\n\n",
    );
  });

  it("streams the request body: the upstream reads its start before the agent has sent the rest", async () => {
    let startRead = (_text: string) => {};
    const startArrived = new Promise<string>((done) => {
      startRead = done;
    });
    const base = await startUpstream(
      async (req, res) => {
        let body = "";
        for await (const chunk of req) {
          body += String(chunk);
          startRead(body);
        }
        res.end(`got ${body.length} bytes`);
      },
      { readBody: false },
    );
    const { placeholder } = await start(base);
    const answer = new Promise<string>((done, fail) => {
      const req = request(`${proxy?.url}/upload`, {
        method: "POST",
        headers: { "x-api-key": placeholder },
      });
      req.on("response", async (res) => {
        let body = "";
        for await (const chunk of res) body += String(chunk);
        done(body);
      });
      req.on("error", fail);
      req.write("first part;");
      void within(
        5_000,
        "the upstream saw nothing before the body ended",
        startArrived,
      ).then(
        () => req.end("second part"),
        (error: unknown) => {
          req.destroy();
          fail(error);
        },
      );
    });

    expect(await startArrived).toBe("first part;");
    expect(await answer).toBe("got 22 bytes");
  });

  it.each([
    ["before the upstream answers", false],
    ["mid-answer", true],
  ])(
    "ends the upstream request when the agent hangs up %s",
    async (_when, answers) => {
      let upstreamClosed = () => {};
      const closed = new Promise<void>((done) => {
        upstreamClosed = done;
      });
      let arrived = () => {};
      const requestArrived = new Promise<void>((done) => {
        arrived = done;
      });
      const base = await startUpstream((_req, res) => {
        res.on("close", upstreamClosed);
        arrived();
        if (!answers) return;
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("event: one\n\n");
      });
      const { placeholder } = await start(base);
      const req = request(`${proxy?.url}/stream`, {
        headers: { "x-api-key": placeholder },
      });
      req.on("error", () => {});
      const hangUp = () => req.destroy();
      if (answers) req.on("response", (res) => res.once("data", hangUp));
      else void requestArrived.then(hangUp);
      req.end();

      await within(5_000, "the upstream request was not ended", closed);
    },
  );
});

describe("startCredentialProxy: the key never comes back", () => {
  it("masks the key in a streamed answer and its headers, keeping content-length", async () => {
    const base = await startUpstream((req, res) => {
      const echo = `you sent ${String(req.headers["x-api-key"])}`;
      res.writeHead(200, {
        "content-length": Buffer.byteLength(echo),
        "x-echo": String(req.headers["x-api-key"]),
      });
      res.end(echo);
    });
    const { placeholder } = await start(base);
    const answer = await send("/echo", {
      headers: { "x-api-key": placeholder },
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toBe(`you sent ${"*".repeat(KEY.length)}`);
    expect(answer.headers["content-length"]).toBe(String(answer.body.length));
    expect(answer.headers["x-echo"]).toBe("***");
    expect(JSON.stringify(answer)).not.toContain(KEY);
  });

  it("passes the upstream's error through, status, message and headers, with the key masked however the body was split", async () => {
    const base = await startUpstream((req, res) => {
      const key = String(req.headers["x-api-key"]);
      res.writeHead(401, "Unauthorized Here", {
        "content-type": "application/json",
        "x-should-retry": "false",
        "request-id": "req_123",
      });
      res.write(
        `{"error":{"message":"Incorrect API key provided: ${key.slice(0, 10)}`,
      );
      setTimeout(() => res.end(`${key.slice(10)}."}}`), 20);
    });
    const { placeholder } = await start(base);
    const answer = await new Promise<Answer & { message: string }>(
      (done, fail) => {
        const req = request(`${proxy?.url}/v1/messages`, {
          method: "POST",
          headers: { "x-api-key": placeholder },
        });
        req.on("response", async (res) => {
          let body = "";
          for await (const chunk of res) body += String(chunk);
          done({
            status: res.statusCode ?? 0,
            message: res.statusMessage ?? "",
            headers: res.headers,
            body,
          });
        });
        req.on("error", fail);
        req.end("{}");
      },
    );

    expect(answer.status).toBe(401);
    expect(answer.message).toBe("Unauthorized Here");
    expect(answer.headers).toMatchObject({
      "x-should-retry": "false",
      "request-id": "req_123",
      "content-length": String(Buffer.byteLength(answer.body)),
    });
    expect(answer.body).toBe(
      '{"error":{"message":"Incorrect API key provided: ***."}}',
    );
  });

  it("decodes an error the upstream compressed anyway, and masks it", async () => {
    const base = await startUpstream((req, res) => {
      res.writeHead(400, { "content-encoding": "gzip" });
      res.end(gzipSync(`bad key ${String(req.headers.authorization)}`));
    });
    const { placeholder } = await start(base, [BEARER]);
    const answer = await send("/x", {
      headers: { authorization: `Bearer ${placeholder}` },
    });

    expect(answer.status).toBe(400);
    expect(answer.headers).not.toHaveProperty("content-encoding");
    expect(answer.body).toBe("bad key Bearer ***");
  });

  it("passes a HEAD error through as it is: no body to read, its length kept", async () => {
    const base = await startUpstream((_req, res) => {
      res.writeHead(404, { "content-length": "20" });
      res.end();
    });
    const { placeholder } = await start(base);
    const answer = await send("/", {
      method: "HEAD",
      headers: { "x-api-key": placeholder },
    });

    expect(answer.status).toBe(404);
    expect(answer.headers["content-length"]).toBe("20");
    expect(answer.body).toBe("");
  });

  it("answers 502, plainly, when the upstream cannot be reached", async () => {
    const base = await startUpstream();
    upstream?.close();
    const { placeholder } = await start(`${base}/v1`);
    const answer = await send("/x", { headers: { "x-api-key": placeholder } });

    expect(answer.status).toBe(502);
    expect(answer.body).toContain(
      `the credential proxy could not reach ${base}`,
    );
    expect(answer.body).not.toContain(KEY);
  });
});

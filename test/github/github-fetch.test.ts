import { once } from "node:events";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createGitHubFetch } from "../../src/github/github-fetch.js";
import { specwrightOctokit } from "../../src/github/specwright-octokit.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

type Reply = (request: Seen, response: ServerResponse) => void;

const servers: Server[] = [];

/** A real HTTP server on a free port: what it was sent, and its answers. */
async function serve(reply: Reply): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const entry = {
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    seen.push(entry);
    reply(entry, response);
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

const json = (status: number, body: unknown, headers = {}) =>
  ((_: Seen, response: ServerResponse) => {
    response.writeHead(status, {
      "content-type": "application/json",
      ...headers,
    });
    response.end(JSON.stringify(body));
  }) satisfies Reply;

describe("createGitHubFetch", () => {
  it("sends the method, headers and body as given, and reads the answer as fetch would", async () => {
    const api = await serve((_, response) => {
      response.setHeader("X-RateLimit-Remaining", "4999");
      response.setHeader("Content-Type", "application/json; charset=utf-8");
      response.setHeader("Link", ["<a>; rel=next", "<b>; rel=last"]);
      response.writeHead(201);
      response.end('{"id":7}');
    });
    const fetch = createGitHubFetch();

    const response = await fetch(
      `${api.url}/repos/acme/web/issues?per_page=1`,
      {
        method: "POST",
        headers: {
          authorization: "token t",
          "content-type": "application/json",
        },
        body: '{"title":"x"}',
      },
    );

    expect(api.seen).toMatchObject([
      {
        method: "POST",
        url: "/repos/acme/web/issues?per_page=1",
        headers: { authorization: "token t", "content-length": "13" },
        body: '{"title":"x"}',
      },
    ]);
    expect(response.status).toBe(201);
    expect(response.statusText).toBe("Created");
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${api.url}/repos/acme/web/issues?per_page=1`);
    expect(response.headers.get("X-RATELIMIT-REMAINING")).toBe("4999");
    expect(response.headers.get("link")).toBe("<a>; rel=next, <b>; rel=last");
    expect(response.headers.has("etag")).toBe(false);
    const names = [...response.headers].map(([name]) => name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain("x-ratelimit-remaining");
    expect(await response.json()).toEqual({ id: 7 });
  });

  it("follows a redirect to another origin without the token, as fetch does", async () => {
    const blob = await serve((_, response) => response.end("zip bytes"));
    const api = await serve((_, response) => {
      response.writeHead(302, { location: `${blob.url}/artifact.zip?sig=1` });
      response.end();
    });
    const fetch = createGitHubFetch();

    const response = await fetch(
      `${api.url}/repos/acme/web/actions/artifacts/1/zip`,
      {
        method: "GET",
        headers: {
          authorization: "token secret",
          accept: "application/vnd.github+json",
        },
      },
    );

    expect(await response.text()).toBe("zip bytes");
    expect(response.url).toBe(`${blob.url}/artifact.zip?sig=1`);
    expect(blob.seen).toHaveLength(1);
    expect(blob.seen[0]?.headers.authorization).toBeUndefined();
    expect(blob.seen[0]?.headers.accept).toBe("application/vnd.github+json");
  });

  it("keeps the token on a redirect within the origin, and turns a 303 after a POST into a GET", async () => {
    const api = await serve((request, response) => {
      if (request.url === "/old") {
        response.writeHead(303, { location: "/new" });
        response.end();
      } else json(200, { moved: true })(request, response);
    });
    const fetch = createGitHubFetch();

    const response = await fetch(`${api.url}/old`, {
      method: "POST",
      headers: { authorization: "token t", "content-type": "application/json" },
      body: "{}",
    });

    expect(await response.json()).toEqual({ moved: true });
    expect(api.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ["POST", "/old", "{}"],
      ["GET", "/new", ""],
    ]);
    expect(api.seen[1]?.headers.authorization).toBe("token t");
    expect(api.seen[1]?.headers["content-type"]).toBeUndefined();
  });

  it("hands back a redirect with redirect: manual, and refuses one with redirect: error", async () => {
    const api = await serve((_, response) => {
      response.writeHead(301, { location: "/elsewhere" });
      response.end();
    });
    const fetch = createGitHubFetch();

    const manual = await fetch(`${api.url}/x`, { redirect: "manual" });
    expect(manual.status).toBe(301);
    expect(manual.headers.get("location")).toBe("/elsewhere");

    await expect(fetch(`${api.url}/x`, { redirect: "error" })).rejects.toThrow(
      expect.objectContaining({
        name: "TypeError",
        message: "fetch failed",
        cause: expect.objectContaining({
          message: expect.stringContaining('redirect: "error"'),
        }),
      }),
    );
    expect(api.seen.map((s) => s.url)).toEqual(["/x", "/x"]);
  });

  it("fails as fetch fails: a TypeError with the cause when nothing answers, an AbortError when aborted", async () => {
    const fetch = createGitHubFetch();
    const closed = await serve(() => undefined);
    servers[0]?.close();
    servers[0]?.closeAllConnections();
    await expect(fetch(`${closed.url}/x`)).rejects.toMatchObject({
      name: "TypeError",
      message: "fetch failed",
      cause: expect.objectContaining({ code: "ECONNREFUSED" }),
    });

    const slow = await serve(() => undefined);
    const controller = new AbortController();
    const pending = fetch(`${slow.url}/x`, { signal: controller.signal });
    await vi.waitFor(() => expect(slow.seen).toHaveLength(1));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("leaves a streamed body to Node's fetch", async () => {
    const fallback = vi.fn(async () => new Response("from fetch"));
    const fetch = createGitHubFetch({ fallback });
    const body = Readable.toWeb(Readable.from(["a"]));

    const response = await fetch("http://127.0.0.1:1/upload", {
      method: "POST",
      body,
      duplex: "half",
    });

    expect(await response.text()).toBe("from fetch");
    expect(fallback).toHaveBeenCalledWith("http://127.0.0.1:1/upload", {
      method: "POST",
      body,
      duplex: "half",
    });
  });
});

describe("Specwright's Octokit over createGitHubFetch", () => {
  const client = (baseUrl: string) =>
    new (specwrightOctokit({ fetch: createGitHubFetch() }))({
      auth: "token t",
      baseUrl,
      retry: { enabled: false },
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });

  it("reads data, headers and errors as over Node's fetch", async () => {
    const api = await serve((request, response) => {
      if (request.url === "/repos/acme/web") {
        json(
          200,
          { full_name: "acme/web", id: 2 ** 40 },
          { etag: '"e"' },
        )(request, response);
      } else
        json(404, { message: "Not Found", documentation_url: "d" })(
          request,
          response,
        );
    });
    const octokit = client(api.url);

    const { data, headers, status } = await octokit.rest.repos.get({
      owner: "acme",
      repo: "web",
    });
    expect(status).toBe(200);
    expect(data).toMatchObject({ full_name: "acme/web", id: 2 ** 40 });
    expect(headers.etag).toBe('"e"');
    await expect(
      octokit.rest.repos.get({ owner: "acme", repo: "gone" }),
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: "Not Found" } },
    });
    expect(api.seen[0]?.headers).toMatchObject({
      accept: "application/vnd.github.v3+json",
      "user-agent": expect.stringMatching(/^specwright /),
    });
  });

  it("hands back the body as a stream when asked not to parse it", async () => {
    const api = await serve((_, response) => {
      response.writeHead(200, { "content-type": "application/zip" });
      response.end(Buffer.from([1, 2, 3]));
    });
    const octokit = client(api.url);

    const { data } = await octokit.request("GET /bundle", {
      request: { parseSuccessResponseBody: false },
    });
    const stream = data as unknown as ReadableStream<Uint8Array>;
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it("answers a request that got no answer with a status 500, as Octokit does over fetch", async () => {
    const octokit = client("http://127.0.0.1:1");
    await expect(octokit.request("GET /x")).rejects.toMatchObject({
      status: 500,
      message: expect.stringContaining("ECONNREFUSED"),
    });
  });
});

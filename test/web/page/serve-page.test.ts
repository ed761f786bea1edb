import {
  createServer,
  type IncomingHttpHeaders,
  request,
  type Server,
} from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  renderDashboardOff,
  servePage,
} from "../../../src/web/page/serve-page.js";

const CSP =
  "default-src 'self'; img-src 'self' https://avatars.githubusercontent.com data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    servePage(req, res, url).then((served) => {
      if (served) return;
      res.writeHead(418, { "X-Not-Page": "1" });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** A raw request: the path goes out exactly as written (no normalising). */
function get(
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function expectSecurityHeaders(headers: IncomingHttpHeaders): void {
  expect(headers["content-security-policy"]).toBe(CSP);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("same-origin");
}

/** The versioned folder index.html points at. */
async function assetBase(): Promise<string> {
  const { body } = await get("/specwright/");
  const match = /href="(\/specwright\/assets\/[0-9a-f]{12}\/)style\.css"/.exec(
    body,
  );
  if (!match?.[1]) throw new Error(`no versioned stylesheet link in ${body}`);
  return match[1];
}

describe("servePage", () => {
  it.each([
    "/specwright/",
    "/specwright/runs/0b7c2e1a-3d4f-4c1e-9a8b-1234567890ab",
    "/specwright/?status=failed",
  ])(
    "answers %s with the page, not cached, with the security headers",
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.headers["cache-control"]).toBe("no-cache");
      expectSecurityHeaders(res.headers);
      expect(res.body).toContain('<main id="main"');
      expect(res.body).toMatch(
        /<script type="module" src="\/specwright\/assets\/[0-9a-f]{12}\/main\.js">/,
      );
      expect(res.body).not.toContain("%ASSETS%");
      // No inline script or style for the policy to refuse.
      expect(res.body).not.toMatch(
        /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=/,
      );
    },
  );

  it.each([
    ["main.js", "text/javascript; charset=utf-8"],
    ["run-page.js", "text/javascript; charset=utf-8"],
    ["style.css", "text/css; charset=utf-8"],
    ["favicon.svg", "image/svg+xml"],
  ])(
    "serves %s as %s, cached for good under the current version",
    async (name, type) => {
      const res = await get(`${await assetBase()}${name}`);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe(type);
      expect(res.headers["cache-control"]).toBe(
        "public, max-age=31536000, immutable",
      );
      expectSecurityHeaders(res.headers);
    },
  );

  it("serves an asset without a version (or an old one) but revalidated, and answers 304 to its ETag", async () => {
    const plain = await get("/specwright/assets/style.css");
    expect(plain.status).toBe(200);
    expect(plain.headers["cache-control"]).toBe("no-cache");
    const old = await get("/specwright/assets/000000000000/style.css");
    expect(old.headers["cache-control"]).toBe("no-cache");
    expect(old.body).toBe(plain.body);
    const again = await get("/specwright/assets/style.css", {
      headers: { "If-None-Match": plain.headers.etag ?? "" },
    });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
    expectSecurityHeaders(again.headers);
  });

  it("answers HEAD with the headers and no body", async () => {
    const res = await get("/specwright/assets/main.js", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(res.body).toBe("");
  });

  it("refuses other methods with 405", async () => {
    const res = await get("/specwright/", { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET, HEAD");
    expectSecurityHeaders(res.headers);
  });

  it.each([
    "/specwright/assets/nope.js",
    "/specwright/assets/index.html",
    "/specwright/assets/serve-page.ts",
    "/specwright/assets/..%2Fserve-page.ts",
    "/specwright/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json",
    "/specwright/assets/..%5C..%5Cpackage.json",
    "/specwright/assets/style.css%00.js",
    "/specwright/assets/.style.css",
  ])("answers 404 for %s", async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(res.body).toBe("Not found.\n");
    expectSecurityHeaders(res.headers);
  });

  it.each([
    "/specwright/assets/../../package.json",
    "/specwright/api/v1/runs",
    "/specwright/auth/sign-in",
    "/specwright/runs/a/b",
    "/specwright/runs/",
    "/elsewhere",
  ])("leaves %s to the caller", async (path) => {
    const res = await get(path);
    expect(res.status).toBe(418);
  });

  it("sends /specwright to /specwright/, keeping the query", async () => {
    const res = await get("/specwright?status=failed");
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe("/specwright/?status=failed");
  });
});

describe("renderDashboardOff", () => {
  it("says the dashboard is off in the caller's words, escaped, with no script", () => {
    const html = renderDashboardOff(
      "Set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET <from the App's settings> & restart.",
    );
    expect(html).toContain("<h1>The Specwright dashboard is off</h1>");
    expect(html).toContain(
      "Set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET &lt;from the App&#39;s settings&gt; &amp; restart.",
    );
    expect(html).toContain(
      '<link rel="stylesheet" href="/specwright/assets/style.css">',
    );
    expect(html).not.toMatch(/<script|\sstyle=/);
  });
});

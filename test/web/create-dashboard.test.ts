import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createDashboard } from "../../src/web/create-dashboard.js";

let server: Server | undefined;

afterEach(async () => {
  await new Promise((done) => server?.close(done) ?? done(undefined));
});

async function serveOff(problem: string): Promise<string> {
  const handler = createDashboard(
    { off: problem },
    {
      warn: () => {},
      error: () => {},
    },
  );
  const http = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(418);
        res.end();
      }
    });
  });
  server = http;
  await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

describe("the dashboard without sign-in configured", () => {
  const problem =
    "The dashboard is off: GITHUB_CLIENT_ID is not set. <Set it>, and restart.";

  it("says how to turn it on: the page, as escaped text under the page's policy", async () => {
    const url = await serveOff(problem);
    const page = await fetch(`${url}/specwright/`);
    expect(page.status).toBe(503);
    expect(page.headers.get("content-security-policy")).toContain(
      "default-src 'self'",
    );
    const html = await page.text();
    expect(html).toContain("GITHUB_CLIENT_ID is not set. &lt;Set it&gt;");
    expect(html).not.toContain("<Set it>");
  });

  it("the API answers 503 in its envelope, and shows no run", async () => {
    const url = await serveOff(problem);
    const api = await fetch(`${url}/specwright/api/v1/runs`);
    expect(api.status).toBe(503);
    expect(await api.json()).toEqual({
      error: { code: "dashboard_off", message: problem },
    });
  });

  it("leaves every other path to Probot", async () => {
    const url = await serveOff(problem);
    expect((await fetch(`${url}/api/github/webhooks`)).status).toBe(418);
    expect((await fetch(`${url}/specwrightish`)).status).toBe(418);
    const bare = await fetch(`${url}/specwright?x=1`, { redirect: "manual" });
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe("/specwright/?x=1");
  });
});

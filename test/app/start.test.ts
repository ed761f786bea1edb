import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === "object" && address ? address.port : 0),
      );
    });
  });
}

let child: ChildProcess | undefined;

afterEach(() => {
  // npm's whole process group: the App is its grandchild, and outlives npm.
  if (child?.pid !== undefined) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  child = undefined;
});

describe("npm start", () => {
  it("serves Probot's setup page, with the manifest from app.yml, when there are no credentials", async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      NO_SMEE_SETUP: "true",
      LOG_LEVEL: "warn",
    };
    for (const name of [
      "APP_ID",
      "PRIVATE_KEY",
      "PRIVATE_KEY_PATH",
      "WEBHOOK_SECRET",
      "NODE_ENV",
    ])
      delete env[name];
    child = spawn("npm", ["start", "--silent"], {
      env,
      stdio: "ignore",
      detached: true,
    });

    let html = "";
    for (let i = 0; i < 100 && html === ""; i++) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/probot`);
        html = await response.text();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(html).toContain("Setup specwright | built with Probot");
    // The registration form posts app.yml's manifest to GitHub.
    const value = /name="manifest"[^>]*value='([^']*)'/.exec(html)?.[1] ?? "{}";
    const manifest = JSON.parse(value) as {
      name?: string;
      default_events?: string[];
      default_permissions?: Record<string, string>;
    };
    expect(manifest.name).toBe("Specwright");
    expect(manifest.default_events).toEqual([
      "issue_comment",
      "issues",
      "pull_request",
      "check_run",
      "workflow_run",
      "workflow_job",
    ]);
    expect(manifest.default_permissions).toMatchObject({
      contents: "write",
      actions: "write",
      checks: "write",
    });
  }, 20_000);
});

// The processes `npm run bench:probot` replays deliveries into (Specwright's
// App or the bare Probot app), and how it measures what they spend.
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP_ID } from "../test/support/e2e-world.js";

const SECRET = "bench-probot-secret";

/** CPU seconds (user + system) a process has used, from /proc. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        done(typeof address === "object" && address ? address.port : 0),
      );
    });
  });
}

/** Starts one app process: Specwright's `src/main.ts` or the bare app. */
async function startTarget(
  entry: string,
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const port = await freePort();
  const key = await readFile("test/fixtures/mock-cert.pem", "utf8");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    APP_ID: String(APP_ID),
    PRIVATE_KEY: key,
    WEBHOOK_SECRET: SECRET,
    // No GitHub: a request would fail, and show in the log.
    GHE_HOST: "127.0.0.1:9",
    GHE_PROTOCOL: "http",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    NO_SMEE_SETUP: "true",
    NODE_ENV: "production",
    SPECWRIGHT_DATA_DIR: dataDir,
    // No sweeps during the replay: the reconciler would ask GitHub.
    SPECWRIGHT_RECONCILE_INTERVAL: "86400",
    SPECWRIGHT_GITHUB_THROTTLE: "off",
  };
  if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) {
      throw new Error(`${entry} exited (${child.exitCode}):\n${log}`);
    }
    try {
      if ((await fetch(`${url}/ping`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (i > 1200) throw new Error(`${entry} did not start:\n${log}`);
    await new Promise((done) => setTimeout(done, 50));
  }
  return { child, url, log: () => log };
}

/** Sends one delivery, signed, under a new delivery id; fails on a non-2xx. */
async function deliver(url: string, event: string, body: string) {
  const signature = createHmac("sha256", SECRET).update(body).digest("hex");
  const response = await fetch(`${url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${signature}`,
    },
    body,
  });
  await response.arrayBuffer();
  if (!response.ok) {
    throw new Error(`the ${event} delivery got HTTP ${response.status}`);
  }
}

export interface Target {
  name: string;
  pid: number;
  url: string;
  child: ChildProcess;
  dataDir: string;
  log: () => string;
}

export async function start(entry: string): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), "specwright-bench-probot-"));
  const { child, url, log } = await startTarget(entry, dataDir);
  if (child.pid === undefined) throw new Error(`${entry} has no process id`);
  return { name: entry, pid: child.pid, url, child, dataDir, log };
}

export async function stop(target: Target): Promise<void> {
  const exited = new Promise((done) => target.child.once("exit", done));
  target.child.kill("SIGKILL");
  await exited;
  await rm(target.dataDir, { recursive: true, force: true });
}

/** CPU seconds `target` spends on `count` deliveries of one kind. */
export async function measure(
  target: Target,
  list: readonly { event: string; body: string }[],
  count: number,
): Promise<number> {
  const before = await cpuSeconds(target.pid);
  for (let i = 0; i < count; i++) {
    const one = list[i % list.length];
    if (one !== undefined) await deliver(target.url, one.event, one.body);
  }
  return (await cpuSeconds(target.pid)) - before;
}

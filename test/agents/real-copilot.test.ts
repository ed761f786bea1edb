import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { copilotAdapter } from "../support/model-api/copilot.js";
import {
  chownTree,
  ownedTempDir,
  runCli,
  runnerUser,
  type UserIds,
} from "../support/model-api/run-cli.js";
import { type Script, USAGE_PER_ANSWER } from "../support/model-api/script.js";
import { type Adapter, ModelApi } from "../support/model-api/server.js";
import { SPEC_KIT_FIXTURES } from "../support/spec-kit-fixtures.js";

/**
 * The real GitHub Copilot CLI (@github/copilot 1.0.102) against the local
 * model-API stand-in, in its bring-your-own-key offline mode:
 * `COPILOT_OFFLINE=true` + `COPILOT_PROVIDER_BASE_URL` make it skip GitHub
 * authentication, telemetry and updates and call OpenAI Chat Completions at
 * the given base URL. A proxy trap catches anything it would send elsewhere.
 *
 * Set CAPTURE_AGENT_OUTPUT=1 to rewrite test/fixtures/agent-output/copilot.*
 * from these runs.
 */

const SPEC_KIT = SPEC_KIT_FIXTURES;
const FIXTURES = resolve("test/fixtures/agent-output");
const CAPTURE = process.env.CAPTURE_AGENT_OUTPUT === "1";
const KEY = "sk-standin-copilot-4f2a";
const MODEL = "gpt-4.1";
const user = runnerUser();
const temps: string[] = [];

/** Every connection copilot tries to open through a proxy (it must not). */
class ProxyTrap {
  readonly attempts: string[] = [];
  private server: Server | undefined;
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error("the proxy trap is not listening");
    return `http://127.0.0.1:${address.port}`;
  }
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.attempts.push(`${req.method ?? "?"} ${req.url ?? ""}`);
      res.writeHead(403);
      res.end();
    });
    server.on("connect", (req, socket) => {
      this.attempts.push(`CONNECT ${req.url ?? ""}`);
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    this.server = server;
  }
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
}

let cache = "";
const trap = new ProxyTrap();
let api: ModelApi;

beforeAll(async () => {
  // copilot unpacks ~235 MB of its own code into its package cache on first
  // start; one cache for the whole file keeps that to a single unpack.
  cache = await ownedTempDir("copilot-cache-", user);
  temps.push(cache);
  await trap.start();
  if (CAPTURE && !existsSync(FIXTURES))
    await mkdir(FIXTURES, { recursive: true });
});

afterAll(async () => {
  await trap.stop();
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await api?.stop();
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    "git",
    [
      "-c",
      "safe.directory=*",
      "-c",
      "user.name=Specwright Test",
      "-c",
      "user.email=test@example.invalid",
      ...args,
    ],
    { cwd, encoding: "utf8" },
  );
}

/** A git repository with one commit, laid out from a Spec Kit fixture. */
async function checkout(
  layout: "copilot" | "copilot-cmd" | null,
  owner: UserIds | undefined,
): Promise<string> {
  const repo = await ownedTempDir("copilot-repo-");
  temps.push(repo);
  if (layout) cpSync(join(SPEC_KIT, layout), repo, { recursive: true });
  git(repo, "init", "-q", "-b", "main");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "--allow-empty", "-m", "Spec Kit layout");
  chownTree(repo, owner);
  return repo;
}

async function home(owner: UserIds | undefined): Promise<string> {
  const dir = await ownedTempDir("copilot-home-", owner);
  temps.push(dir);
  return dir;
}

/** What the test sets: BYOK offline mode pointed at the stand-in. */
function copilotEnv(homeDir: string): NodeJS.ProcessEnv {
  return {
    HOME: homeDir,
    COPILOT_PKG_CACHE_HOME: cache,
    COPILOT_OFFLINE: "true",
    COPILOT_PROVIDER_BASE_URL: `${api.url}/v1`,
    COPILOT_PROVIDER_API_KEY: KEY,
    COPILOT_AUTO_UPDATE: "false",
    HTTPS_PROXY: trap.url,
    HTTP_PROXY: trap.url,
    NO_PROXY: "127.0.0.1,localhost",
  };
}

async function standIn(script: Script, adapter: Adapter = copilotAdapter) {
  api = await new ModelApi([adapter]).start();
  api.use(script);
  return api;
}

/** A stand-in that refuses every request with `status`. */
function failing(status: 401 | 500): Adapter {
  return {
    ...copilotAdapter,
    handle(exchange) {
      const header = exchange.req.headers.authorization ?? "";
      exchange.answer({
        api: "openai-chat",
        credential: header.replace(/^Bearer\s+/i, "") || null,
        model: (exchange.body as { model?: string } | undefined)?.model ?? null,
        stream: true,
        text: "",
        tools: [],
        turn: 0,
        auxiliary: true,
      });
      exchange.res.writeHead(status, { "content-type": "application/json" });
      exchange.res.end(
        JSON.stringify(
          status === 401
            ? {
                error: {
                  message: "Incorrect API key provided.",
                  type: "invalid_request_error",
                  code: "invalid_api_key",
                },
              }
            : {
                error: {
                  message: "The server had an error processing your request.",
                  type: "server_error",
                  code: null,
                },
              },
        ),
      );
    },
  };
}

interface Event {
  type: string;
  data?: Record<string, unknown>;
  exitCode?: number;
  usage?: Record<string, unknown>;
}

function events(stdout: string): Event[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Event);
}

function capture(name: string, content: string): void {
  if (CAPTURE) writeFileSync(join(FIXTURES, `copilot.${name}`), content);
}

/** A sentence of a Spec Kit file, checked to be in that file. */
function sentenceOf(file: string, sentence: string): string {
  expect(readFileSync(join(SPEC_KIT, file), "utf8")).toContain(sentence);
  return sentence;
}

describe("real copilot CLI against the model-API stand-in", () => {
  it("loads a Spec Kit skill with its skill tool, writes, edits and runs a command (skills layout, JSONL output)", {
    timeout: 120_000,
  }, async () => {
    const skillSentence = sentenceOf(
      "copilot/.github/skills/speckit-specify/SKILL.md",
      "The text the user typed after `/speckit-specify` in the triggering message **is** the feature description.",
    );
    await standIn(({ turn }) => {
      if (turn === 0) return [{ skill: "speckit-specify" }];
      if (turn === 1)
        return [
          { write: "feature.md", content: "# Feature\n\nStatus: draft\n" },
          { shell: "git rev-parse --abbrev-ref HEAD > shell-ran.txt" },
        ];
      if (turn === 2)
        return [
          {
            edit: "feature.md",
            find: "Status: draft",
            replace: "Status: ready",
          },
        ];
      return [{ say: "Specification written." }];
    });
    const repo = await checkout("copilot", user);
    const homeDir = await home(user);
    const usageFile = join(homeDir, "usage.json");
    const started = Date.now();
    const run = await runCli({
      executable: "copilot",
      args: [
        "-p",
        "/speckit-specify Build a tiny todo app",
        "--yolo",
        "--no-ask-user",
        "--model",
        MODEL,
        "--output-format",
        "json",
        "--usage-output-file",
        usageFile,
      ],
      cwd: repo,
      env: copilotEnv(homeDir),
      user,
      timeoutMs: 90_000,
    });
    const seconds = (Date.now() - started) / 1000;

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(api.unanswered).toEqual([]);
    expect(trap.attempts).toEqual([]);

    // The CLI's own tools did the work.
    expect(readFileSync(join(repo, "feature.md"), "utf8")).toBe(
      "# Feature\n\nStatus: ready\n",
    );
    expect(readFileSync(join(repo, "shell-ran.txt"), "utf8")).toBe("main\n");

    const turns = api.turns("copilot");
    expect(turns.map((r) => r.turn)).toEqual([0, 1, 2, 3]);
    for (const request of turns) {
      expect(request.path).toBe("/v1/chat/completions");
      expect(request.credential).toBe(KEY);
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request.model).toBe(MODEL);
      expect(request.stream).toBe(true);
      expect(request.tools).toEqual(
        expect.arrayContaining(["bash", "create", "edit", "view", "skill"]),
      );
    }
    // The prompt is sent as typed: the CLI does not expand /speckit-specify
    // itself; the skill is listed, and its text arrives after the skill call.
    expect(turns[0]?.text).toContain("/speckit-specify Build a tiny todo app");
    expect(turns[0]?.text).toContain("<name>speckit-specify</name>");
    expect(turns[0]?.text).not.toContain(skillSentence);
    expect(turns[1]?.text).toContain('<skill-context name="speckit-specify">');
    expect(turns[1]?.text).toContain(skillSentence);

    // JSONL on stdout: one event per line, a final `result`.
    const out = events(run.stdout);
    expect(out.filter((e) => e.type === "assistant.turn_start")).toHaveLength(
      4,
    );
    const tools = out
      .filter((e) => e.type === "tool.execution_complete")
      .map((e) => e.data?.success);
    expect(tools).toEqual([true, true, true, true]);
    const result = out.at(-1);
    expect(result?.type).toBe("result");
    expect(result?.exitCode).toBe(0);
    expect(result?.usage).toMatchObject({
      premiumRequests: 0,
      // 3 lines created, then 1 replaced by the edit.
      codeChanges: { linesAdded: 4, linesRemoved: 1 },
    });
    // Tokens are not in the JSONL; --usage-output-file has them exactly.
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as {
      modelMetrics: Record<
        string,
        {
          requests: { count: number };
          usage: { inputTokens: number; outputTokens: number };
        }
      >;
      lastCallInputTokens: number;
    };
    expect(usage.modelMetrics[MODEL]?.requests.count).toBe(4);
    expect(usage.modelMetrics[MODEL]?.usage).toMatchObject({
      inputTokens: 4 * USAGE_PER_ANSWER.input_tokens,
      outputTokens: 4 * USAGE_PER_ANSWER.output_tokens,
    });
    expect(usage.lastCallInputTokens).toBe(USAGE_PER_ANSWER.input_tokens);
    expect(seconds).toBeLessThan(60);
    capture("success.jsonl", run.stdout);
    capture("success.usage.json", readFileSync(usageFile, "utf8"));
  });

  it("puts a Spec Kit agent's text into the system prompt with --agent (commands layout, text output)", {
    timeout: 120_000,
  }, async () => {
    const agentSentence = sentenceOf(
      "copilot-cmd/.github/agents/speckit.specify.agent.md",
      "The text the user typed after `/speckit.specify` in the triggering message **is** the feature description.",
    );
    await standIn(({ turn }) =>
      turn === 0
        ? [
            { write: "spec.md", content: "todo app spec\n" },
            { shell: "echo ran > marker.txt" },
          ]
        : [{ say: "Spec ready." }],
    );
    const repo = await checkout("copilot-cmd", user);
    const homeDir = await home(user);
    // What Spec Kit itself runs for a commands-layout stage.
    const run = await runCli({
      executable: "copilot",
      args: [
        "-p",
        "Build a tiny todo app",
        "--agent",
        "speckit.specify",
        "--yolo",
        "--no-ask-user",
        "--model",
        MODEL,
      ],
      cwd: repo,
      env: copilotEnv(homeDir),
      user,
      timeoutMs: 90_000,
    });

    expect(run.code).toBe(0);
    expect(api.unanswered).toEqual([]);
    expect(trap.attempts).toEqual([]);
    expect(readFileSync(join(repo, "spec.md"), "utf8")).toBe("todo app spec\n");
    expect(readFileSync(join(repo, "marker.txt"), "utf8")).toBe("ran\n");
    const turns = api.turns("copilot");
    expect(turns.map((r) => r.turn)).toEqual([0, 1]);
    expect(turns[0]?.credential).toBe(KEY);
    expect(turns[0]?.model).toBe(MODEL);
    expect(turns[0]?.text).toContain("<agent_instructions>");
    expect(turns[0]?.text).toContain(agentSentence);
    // Text mode: a transcript and the answer on stdout, stats on stderr.
    expect(run.stdout).toContain("Spec ready.");
    expect(run.stderr).toMatch(/Tokens\s+↑ 2\.4k • ↓ 160/);
    capture("success.txt", run.stdout);
    capture("success.stderr.txt", run.stderr);
  });

  it("exits 1 without calling the model when --agent names no agent", {
    timeout: 60_000,
  }, async () => {
    await standIn(() => [{ say: "unreachable" }]);
    const repo = await checkout("copilot-cmd", user);
    const run = await runCli({
      executable: "copilot",
      args: [
        "-p",
        "x",
        "--agent",
        "speckit.nosuch",
        "--yolo",
        "--model",
        MODEL,
      ],
      cwd: repo,
      env: copilotEnv(await home(user)),
      user,
      timeoutMs: 50_000,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "No such agent: speckit.nosuch, available: speckit.analyze,",
    );
    expect(api.requests).toEqual([]);
  });

  it("sends /speckit.specify as plain text; the skill tool then answers 'Skill not found' and copilot still exits 0", {
    timeout: 60_000,
  }, async () => {
    await standIn(({ turn }) =>
      turn === 0 ? [{ skill: "speckit.specify" }] : [{ say: "No such skill." }],
    );
    const repo = await checkout("copilot-cmd", user);
    const run = await runCli({
      executable: "copilot",
      args: ["-p", "/speckit.specify", "--yolo", "--model", MODEL],
      cwd: repo,
      env: copilotEnv(await home(user)),
      user,
      timeoutMs: 50_000,
    });
    expect(run.code).toBe(0);
    const turns = api.turns("copilot");
    expect(turns).toHaveLength(2);
    expect(turns[0]?.text).toMatch(/\n\/speckit\.specify$/);
    // What the model reads as the tool result (the JSONL's
    // tool.execution_complete says "Skill not found: speckit.specify").
    expect(turns[1]?.text).toContain(
      'Skill "speckit.specify" not found. Available skills:',
    );
  });

  it("runs as root too (text output)", { timeout: 60_000 }, async () => {
    await standIn(({ turn }) =>
      turn === 0
        ? [
            { write: "root.txt", content: "as root\n" },
            { shell: "id -u > uid" },
          ]
        : [{ say: "Done." }],
    );
    const repo = await checkout(null, undefined);
    const run = await runCli({
      executable: "copilot",
      args: ["-p", "Write root.txt", "--yolo", "--model", MODEL],
      cwd: repo,
      env: copilotEnv(await home(undefined)),
      timeoutMs: 50_000,
    });
    expect(run.code).toBe(0);
    expect(readFileSync(join(repo, "root.txt"), "utf8")).toBe("as root\n");
    expect(readFileSync(join(repo, "uid"), "utf8")).toBe(
      `${process.getuid?.() ?? ""}\n`,
    );
  });

  it("exits 1 with an authentication error when the provider answers 401", {
    timeout: 60_000,
  }, async () => {
    await standIn(() => [], failing(401));
    const repo = await checkout(null, user);
    const run = await runCli({
      executable: "copilot",
      args: [
        "-p",
        "hello",
        "--yolo",
        "--model",
        MODEL,
        "--output-format",
        "json",
      ],
      cwd: repo,
      env: copilotEnv(await home(user)),
      user,
      timeoutMs: 50_000,
    });
    expect(run.code).toBe(1);
    // It retries a 401 twice ("transient_auth_error") before giving up.
    expect(api.requests).toHaveLength(3);
    expect(api.requests[0]?.credential).toBe(KEY);
    const out = events(run.stdout);
    const error = out.find((e) => e.type === "session.error");
    expect(error?.data).toMatchObject({
      errorType: "authentication",
      statusCode: 401,
    });
    expect(String(error?.data?.message)).toContain(
      "Check your COPILOT_PROVIDER_API_KEY",
    );
    expect(out.at(-1)).toMatchObject({ type: "result", exitCode: 1 });
    capture("401.jsonl", run.stdout);

    // The same in text mode (what the action runs): the error on stderr.
    const text = await runCli({
      executable: "copilot",
      args: ["-p", "hello", "--yolo", "--model", MODEL],
      cwd: repo,
      env: copilotEnv(await home(user)),
      user,
      timeoutMs: 50_000,
    });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(
      "Authentication failed with provider at http://127.0.0.1:",
    );
    capture("401.txt", text.stdout);
    capture("401.stderr.txt", text.stderr);
  });

  it("exits 1 after five retries when the provider answers 500", {
    timeout: 90_000,
  }, async () => {
    await standIn(() => [], failing(500));
    const repo = await checkout(null, user);
    const run = await runCli({
      executable: "copilot",
      args: ["-p", "hello", "--yolo", "--model", MODEL],
      cwd: repo,
      env: copilotEnv(await home(user)),
      user,
      timeoutMs: 80_000,
    });
    expect(run.code).toBe(1);
    expect(api.requests).toHaveLength(6);
    expect(run.stdout).toContain(
      "● Request failed due to a transient API error. Retrying...",
    );
    expect(run.stderr).toContain(
      "Failed to get response from the AI model; retried 5 times",
    );
    capture("500.txt", run.stdout);
    capture("500.stderr.txt", run.stderr);
  });
});

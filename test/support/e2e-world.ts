import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import {
  chmod,
  mkdir,
  mkdtemp,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import type { RunState } from "../../src/engine/run-state.js";
import { openStore } from "../../src/store/open-store.js";
import {
  allModelApis,
  CREDENTIAL_SECRETS,
  TEST_MODELS,
} from "./model-api/index.js";
import { CLI_BIN, runnerUser, type UserIds } from "./model-api/run-cli.js";
import type { Backend } from "./model-api/script.js";
import type { ModelApi } from "./model-api/server.js";
import { specKitModel } from "./model-api/spec-kit-model.js";
import { standInEnvironment } from "./model-api/stand-in-environment.js";
import { GitHubSimulator } from "./simulator/simulator.js";
import type { Repository, Role } from "./simulator/state.js";
import { type SpecKitLayout, specKitFiles } from "./spec-kit-fixtures.js";

const ROOT = resolve(".");
const AGENT = join(ROOT, "test/e2e/agent/speckit-agent.mjs");
export const APP_ID = 123;
const PRIVATE_KEY = readFileSync(
  join(ROOT, "test/fixtures/mock-cert.pem"),
  "utf8",
);

/** A repository as Spec Kit sets one up for Claude Code, with the stage workflow. */
export function sampleRepositoryFiles(
  extra: Record<string, string> = {},
): Record<string, string> {
  const files: Record<string, string> = {
    "README.md": "# Web\n\nA small web app.\n",
    ".github/workflows/specwright.yml": readFileSync(
      join(ROOT, ".github/workflows/specwright.yml"),
      "utf8",
    ),
    ".specify/memory/constitution.md": "# Constitution\n\nI. Tests first.\n",
    ".specify/integration.json": JSON.stringify({
      integration: "claude",
      integration_settings: { claude: { invoke_separator: "." } },
    }),
  };
  for (const stage of ["specify", "plan", "tasks", "analyze", "implement"]) {
    files[`.claude/commands/speckit.${stage}.md`] = `# /speckit.${stage}\n`;
  }
  return { ...files, ...extra };
}

/**
 * A repository as `specify init --integration <backend>` lays it out (the
 * real fixture), with the stage workflow and a configuration choosing the
 * backend and the model the stand-in answers as.
 */
export function realAgentRepositoryFiles(
  backend: Backend,
  layout: SpecKitLayout,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    "README.md": "# Web\n\nA small web app.\n",
    ...specKitFiles(layout),
    ".github/workflows/specwright.yml": readFileSync(
      join(ROOT, ".github/workflows/specwright.yml"),
      "utf8",
    ),
    ".github/specwright.yml": [
      "agent:",
      `  backend: ${backend}`,
      `  model: ${TEST_MODELS[backend]}`,
      "",
    ].join("\n"),
    ...extra,
  };
}

async function freePort(): Promise<number> {
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

export interface WorldOptions {
  /** Store the App's runs in PostgreSQL (a fresh database on this server). */
  databaseUrl?: string;
  /** Per `owner/repo:stage`: how the scripted agent misbehaves. */
  agent?: Record<string, string>;
  /** Seconds between reconciler sweeps (default 1). */
  reconcileSeconds?: number;
  /** Seconds between its looks at a live attempt's workflow run (default 2). */
  reconcilePollSeconds?: number;
  /** Print the App's log (debugging). */
  verbose?: boolean;
  seed?: number;
  /** Jobs the simulated runners run at once (default: no limit). */
  runners?: number;
  /**
   * The real agent CLI of this backend instead of the scripted agent, on
   * repositories laid out by this Spec Kit fixture, against the model-API
   * stand-in (which answers as `specKitModel()` until told otherwise); jobs
   * run as the `runner` user when the tests run as root, as on GitHub.
   */
  realAgent?: { backend: Backend; layout: SpecKitLayout };
  /** More environment for the App (over the World's own). */
  appEnv?: Record<string, string>;
}

/** The App's OAuth client, for the dashboard's sign-in. */
export const OAUTH_CLIENT_ID = "Iv1.e2e0123456789ab";
const OAUTH_CLIENT_SECRET = "e2e-oauth-client-secret-0123456789abcdef";

/** The secret every test repository holds for its agent. */
export const AGENT_KEY = "sk-e2e-stand-in-0123456789";

/**
 * Everything a scenario needs: the simulated GitHub, the real App as its
 * own process (`src/main.ts`, so `npm start`'s code), talking to each other
 * over HTTP, and the scripted agent the real action runs.
 */
export class World {
  readonly sim: GitHubSimulator;
  readonly dir: string;
  private app: ChildProcess | undefined;
  private appLog = "";
  private database: string | undefined;
  private readonly secret = randomBytes(16).toString("hex");

  private constructor(
    dir: string,
    private readonly options: WorldOptions,
    /** The model-API stand-in the real agents talk to. */
    readonly models: ModelApi | undefined,
    agent: { env: Record<string, string>; user?: UserIds | undefined },
  ) {
    this.dir = dir;
    this.sim = new GitHubSimulator({
      appId: APP_ID,
      privateKey: PRIVATE_KEY,
      webhookSecret: this.secret,
      dataDir: join(dir, "github"),
      actionDir: join(ROOT, "action"),
      agentPath: [options.realAgent ? CLI_BIN : join(dir, "bin")],
      jobEnv: agent.env,
      ...(agent.user ? { jobUser: agent.user } : {}),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.runners === undefined ? {} : { runners: options.runners }),
      oauth: { clientId: OAUTH_CLIENT_ID, clientSecret: OAUTH_CLIENT_SECRET },
    });
  }

  /** The environment and user of the jobs' agent: scripted, or real. */
  private static async agent(dir: string, options: WorldOptions) {
    if (!options.realAgent) {
      return {
        models: undefined,
        env: { SPECWRIGHT_E2E_AGENT: join(dir, "agent-state", "agent.json") },
      };
    }
    const user = runnerUser();
    // The runner user must reach its job directories inside this one.
    await chmod(dir, 0o755);
    const models = await allModelApis().start();
    models.use(specKitModel());
    const env = await standInEnvironment({
      backend: options.realAgent.backend,
      url: models.url,
      dir: join(dir, "agents"),
      user,
    });
    return { models, env, user };
  }

  static async create(options: WorldOptions = {}): Promise<World> {
    const dir = await mkdtemp(join(tmpdir(), "specwright-e2e-"));
    // As a runner's disk: others may pass (an isolated agent must).
    await chmod(dir, 0o755);
    const { models, ...agent } = await World.agent(dir, options);
    const world = new World(dir, options, models, agent);
    await mkdir(join(dir, "bin"));
    for (const name of ["claude", "codex", "gemini", "copilot"]) {
      await symlink(AGENT, join(dir, "bin", name));
    }
    // The scripted agent's state: it may run as its own user.
    await mkdir(join(dir, "agent-state"));
    await chmod(join(dir, "agent-state"), 0o1777);
    await writeFile(
      join(dir, "agent-state", "agent.json"),
      JSON.stringify(options.agent ?? {}),
    );
    await world.sim.start();
    if (options.databaseUrl) {
      world.database = `specwright_e2e_${randomBytes(5).toString("hex")}`;
      const admin = new pg.Client({ connectionString: options.databaseUrl });
      await admin.connect();
      await admin.query(`create database ${world.database}`);
      await admin.end();
    }
    return world;
  }

  /** Changes how the scripted agent behaves from now on. */
  async setAgent(behaviour: Record<string, string>): Promise<void> {
    await writeFile(
      join(this.dir, "agent-state", "agent.json"),
      JSON.stringify(behaviour),
    );
  }

  private databaseUrl(): string | undefined {
    if (!this.options.databaseUrl || !this.database) return undefined;
    const url = new URL(this.options.databaseUrl);
    url.pathname = `/${this.database}`;
    return url.toString();
  }

  /** A repository with the sample files, installed, with roles. */
  repository(
    fullName = "acme/web",
    options: {
      files?: Record<string, string>;
      roles?: Record<string, Role>;
      /** Visible only to those with a role on it (`roles`; no default ones). */
      private?: boolean;
    } = {},
  ): Promise<Repository> {
    const real = this.options.realAgent;
    return this.sim.createRepository(fullName, {
      ...(options.private ? { private: true } : {}),
      files: real
        ? realAgentRepositoryFiles(real.backend, real.layout, options.files)
        : sampleRepositoryFiles(options.files),
      // A private repository has only the roles given: nobody else may read it.
      roles: options.private
        ? (options.roles ?? {})
        : {
            alice: "write",
            bob: "maintain",
            mallory: "read",
            ...options.roles,
          },
      secrets: real
        ? { [CREDENTIAL_SECRETS[real.backend]]: AGENT_KEY }
        : { ANTHROPIC_API_KEY: "sk-ant-e2e-0123456789" },
    });
  }

  /** Starts the App process (again, after a kill: same data). */
  async startApp(): Promise<void> {
    const { child, url } = await this.spawnApp();
    this.app = child;
    this.sim.webhooks.url = `${url}/api/github/webhooks`;
    this.appUrl = url;
  }

  /**
   * Starts another App process on the same PostgreSQL, as a second replica
   * behind a load balancer would be; webhooks still go to the first. Its
   * address.
   */
  async startReplica(): Promise<string> {
    if (!this.databaseUrl()) {
      throw new Error(
        "replicas share a PostgreSQL: give the World a databaseUrl",
      );
    }
    const { child, url } = await this.spawnApp();
    this.replicas.push(child);
    return url;
  }

  private readonly replicas: ChildProcess[] = [];

  private async spawnApp(): Promise<{ child: ChildProcess; url: string }> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      APP_ID: String(APP_ID),
      PRIVATE_KEY,
      WEBHOOK_SECRET: this.secret,
      GHE_HOST: this.sim.host,
      GHE_PROTOCOL: "http",
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: this.options.verbose ? "info" : "warn",
      NO_SMEE_SETUP: "true",
      NODE_ENV: "production",
      SPECWRIGHT_DATA_DIR: join(this.dir, "app-data"),
      SPECWRIGHT_RECONCILE_INTERVAL: String(this.options.reconcileSeconds ?? 1),
      SPECWRIGHT_RECONCILE_POLL: String(this.options.reconcilePollSeconds ?? 2),
      SPECWRIGHT_RECONCILE_LOST_AFTER: "5",
      SPECWRIGHT_GITHUB_THROTTLE: "off",
      // The simulator has no rate limits unless a test turns them on.
      SPECWRIGHT_PACING: "off",
      GITHUB_CLIENT_ID: OAUTH_CLIENT_ID,
      GITHUB_CLIENT_SECRET: OAUTH_CLIENT_SECRET,
      SPECWRIGHT_SESSION_SECRET: `${this.secret}-dashboard-sessions`,
    };
    Object.assign(env, this.options.appEnv);
    const database = this.databaseUrl();
    if (database) env.DATABASE_URL = database;
    // One process (tsx as a loader, not its wrapper), so its CPU time is the App's.
    // SPECWRIGHT_APP_CPU_PROF=<dir>: profile the App (`--cpu-prof`), for bench:e2e.
    const profile = process.env.SPECWRIGHT_APP_CPU_PROF;
    const flags = profile
      ? [
          "--cpu-prof",
          `--cpu-prof-dir=${profile}`,
          "--import",
          "./bench/exit-on-sigterm.mjs",
        ]
      : [];
    // SPECWRIGHT_APP_SQL_COUNT=<file>: count the App's statements to PostgreSQL.
    if (process.env.SPECWRIGHT_APP_SQL_COUNT) {
      env.SPECWRIGHT_APP_SQL_COUNT = process.env.SPECWRIGHT_APP_SQL_COUNT;
      flags.push("--import", "./bench/count-statements.mjs");
    }
    // SPECWRIGHT_APP_NODE_FLAGS: more flags for the App's node (bench experiments: V8's, --heap-prof).
    flags.push(
      ...(process.env.SPECWRIGHT_APP_NODE_FLAGS?.split(/\s+/).filter(Boolean) ??
        []),
    );
    const child = spawn(
      process.execPath,
      [...flags, "--import", "tsx", "src/main.ts"],
      {
        env,
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const capture = (chunk: Buffer) => {
      this.appLog += chunk.toString();
      if (this.options.verbose) process.stderr.write(chunk);
      if (process.env.SPECWRIGHT_APP_LOG_FILE)
        appendFileSync(process.env.SPECWRIGHT_APP_LOG_FILE, chunk);
    };
    child.stdout?.on("data", capture);
    child.stderr?.on("data", capture);
    const url = `http://127.0.0.1:${port}`;
    // Starting means loading the App through tsx and migrating its store:
    // on two busy cores that can take a while. Not a timing assertion.
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`the App exited (${child.exitCode}):\n${this.appLog}`);
      }
      try {
        const response = await fetch(`${url}/ping`);
        if (response.ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`the App did not start in 2 minutes:\n${this.appLog}`);
      }
      await new Promise((done) => setTimeout(done, 50));
    }
    return { child, url };
  }

  /** Where the App's HTTP server listens (its webhooks, the dashboard), once started. */
  appUrl: string | undefined;

  /** Stops the App: SIGKILL to simulate a crash, SIGTERM to let it stop. */
  async stopApp(signal: "SIGKILL" | "SIGTERM" = "SIGTERM"): Promise<void> {
    const child = this.app;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill(signal);
    await exited;
    this.app = undefined;
  }

  get log(): string {
    return this.appLog;
  }

  /** The App process's id, while it runs. */
  get appPid(): number | undefined {
    return this.app?.pid;
  }

  /**
   * Waits until `check` holds (the App and the simulator work on their own
   * time). Fails with `what` and the App's log if it does not in time.
   */
  async until(
    what: string,
    check: () => boolean | Promise<boolean>,
    timeoutMs = 60_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) {
        throw new Error(
          [
            `waited ${timeoutMs / 1000}s for ${what}`,
            `problems: ${JSON.stringify(this.problems(), null, 1)}`,
            `workflow runs: ${JSON.stringify([...this.sim.workflowRuns.values()].map((r) => [r.display_title, r.status, r.conclusion]))}`,
            `check runs: ${JSON.stringify([...this.sim.checkRuns.values()].map((c) => [c.name, c.status, c.conclusion, c.output.title]))}`,
            `last job log:\n${[...this.sim.workflowRuns.values()].at(-1)?.log.slice(-3000) ?? ""}`,
            `App log:\n${this.appLog.slice(-4000)}`,
          ].join("\n"),
        );
      }
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  /** Whether a stage's gate check run is waiting for approval. */
  gateWaiting(repo: Repository, stage = "Implement"): boolean {
    return this.sim
      .checkRunsOf(repo)
      .some(
        (c) =>
          c.name === `Specwright: ${stage} (approval)` &&
          c.conclusion === "action_required",
      );
  }

  /** Whether a stage the scripted agent holds ("held") has started. */
  stageHeld(stage: string): boolean {
    return existsSync(join(this.dir, "agent-state", `${stage}.pid`));
  }

  /** Lets a stage the scripted agent holds go on. */
  async release(stage: string): Promise<void> {
    await writeFile(join(this.dir, "agent-state", `${stage}.go`), "");
  }

  /** What the simulated GitHub refused or could not do. */
  problems(): string[] {
    return [
      ...this.sim.problems,
      ...this.sim.webhooks.problems,
      ...this.sim.results.problems,
    ];
  }

  /** The App's runs, read from its store once it has stopped. */
  async runs(): Promise<RunState[]> {
    await this.stopApp();
    const database = this.databaseUrl();
    const store = await openStore(
      database
        ? { databaseUrl: database }
        : { dataDir: join(this.dir, "app-data") },
    );
    try {
      const out: RunState[] = [];
      for (const repo of this.sim.repositories.values()) {
        for (const number of repo.issues.keys()) {
          for (const run of await store.findRunsFor(
            repo.owner,
            repo.name,
            number,
          )) {
            if (!out.some((r) => r.id === run.id)) out.push(run);
          }
        }
      }
      return out;
    } finally {
      await store.close();
    }
  }

  async close(): Promise<void> {
    await this.stopApp("SIGKILL");
    for (const replica of this.replicas) {
      if (replica.exitCode === null) {
        const exited = new Promise((done) => replica.once("exit", done));
        replica.kill("SIGKILL");
        await exited;
      }
    }
    await this.sim.stop();
    await this.models?.stop();
    if (this.database && this.options.databaseUrl) {
      const admin = new pg.Client({
        connectionString: this.options.databaseUrl,
      });
      await admin.connect();
      await admin.query(
        `drop database if exists ${this.database} with (force)`,
      );
      await admin.end();
    }
    // A job the simulator just stopped may still be letting go of its files.
    await rm(this.dir, {
      recursive: true,
      force: true,
      maxRetries: 10,
      retryDelay: 100,
    });
  }
}

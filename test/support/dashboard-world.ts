import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { RunState } from "../../src/engine/run-state.js";
import {
  openRunEventFeed,
  type RunEventFeed,
} from "../../src/store/run-event-feed.js";
import type { Store } from "../../src/store/store.js";
import { createDashboardAuth } from "../../src/web/auth/index.js";
import { createDashboard } from "../../src/web/create-dashboard.js";
import { RunEventHub } from "../../src/web/live/run-event-hub.js";
import { seedRun } from "./seed-run.js";
import { signInThrough } from "./sign-in.js";
import { GitHubSimulator } from "./simulator/simulator.js";
import type { Role } from "./simulator/state.js";
import { type Backend, openTestStore } from "./test-store.js";

const CLIENT_ID = "Iv1.dashboardapi00001";
const CLIENT_SECRET = "dashboard-api-client-secret";
const PRIVATE_KEY = readFileSync("test/fixtures/mock-cert.pem", "utf8");

/**
 * The dashboard as the App serves it (the real handler: sign-in, API,
 * event streams, page) over HTTP, on a real store, signing in against the
 * simulated GitHub, which also says who may read which repository. The
 * App's webhooks are not involved: runs are put in the store directly and
 * moved on with engine events.
 */
export class DashboardWorld {
  sim!: GitHubSimulator;
  store!: Store;
  url = "";
  hub!: RunEventHub;
  /** How often the handler woke the effect runner. */
  kicks = 0;
  /** What the handler logged. */
  readonly logged: string[] = [];
  private server!: Server;
  private feed!: RunEventFeed;
  private dir = "";
  private closeStore: () => Promise<void> = async () => {};
  /** The store's PostgreSQL database, when on PostgreSQL. */
  databaseUrl: string | undefined;

  /**
   * `now`: the App's clock for engine events (sign-in keeps real time), so
   * that runs built at fixture times are not found long overdue.
   */
  static async start(
    backend: Backend = "pglite",
    now: () => Date = () => new Date(),
  ): Promise<DashboardWorld> {
    const world = new DashboardWorld();
    world.now = now;
    await world.init(backend);
    return world;
  }

  private async init(backend: Backend): Promise<void> {
    const opened = await openTestStore(backend);
    this.store = opened.store;
    this.databaseUrl = opened.databaseUrl;
    this.closeStore = opened.close;
    this.server = createServer((req, res) => {
      void this.handler(req, res).then((handled) => {
        if (!handled) {
          res.writeHead(404);
          res.end();
        }
      });
    });
    await new Promise<void>((done) => this.server.listen(0, "127.0.0.1", done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.dir = await mkdtemp(join(tmpdir(), "dashboard-world-"));
    this.sim = new GitHubSimulator({
      appId: 123,
      privateKey: PRIVATE_KEY,
      webhookSecret: "s",
      dataDir: this.dir,
      actionDir: resolve("action"),
      agentPath: [],
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    await this.sim.start();
    this.feed = await openRunEventFeed({
      store: this.store,
      ...(this.databaseUrl ? { databaseUrl: this.databaseUrl } : {}),
    });
    this.hub = new RunEventHub(this.store, this.feed);
    const log = {
      warn: (m: string) => this.logged.push(m),
      error: (m: string) => this.logged.push(m),
    };
    this.handler = createDashboard(
      {
        ctx: {
          store: this.store,
          auth: createDashboardAuth({
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            sessionSecret: "a-session-secret-of-at-least-32-characters",
            githubWebUrl: this.sim.url,
            githubApiUrl: `${this.sim.url}/api/v3`,
          }),
          hub: this.hub,
          kick: () => this.kicks++,
          now: () => this.now(),
          githubWebUrl: this.sim.url,
        },
      },
      log,
    );
  }

  private now: () => Date = () => new Date();
  private handler: ReturnType<typeof createDashboard> = async () => false;

  /** A repository on the simulated GitHub, and who holds which role on it. */
  async repository(
    fullName: string,
    roles: Record<string, Role>,
    options: { private?: boolean } = {},
  ): Promise<void> {
    await this.sim.createRepository(fullName, {
      files: { "README.md": "# test\n" },
      roles,
      ...(options.private ? { private: true } : {}),
    });
  }

  /** A run, stored as it is (see `seedRun`). */
  async seed(run: RunState): Promise<void> {
    await seedRun(this.store, run);
  }

  /** Signs `login` in through GitHub; their session cookie. */
  async signIn(login: string): Promise<string> {
    const { cookie } = await signInThrough(this.url, this.sim.url, login);
    if (!cookie) throw new Error(`${login} could not sign in`);
    return cookie;
  }

  /** A request to the dashboard with a session (and its CSRF token on POSTs). */
  async call(
    cookie: string | undefined,
    method: string,
    path: string,
    options: {
      body?: unknown;
      csrf?: string | false;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (cookie) headers.cookie = cookie;
    if (method !== "GET" && options.csrf !== false && cookie) {
      headers["x-csrf-token"] = options.csrf ?? (await this.csrfOf(cookie));
    }
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
    }
    return fetch(`${this.url}${path}`, {
      method,
      headers,
      redirect: "manual",
      ...(options.body === undefined
        ? {}
        : { body: JSON.stringify(options.body) }),
    });
  }

  async csrfOf(cookie: string): Promise<string> {
    const response = await this.call(
      cookie,
      "GET",
      "/specwright/api/v1/session",
    );
    const { csrf_token } = (await response.json()) as { csrf_token: string };
    return csrf_token;
  }

  async stop(): Promise<void> {
    await this.hub.close();
    await this.feed.close();
    await new Promise<void>((done) => {
      this.server.closeAllConnections();
      this.server.close(() => done());
    });
    await this.sim.stop();
    await this.closeStore();
    await rm(this.dir, { recursive: true, force: true });
  }
}

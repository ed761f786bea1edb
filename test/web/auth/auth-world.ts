import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  createDashboardAuth,
  type DashboardAuth,
  type Session,
} from "../../../src/web/auth/index.js";
import { cookiePair, signInThrough } from "../../support/sign-in.js";
import { GitHubSimulator } from "../../support/simulator/simulator.js";

export const CLIENT_ID = "Iv1.dashboard0000001";
export const CLIENT_SECRET = "dashboard-client-secret";
const PRIVATE_KEY = readFileSync("test/fixtures/mock-cert.pem", "utf8");

export { cookiePair };

/**
 * The simulated GitHub with the App's OAuth client, and a small server
 * that serves the real sign-in (`auth.handle`) plus a probe,
 * `POST /specwright/probe`, answering what `session()` and `checkCsrf()`
 * make of the request. One clock drives both.
 */
export class AuthWorld {
  clock = Date.parse("2025-06-01T10:00:00Z");
  sim!: GitHubSimulator;
  auth!: DashboardAuth;
  appUrl = "";
  /** The session the probe last read (a real one, for permission()). */
  lastSession: Session | undefined;
  private server!: Server;
  private dir = "";

  static async start(
    options: {
      publicUrl?: string;
      perPage?: number;
      githubWebUrl?: string;
    } = {},
  ): Promise<AuthWorld> {
    const world = new AuthWorld();
    await world.init(options);
    return world;
  }

  private async init(options: {
    publicUrl?: string;
    perPage?: number;
    githubWebUrl?: string;
  }): Promise<void> {
    this.server = createServer((req, res) => {
      void this.serve(req, res);
    });
    await new Promise<void>((done) => this.server.listen(0, "127.0.0.1", done));
    this.appUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.dir = await mkdtemp(join(tmpdir(), "auth-world-"));
    this.sim = new GitHubSimulator({
      appId: 123,
      privateKey: PRIVATE_KEY,
      webhookSecret: "s",
      dataDir: this.dir,
      actionDir: resolve("action"),
      agentPath: [],
      now: () => new Date(this.clock),
      oauth: {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        callbackUrls: [
          `${options.publicUrl ?? this.appUrl}/specwright/auth/callback`,
        ],
      },
    });
    await this.sim.start();
    this.auth = createDashboardAuth(
      {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        sessionSecret: "a-session-secret-of-at-least-32-characters",
        githubWebUrl: options.githubWebUrl ?? this.sim.url,
        githubApiUrl: `${this.sim.url}/api/v3`,
        ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      },
      {
        now: () => new Date(this.clock),
        ...(options.perPage ? { perPage: options.perPage } : {}),
      },
    );
  }

  private async serve(
    req: import("node:http").IncomingMessage,
    res: import("node:http").ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? "/", this.appUrl);
    if (await this.auth.handle(req, res, url)) return;
    if (url.pathname === "/specwright/probe") {
      const session = this.auth.session(req);
      this.lastSession = session;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          session: session ?? null,
          csrf: session ? this.auth.checkCsrf(req, session) : null,
        }),
      );
      return;
    }
    res.writeHead(404);
    res.end();
  }

  /** GET a path of the App, without following redirects. */
  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.appUrl}${path}`, { redirect: "manual", headers });
  }

  /** What the auth makes of a request carrying `cookie` and `headers`. */
  async probe(
    cookie: string | undefined,
    headers: Record<string, string> = {},
  ): Promise<{
    session: (Session & { expiresAt: string }) | null;
    csrf: boolean | null;
  }> {
    const response = await fetch(`${this.appUrl}/specwright/probe`, {
      method: "POST",
      headers: { ...(cookie ? { cookie } : {}), ...headers },
    });
    return (await response.json()) as never;
  }

  /** The whole sign-in as a browser goes through it (see `signInThrough`). */
  signIn(
    login: string,
    returnTo = "/specwright/",
  ): Promise<{ cookie: string; setCookie: string[]; callback: Response }> {
    return signInThrough(this.appUrl, this.sim.url, login, returnTo);
  }

  /** Requests the simulator answered for `method path` so far. */
  count(method: string, path: string): number {
    return this.sim.requests.filter(
      (r) => r.method === method && r.path === path,
    ).length;
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => {
      this.server.closeAllConnections();
      this.server.close(() => done());
    });
    await this.sim.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

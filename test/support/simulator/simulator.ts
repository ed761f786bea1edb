import {
  createPublicKey,
  createVerify,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parse } from "yaml";
import { ResultsService, readBody } from "../artifact-service.js";
import { loadGitHubApi, validateGitHubRequest } from "../github-openapi.js";
import { GitError, GitRepository, type TreeEntry } from "./git-repository.js";
import type { JobStep } from "./job-steps.js";
import { type OAuthAppOptions, OAuthSimulator } from "./oauth.js";
import { RateLimiter, type SimulatedLimits } from "./rate-limits.js";
import { restExample } from "./rest-schemas.js";
import { runName, runStageJob } from "./runner.js";
import type {
  CheckRun,
  Comment,
  Issue,
  Repository,
  Role,
  User,
  WorkflowRun,
} from "./state.js";
import {
  type Delivery,
  deliveryItem,
  type Json,
  template,
  WebhookSender,
} from "./webhooks.js";

export interface SimulatorOptions {
  appId: number;
  /** The App's private key (PEM): its JWTs are verified with the public half. */
  privateKey: string;
  webhookSecret: string;
  /** Where bare repositories and job directories go. */
  dataDir: string;
  /** The directory holding action.yml: what the stage workflow's `uses:` runs. */
  actionDir: string;
  /** Directories put first on a job's PATH (the fake agent CLIs). */
  agentPath: string[];
  /** Extra environment for every job (the fake agent's script). */
  jobEnv?: Record<string, string>;
  /** The user jobs run as (the unprivileged `runner`, as on GitHub-hosted runners). */
  jobUser?: { uid: number; gid: number };
  /** Seeds the shuffling of deliveries. */
  seed?: number;
  /** Jobs run at once, as a pool of runners (default: no limit); the rest wait queued. */
  runners?: number;
  now?: () => Date;
  /** The App's OAuth client: turns on GitHub's sign-in and user tokens (see oauth.ts). */
  oauth?: OAuthAppOptions;
}

/** A request the App made, for counting by endpoint. */
export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string | undefined;
  status: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Handler = (call: Call) => Promise<Reply> | Reply;

interface Call {
  method: string;
  params: string[];
  query: URLSearchParams;
  body: Json;
  repo: Repository;
  headers: IncomingMessage["headers"];
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: Buffer | string;
}

const APP_BOT: User = { login: "specwright[bot]", id: 9_000_001, type: "Bot" };
const ROLE_PERMISSION: Record<Role, string> = {
  read: "read",
  triage: "read",
  write: "write",
  maintain: "write",
  admin: "admin",
};

function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

/** What GitHub answers a draft pull request on a plan without drafts. */
export const DRAFTS_NOT_SUPPORTED =
  "Draft pull requests are not supported in this repository.";

function notFound(): never {
  throw new HttpError(404, "Not Found");
}

/**
 * A local GitHub: the REST endpoints Specwright uses, over real bare git
 * repositories, an Actions runner that runs the stage workflow's real
 * action, a results service for its artifacts, and signed webhooks to the
 * App. Every request is checked against GitHub's REST description first and
 * refused (422, GitHub's error shape) when GitHub would refuse it; the
 * refusals are kept in `problems` for the test to fail on.
 */
export class GitHubSimulator {
  url = "";
  readonly problems: string[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly repositories = new Map<string, Repository>();
  readonly comments = new Map<number, Comment>();
  readonly checkRuns = new Map<number, CheckRun>();
  readonly workflowRuns = new Map<number, WorkflowRun>();
  readonly webhooks: WebhookSender;
  /**
   * Send a job's `workflow_job.completed` after its run's
   * `workflow_run.completed` (GitHub usually sends it first, but does not
   * promise to): the App then cannot know the bundle's id in time.
   */
  jobCompletedLast = false;
  readonly results: ResultsService;
  /** GitHub's sign-in and what user tokens reach. */
  readonly oauth: OAuthSimulator;
  private readonly users = new Map<string, User>();
  private readonly tokens = new Map<string, number>();
  private readonly publicKey: KeyObject;
  private readonly jobs = new Set<Promise<void>>();
  private busyRunners = 0;
  private readonly waitingForRunner: (() => void)[] = [];
  private server: Server | undefined;
  private nextId = 1000;
  private readonly routes: [string, RegExp, Handler][] = [];
  private readonly now: () => Date;
  /** GitHub's rate limits, once a test turns them on; none by default. */
  rateLimits: RateLimiter | undefined;

  constructor(private readonly options: SimulatorOptions) {
    this.publicKey = createPublicKey(options.privateKey);
    this.now = options.now ?? (() => new Date());
    this.webhooks = new WebhookSender(
      options.webhookSecret,
      options.seed,
      this.now,
    );
    this.results = new ResultsService("");
    this.oauth = new OAuthSimulator(
      {
        url: () => this.url,
        now: () => this.now(),
        appId: options.appId,
        user: (login) => this.user(login),
        repositories: this.repositories,
        problems: this.problems,
        isInstallationToken: (token) => this.tokens.has(token),
      },
      options.oauth,
    );
    this.defineRoutes();
  }

  /**
   * Turns on GitHub's rate limits for installation tokens (see
   * rate-limits.ts); what they refused is in `rateLimits.counts`.
   */
  limitRequests(limits: SimulatedLimits): RateLimiter {
    this.rateLimits = new RateLimiter(limits, () => this.now().getTime());
    return this.rateLimits;
  }

  /** `host:port`, for Probot's GHE_HOST (with GHE_PROTOCOL=http). */
  get host(): string {
    return this.url.replace(/^http:\/\//, "");
  }

  async start(): Promise<void> {
    await loadGitHubApi();
    await mkdir(this.options.dataDir, { recursive: true });
    this.server = createServer((request, response) => {
      void this.serve(request, response);
    });
    await new Promise<void>((resolve) =>
      this.server?.listen(0, "127.0.0.1", resolve),
    );
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.results.base = `${this.url}/_results/`;
  }

  /** Stops the server, after cancelling jobs still running. */
  async stop(): Promise<void> {
    for (const run of this.workflowRuns.values()) run.cancel.abort();
    await this.idle();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** Resolves once no job runs and every webhook sent has been answered. */
  async idle(): Promise<void> {
    while (this.jobs.size > 0) await Promise.all([...this.jobs]);
    await this.webhooks.settled();
  }

  // --- The world ------------------------------------------------------------

  user(login: string): User {
    let user = this.users.get(login);
    if (user === undefined) {
      user = {
        login,
        id: 5_000_000 + this.users.size,
        type: login.endsWith("[bot]") ? "Bot" : "User",
      };
      this.users.set(login, user);
    }
    return user;
  }

  /** A repository with `files` on its default branch, installed for the App. */
  async createRepository(
    fullName: string,
    options: {
      files: Record<string, string>;
      installation?: number;
      roles?: Record<string, Role>;
      secrets?: Record<string, string>;
      vars?: Record<string, string>;
      /** False: like a private repository on GitHub Free or Pro, no drafts. */
      draftPullRequests?: boolean;
      /** Only people with a role see it (default: public). */
      private?: boolean;
    },
  ): Promise<Repository> {
    const [owner = "", name = ""] = fullName.split("/");
    const git = await GitRepository.create(
      join(this.options.dataDir, "repos", `${owner}-${name}.git`),
      options.files,
    );
    const repo: Repository = {
      id: this.id(),
      owner,
      name,
      full_name: fullName,
      default_branch: "main",
      installation: options.installation ?? 2,
      git,
      roles: new Map(Object.entries(options.roles ?? {})),
      issues: new Map(),
      labels: new Map(),
      secrets: options.secrets ?? {},
      vars: options.vars ?? {},
      draftPullRequests: options.draftPullRequests ?? true,
      private: options.private ?? false,
      nextNumber: 1,
      pushedAt: new Date().toISOString(),
    };
    this.repositories.set(fullName, repo);
    return repo;
  }

  repo(fullName: string): Repository {
    const repo = this.repositories.get(fullName);
    if (repo === undefined) throw new Error(`no repository ${fullName}`);
    return repo;
  }

  /** A person opens an issue (no webhook: the App does not listen to `issues.opened`). */
  openIssue(
    repo: Repository,
    issue: { title: string; body: string; user: string },
  ): number {
    const number = repo.nextNumber++;
    repo.issues.set(number, {
      number,
      title: issue.title,
      body: issue.body,
      user: this.user(issue.user),
      labels: [],
      created_at: this.now().toISOString(),
      pull: null,
    });
    return number;
  }

  /** A person comments on an issue or pull request: `issue_comment.created`. */
  comment(
    repo: Repository,
    number: number,
    body: string,
    login: string,
  ): Comment {
    const issue = repo.issues.get(number);
    if (issue === undefined) throw new Error(`no issue #${number}`);
    const comment = this.addComment(repo, number, body, this.user(login));
    this.webhooks.send("issue_comment", {
      ...this.envelope(repo, login),
      action: "created",
      issue: this.issuePayload(repo, issue),
      comment: this.commentPayload(repo, comment),
    });
    return comment;
  }

  /** A person adds a label: `issues.labeled`, or `pull_request.labeled`. */
  label(repo: Repository, number: number, name: string, login: string): void {
    const issue = repo.issues.get(number);
    if (issue === undefined) throw new Error(`no issue #${number}`);
    const label = this.ensureLabel(repo, name);
    if (!issue.labels.includes(name)) issue.labels.push(name);
    const labelPayload = {
      id: label.id,
      node_id: `LA_${label.id}`,
      url: `${this.url}/api/v3/repos/${repo.full_name}/labels/${encodeURIComponent(name)}`,
      name,
      color: label.color,
      default: false,
      description: label.description,
    };
    if (issue.pull) {
      const payload = template("pull_request.labeled");
      Object.assign(payload, this.envelope(repo, login), {
        action: "labeled",
        number,
        label: labelPayload,
      });
      Object.assign(payload.pull_request, {
        id: this.id(),
        number,
        title: issue.title,
        body: issue.body,
        html_url: `${this.url}/${repo.full_name}/pull/${number}`,
        url: `${this.url}/api/v3/repos/${repo.full_name}/pulls/${number}`,
        draft: issue.pull.draft,
        state: issue.pull.state,
        labels: issue.labels.map((l) => ({ ...labelPayload, name: l })),
        // Labelling updates the pull request.
        updated_at: this.now()
          .toISOString()
          .replace(/\.\d+Z$/, "Z"),
      });
      payload.pull_request.head.ref = issue.pull.head;
      payload.pull_request.base.ref = issue.pull.base;
      payload.pull_request.head.repo = this.repositoryPayload(repo);
      payload.pull_request.base.repo = this.repositoryPayload(repo);
      this.webhooks.send("pull_request", payload);
    } else {
      this.webhooks.send("issues", {
        ...this.envelope(repo, login),
        action: "labeled",
        issue: {
          ...this.issuePayload(repo, issue),
          updated_at: this.now()
            .toISOString()
            .replace(/\.\d+Z$/, "Z"),
        },
        label: labelPayload,
      });
    }
  }

  /** A person presses a check run's button: `check_run.requested_action`. */
  pressButton(checkRunId: number, identifier: string, login: string): void {
    this.checkRunEvent(checkRunId, "requested_action", login, identifier);
  }

  /** A person presses GitHub's Re-run on a check run: `check_run.rerequested`. */
  rerequest(checkRunId: number, login: string): void {
    this.checkRunEvent(checkRunId, "rerequested", login);
  }

  /** Issues and pull requests' comments, oldest first. */
  commentsOn(repo: Repository, number: number): Comment[] {
    return [...this.comments.values()]
      .filter(
        (c) =>
          c.issue === number && this.commentRepo.get(c.id) === repo.full_name,
      )
      .sort((a, b) => a.id - b.id);
  }

  pulls(repo: Repository): Issue[] {
    return [...repo.issues.values()].filter((i) => i.pull !== null);
  }

  checkRunsOf(repo: Repository): CheckRun[] {
    return [...this.checkRuns.values()]
      .filter((c) => c.repo === repo.full_name)
      .sort((a, b) => a.id - b.id);
  }

  workflowRunsOf(repo: Repository): WorkflowRun[] {
    return [...this.workflowRuns.values()]
      .filter((r) => r.repo === repo.full_name)
      .sort((a, b) => a.id - b.id);
  }

  // --- HTTP -----------------------------------------------------------------

  private id(): number {
    return this.nextId++;
  }

  private async serve(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    const payload = await readBody(request);
    // The results service: its Twirp calls (at the server's root, as the
    // client builds their URLs) and the blob uploads it hands out.
    if (
      url.pathname.startsWith("/_results/") ||
      url.pathname.startsWith("/twirp/")
    ) {
      const path = url.pathname.replace(/^\/_results(?=\/)/, "");
      if (
        !this.results.handle(request, response, path, url.searchParams, payload)
      ) {
        this.problems.push(
          `results service: unexpected ${request.method} ${url.pathname}`,
        );
        response.writeHead(404);
        response.end();
      }
      return;
    }
    const blob = /^\/_blobs\/artifacts\/(\d+)\.zip$/.exec(url.pathname);
    if (blob && request.method === "GET") {
      const artifact = this.results.artifacts.find(
        (a) => a.id === Number(blob[1]),
      );
      if (artifact?.zip) {
        response.writeHead(200, { "content-type": "application/zip" });
        response.end(artifact.zip);
      } else {
        response.writeHead(404);
        response.end();
      }
      return;
    }
    if (this.oauth.servesWeb(url.pathname)) {
      const method = (request.method ?? "GET").toUpperCase();
      const reply = this.oauth.web(method, url, payload, request.headers);
      return this.send(response, method, url.pathname, undefined, reply);
    }
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    const method = (request.method ?? "GET").toUpperCase();
    let body: Json = {};
    if (payload.length > 0) {
      try {
        body = JSON.parse(payload.toString("utf8")) as Json;
      } catch {
        return this.send(response, method, path, undefined, {
          status: 400,
          body: { message: "Problems parsing JSON" },
        });
      }
    }
    const { operationId, errors } = validateGitHubRequest(
      method,
      `${path}${url.search}`,
      payload.length > 0 ? body : undefined,
    );
    if (errors.length > 0) {
      this.problems.push(...errors.map((e) => `${method} ${path}: ${e}`));
      return this.send(response, method, path, operationId, {
        status: 422,
        body: {
          message: `Invalid request.\n\n${errors.join("\n")}`,
          documentation_url: "https://docs.github.com/rest",
          status: "422",
        },
      });
    }
    const limited = this.limitedInstallation(request.headers.authorization);
    if (limited !== undefined) {
      const refused = this.rateLimits?.admit(limited, method);
      if (refused)
        return this.send(response, method, path, operationId, refused);
    }
    try {
      const reply = await this.route(
        method,
        path,
        url.searchParams,
        body,
        request.headers,
      );
      if (limited !== undefined && this.rateLimits) {
        reply.headers = {
          ...this.rateLimits.headers(limited),
          ...reply.headers,
        };
      }
      this.send(response, method, path, operationId, reply);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (status === 500) this.problems.push(`${method} ${path}: ${message}`);
      this.send(response, method, path, operationId, {
        status,
        body: {
          message,
          documentation_url: "https://docs.github.com/rest",
          status: String(status),
          ...(error instanceof HttpError ? error.extra : {}),
        },
      });
    }
  }

  private send(
    response: ServerResponse,
    method: string,
    path: string,
    operationId: string | undefined,
    reply: Reply,
  ): void {
    this.requests.push({ method, path, operationId, status: reply.status });
    const headers: Record<string, string> = {
      "x-github-api-version-selected": "2022-11-28",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      ...reply.headers,
    };
    if (reply.raw !== undefined) {
      response.writeHead(reply.status, headers);
      response.end(reply.raw);
      return;
    }
    if (reply.body === undefined) {
      response.writeHead(reply.status, headers);
      response.end();
      return;
    }
    response.writeHead(reply.status, {
      "content-type": "application/json; charset=utf-8",
      ...headers,
    });
    response.end(JSON.stringify(reply.body));
  }

  private async route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Json,
    headers: IncomingMessage["headers"],
  ): Promise<Reply> {
    const asUser = this.oauth.rest(
      method,
      path,
      query,
      body,
      headers.authorization,
    );
    if (asUser !== undefined) return asUser;
    const token = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (token && method === "POST") {
      this.verifyJwt(headers.authorization);
      const installation = Number(token[1]);
      const value = `ghs_${randomBytes(18).toString("hex")}`;
      this.tokens.set(value, installation);
      return ok(
        {
          token: value,
          expires_at: new Date(this.now().getTime() + 3_600_000).toISOString(),
          permissions: {},
          repository_selection: "all",
        },
        201,
      );
    }
    if (path === "/app/hook/deliveries" && method === "GET") {
      this.verifyJwt(headers.authorization);
      return this.listDeliveries(query);
    }
    const attempts = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/.exec(path);
    if (attempts && method === "POST") {
      this.verifyJwt(headers.authorization);
      const attempt = this.webhooks.log.find(
        (d) => d.id === Number(attempts[1]),
      );
      if (attempt === undefined) notFound();
      // GitHub keeps three days of deliveries.
      if (
        this.now().getTime() - Date.parse(attempt.delivered_at) >
        3 * 86_400_000
      ) {
        throw new HttpError(422, "Validation Failed");
      }
      this.webhooks.redeliver(attempt.id);
      return ok({}, 202);
    }
    const repoPath = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (repoPath === null) throw new HttpError(404, "Not Found");
    const fullName = `${repoPath[1]}/${repoPath[2]}`;
    const rest = repoPath[3] ?? "";
    const repo = this.repositories.get(fullName);
    const installation = this.installationOf(headers.authorization);
    if (repo === undefined || repo.installation !== installation) notFound();
    for (const [verb, pattern, handler] of this.routes) {
      if (verb !== method) continue;
      const match = pattern.exec(rest);
      if (match === null) continue;
      return handler({
        method,
        params: match.slice(1).map((p) => decodeURIComponent(p)),
        query,
        body,
        repo,
        headers,
      });
    }
    throw new HttpError(404, `the simulator does not serve ${method} ${path}`);
  }

  /**
   * The App's delivery log, newest first, answered attempts only; pages
   * link to the next by a cursor (the first attempt id of the next page).
   */
  private listDeliveries(query: URLSearchParams): Reply {
    const perPage = Math.min(Number(query.get("per_page") ?? 30), 100);
    const cursor = /^v1_(\d+)$/.exec(query.get("cursor") ?? "");
    const wanted = query.get("status");
    const all = this.webhooks.log
      .filter((d) => d.status !== null)
      .filter((d) => cursor === null || d.id <= Number(cursor[1]))
      .filter((d) => {
        if (wanted === null) return true;
        const ok = d.status !== null && d.status >= 200 && d.status < 300;
        return wanted === "success" ? ok : !ok;
      })
      .sort((a, b) => b.id - a.id);
    const page = all.slice(0, perPage);
    const next = all[perPage];
    const headers: Record<string, string> = {};
    if (next !== undefined) {
      const params = new URLSearchParams(query);
      params.set("cursor", `v1_${next.id}`);
      headers.link = `<${this.url}/api/v3/app/hook/deliveries?${params}>; rel="next"`;
    }
    return { status: 200, body: page.map(deliveryItem), headers };
  }

  private verifyJwt(authorization: string | undefined): void {
    const jwt = (authorization ?? "").replace(/^bearer /i, "");
    const [head = "", claims = "", signature = ""] = jwt.split(".");
    const verifier = createVerify("RSA-SHA256");
    verifier.update(`${head}.${claims}`);
    const valid =
      signature !== "" &&
      verifier.verify(this.publicKey, Buffer.from(signature, "base64url"));
    const payload = valid
      ? (JSON.parse(Buffer.from(claims, "base64url").toString()) as {
          iss?: unknown;
          exp?: number;
        })
      : undefined;
    if (
      payload === undefined ||
      String(payload.iss) !== String(this.options.appId) ||
      (payload.exp ?? 0) * 1000 < this.now().getTime()
    ) {
      throw new HttpError(401, "A JSON web token could not be decoded");
    }
  }

  /** The installation a request is made as, when rate limits are on. */
  private limitedInstallation(
    authorization: string | undefined,
  ): number | undefined {
    if (this.rateLimits === undefined) return undefined;
    return this.tokens.get(
      (authorization ?? "").replace(/^(token|Bearer) /i, ""),
    );
  }

  private installationOf(authorization: string | undefined): number {
    const value = (authorization ?? "").replace(/^(token|Bearer) /i, "");
    const installation = this.tokens.get(value);
    if (installation === undefined) throw new HttpError(401, "Bad credentials");
    return installation;
  }

  // --- Payload pieces ---------------------------------------------------------

  private readonly commentRepo = new Map<number, string>();

  private addComment(
    repo: Repository,
    number: number,
    body: string,
    user: User,
  ): Comment {
    const at = this.now().toISOString();
    const comment: Comment = {
      id: this.id(),
      issue: number,
      body,
      user,
      created_at: at,
      updated_at: at,
      reactions: [],
    };
    this.comments.set(comment.id, comment);
    this.commentRepo.set(comment.id, repo.full_name);
    return comment;
  }

  private userPayload(user: User): Json {
    const base = template("issue_comment.created").sender as Json;
    return {
      ...base,
      login: user.login,
      id: user.id,
      node_id: `U_${user.id}`,
      type: user.type,
      html_url:
        user.type === "Bot"
          ? `${this.url}/apps/${user.login.replace(/\[bot\]$/, "")}`
          : `${this.url}/${user.login}`,
      url: `${this.url}/api/v3/users/${encodeURIComponent(user.login)}`,
    };
  }

  /** A branch of `repo` moved: its `pushed_at` is now (and always later). */
  private pushed(repo: Repository): void {
    const now = Date.now();
    const last = Date.parse(repo.pushedAt);
    repo.pushedAt = new Date(Math.max(now, last + 1)).toISOString();
  }

  repositoryPayload(repo: Repository): Json {
    const base = template("issue_comment.created").repository as Json;
    return {
      ...base,
      id: repo.id,
      node_id: `R_${repo.id}`,
      name: repo.name,
      full_name: repo.full_name,
      private: repo.private,
      owner: { ...base.owner, login: repo.owner },
      html_url: `${this.url}/${repo.full_name}`,
      url: `${this.url}/api/v3/repos/${repo.full_name}`,
      default_branch: repo.default_branch,
      pushed_at: repo.pushedAt,
      has_discussions: false,
    };
  }

  private envelope(repo: Repository, login: string): Json {
    return {
      repository: this.repositoryPayload(repo),
      sender: this.userPayload(this.user(login)),
      installation: {
        id: repo.installation,
        node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${repo.installation}`,
      },
    };
  }

  private issuePayload(repo: Repository, issue: Issue): Json {
    const base = template("issue_comment.created").issue as Json;
    const html = `${this.url}/${repo.full_name}/${issue.pull ? "pull" : "issues"}/${issue.number}`;
    return {
      ...base,
      id: issue.number + 700_000,
      node_id: `I_${issue.number}`,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      user: this.userPayload(issue.user),
      labels: issue.labels.map((name) => {
        const label = repo.labels.get(name);
        return {
          id: label?.id ?? 0,
          node_id: `LA_${label?.id ?? 0}`,
          url: `${this.url}/api/v3/repos/${repo.full_name}/labels/${encodeURIComponent(name)}`,
          name,
          color: label?.color ?? "ededed",
          default: false,
          description: label?.description ?? null,
        };
      }),
      html_url: html,
      url: `${this.url}/api/v3/repos/${repo.full_name}/issues/${issue.number}`,
      repository_url: `${this.url}/api/v3/repos/${repo.full_name}`,
      comments_url: `${this.url}/api/v3/repos/${repo.full_name}/issues/${issue.number}/comments`,
      events_url: `${this.url}/api/v3/repos/${repo.full_name}/issues/${issue.number}/events`,
      labels_url: `${this.url}/api/v3/repos/${repo.full_name}/issues/${issue.number}/labels{/name}`,
      ...(issue.pull
        ? {
            pull_request: {
              url: `${this.url}/api/v3/repos/${repo.full_name}/pulls/${issue.number}`,
              html_url: html,
              diff_url: `${html}.diff`,
              patch_url: `${html}.patch`,
              merged_at: null,
            },
          }
        : { pull_request: undefined }),
    };
  }

  private commentPayload(repo: Repository, comment: Comment): Json {
    const base = template("issue_comment.created").comment as Json;
    return {
      ...base,
      id: comment.id,
      node_id: `IC_${comment.id}`,
      body: comment.body,
      user: this.userPayload(comment.user),
      created_at: comment.created_at,
      updated_at: comment.updated_at,
      html_url: `${this.url}/${repo.full_name}/issues/${comment.issue}#issuecomment-${comment.id}`,
      issue_url: `${this.url}/api/v3/repos/${repo.full_name}/issues/${comment.issue}`,
      url: `${this.url}/api/v3/repos/${repo.full_name}/issues/comments/${comment.id}`,
      performed_via_github_app: null,
    };
  }

  private commentJson(repo: Repository, comment: Comment): Json {
    return this.commentPayload(repo, comment);
  }

  private ensureLabel(
    repo: Repository,
    name: string,
    color = "ededed",
    description: string | null = null,
  ) {
    let label = repo.labels.get(name);
    if (label === undefined) {
      label = { id: this.id(), name, color, description };
      repo.labels.set(name, label);
    }
    return label;
  }

  private checkRunEvent(
    id: number,
    action: "requested_action" | "rerequested" | "created" | "completed",
    login: string,
    identifier?: string,
  ): void {
    const run = this.checkRuns.get(id);
    if (run === undefined) throw new Error(`no check run ${id}`);
    const repo = this.repo(run.repo);
    const payload = template("check_run.requested_action");
    Object.assign(payload, this.envelope(repo, login), { action });
    if (login === APP_BOT.login) payload.sender = this.userPayload(APP_BOT);
    if (action === "requested_action")
      payload.requested_action = { identifier };
    else delete payload.requested_action;
    Object.assign(payload.check_run, {
      id: run.id,
      node_id: `CR_${run.id}`,
      name: run.name,
      head_sha: run.head_sha,
      external_id: run.external_id ?? "",
      status: run.status,
      conclusion: run.conclusion,
      details_url:
        run.details_url ?? `${this.url}/${repo.full_name}/runs/${run.id}`,
      html_url: `${this.url}/${repo.full_name}/runs/${run.id}`,
      url: `${this.url}/api/v3/repos/${repo.full_name}/check-runs/${run.id}`,
      started_at:
        run.started_at ?? run.completed_at ?? this.now().toISOString(),
      completed_at: run.completed_at,
      output: {
        ...payload.check_run.output,
        title: run.output.title,
        summary: run.output.summary,
        text: run.output.text,
        annotations_count: run.annotations.length,
      },
      pull_requests: [],
    });
    payload.check_run.check_suite.head_sha = run.head_sha;
    this.webhooks.send("check_run", payload);
  }

  // --- REST routes ------------------------------------------------------------

  private on(method: string, pattern: string, handler: Handler): void {
    const regex = new RegExp(
      `^${pattern.replace(/\{[a-z_]+\*\}/g, "(.+)").replace(/\{[a-z_]+\}/g, "([^/]+)")}$`,
    );
    this.routes.push([method, regex, handler]);
  }

  private defineRoutes(): void {
    this.on(
      "GET",
      "/collaborators/{username}/permission",
      ({ repo, params }) => {
        const login = params[0] ?? "";
        const role = repo.roles.get(login) ?? (repo.private ? null : "read");
        if (role === null) {
          return ok({
            permission: "none",
            role_name: "none",
            user: this.userPayload(this.user(login)),
          });
        }
        return ok({
          permission: ROLE_PERMISSION[role],
          role_name: role,
          user: this.userPayload(this.user(login)),
        });
      },
    );

    this.on(
      "GET",
      "/contents/{path*}",
      async ({ repo, params, query, headers }) => {
        const ref = query.get("ref") ?? repo.default_branch;
        const path = params[0] ?? "";
        const bytes = await repo.git.read(ref, path);
        if (bytes === undefined) notFound();
        if (String(headers.accept ?? "").includes("raw")) {
          // GitHub answers the raw media type as text/plain; Octokit gives
          // a string for that (an ArrayBuffer for a content type without a
          // charset), which Probot's config loader and ours read as YAML.
          return {
            status: 200,
            raw: bytes,
            headers: { "content-type": "text/plain; charset=utf-8" },
          };
        }
        return ok({
          type: "file",
          encoding: "base64",
          size: bytes.length,
          name: path.split("/").at(-1),
          path,
          content: bytes.toString("base64"),
          sha: await repo.git.text(["rev-parse", `${ref}:${path}`]),
        });
      },
    );

    // Git Data: refs, commits, trees, blobs, on the real repository.
    const refJson = (repo: Repository, ref: string, sha: string) => ({
      ref: `refs/${ref}`,
      node_id: `REF_${sha.slice(0, 8)}`,
      url: `${this.url}/api/v3/repos/${repo.full_name}/git/refs/${ref}`,
      object: {
        type: "commit",
        sha,
        url: `${this.url}/api/v3/repos/${repo.full_name}/git/commits/${sha}`,
      },
    });
    this.on("GET", "/git/ref/{ref*}", async ({ repo, params }) => {
      const ref = params[0] ?? "";
      const sha = await repo.git.resolve(`refs/${ref}`);
      if (sha === undefined) notFound();
      return ok(refJson(repo, ref, sha));
    });
    this.on("POST", "/git/refs", async ({ repo, body }) => {
      const ref = String(body.ref);
      if (!ref.startsWith("refs/") || ref.split("/").length < 3) {
        throw new HttpError(
          422,
          "Reference name must start with 'refs/' and have at least two slashes.",
        );
      }
      if (!(await repo.git.exists(String(body.sha), "commit"))) {
        throw new HttpError(422, "Object does not exist");
      }
      if ((await repo.git.resolve(ref)) !== undefined) {
        throw new HttpError(422, "Reference already exists");
      }
      await repo.git.setRef(ref, String(body.sha));
      this.pushed(repo);
      return ok(refJson(repo, ref.slice(5), String(body.sha)), 201);
    });
    this.on("PATCH", "/git/refs/{ref*}", async ({ repo, params, body }) => {
      const ref = `refs/${params[0] ?? ""}`;
      const current = await repo.git.resolve(ref);
      if (current === undefined)
        throw new HttpError(422, "Reference does not exist");
      const sha = String(body.sha);
      if (!(await repo.git.exists(sha, "commit"))) {
        throw new HttpError(422, "Object does not exist");
      }
      if (body.force !== true && !(await repo.git.isAncestor(current, sha))) {
        throw new HttpError(422, "Update is not a fast forward");
      }
      await repo.git.setRef(ref, sha);
      this.pushed(repo);
      return ok(refJson(repo, ref.slice(5), sha));
    });
    const commitJson = async (repo: Repository, sha: string) => {
      const commit = await repo.git.commit(sha);
      return {
        sha,
        node_id: `C_${sha.slice(0, 8)}`,
        url: `${this.url}/api/v3/repos/${repo.full_name}/git/commits/${sha}`,
        html_url: `${this.url}/${repo.full_name}/commit/${sha}`,
        author: commit.author,
        committer: commit.committer,
        message: commit.message.replace(/\n$/, ""),
        tree: {
          sha: commit.tree,
          url: `${this.url}/api/v3/repos/${repo.full_name}/git/trees/${commit.tree}`,
        },
        parents: commit.parents.map((p) => ({
          sha: p,
          url: `${this.url}/api/v3/repos/${repo.full_name}/git/commits/${p}`,
          html_url: `${this.url}/${repo.full_name}/commit/${p}`,
        })),
        verification: {
          verified: false,
          reason: "unsigned",
          signature: null,
          payload: null,
          verified_at: null,
        },
      };
    };
    // A branch with its head commit (and so its tree): GitHub's example,
    // filled in from the real repository.
    this.on("GET", "/branches/{branch*}", async ({ repo, params }) => {
      const name = params[0] ?? "";
      const sha = await repo.git.resolve(`refs/heads/${name}`);
      if (sha === undefined) throw new HttpError(404, "Branch not found");
      const branch = restExample("branch-get") as Record<string, Json>;
      const base = `${this.url}/api/v3/repos/${repo.full_name}`;
      const head = await commitJson(repo, sha);
      return ok({
        ...branch,
        name,
        commit: {
          ...(branch.commit as Record<string, Json>),
          sha,
          node_id: head.node_id,
          url: `${base}/commits/${sha}`,
          html_url: head.html_url,
          comments_url: `${base}/commits/${sha}/comments`,
          commit: {
            ...((branch.commit as Record<string, Record<string, Json>>)
              .commit ?? {}),
            author: head.author,
            committer: head.committer,
            message: head.message,
            tree: head.tree,
            url: head.url,
            comment_count: 0,
            verification: head.verification,
          },
          parents: head.parents.map(({ sha: parent, url, html_url }) => ({
            sha: parent,
            url,
            html_url,
          })),
        },
        _links: {
          self: `${base}/branches/${name}`,
          html: `${this.url}/${repo.full_name}/tree/${name}`,
        },
        protected: false,
        protection_url: `${base}/branches/${name}/protection`,
      });
    });
    this.on("GET", "/git/commits/{sha}", async ({ repo, params }) => {
      const sha = params[0] ?? "";
      if (!(await repo.git.exists(sha, "commit"))) notFound();
      return ok(await commitJson(repo, sha));
    });
    this.on("POST", "/git/blobs", async ({ repo, body }) => {
      const content = Buffer.from(
        String(body.content),
        body.encoding === "base64" ? "base64" : "utf8",
      );
      const sha = await repo.git.createBlob(content);
      return ok(
        {
          sha,
          url: `${this.url}/api/v3/repos/${repo.full_name}/git/blobs/${sha}`,
        },
        201,
      );
    });
    this.on("POST", "/git/trees", async ({ repo, body }) => {
      const base = body.base_tree === undefined ? null : String(body.base_tree);
      if (base !== null && !(await repo.git.exists(base, "tree"))) {
        throw new HttpError(422, "Invalid tree info");
      }
      const entries = body.tree as TreeEntry[];
      for (const entry of entries) {
        if (entry.sha != null && !(await repo.git.exists(entry.sha))) {
          throw new HttpError(422, `tree.sha ${entry.sha} is not a valid blob`);
        }
      }
      try {
        const sha = await repo.git.createTree(base, entries);
        return ok(
          {
            sha,
            url: `${this.url}/api/v3/repos/${repo.full_name}/git/trees/${sha}`,
            tree: [],
            truncated: false,
          },
          201,
        );
      } catch (error) {
        if (error instanceof GitError)
          throw new HttpError(422, "GitRPC::BadObjectState");
        throw error;
      }
    });
    this.on("POST", "/git/commits", async ({ repo, body }) => {
      const tree = String(body.tree);
      const parents = (body.parents as string[] | undefined) ?? [];
      if (!(await repo.git.exists(tree, "tree")))
        throw new HttpError(422, "Tree SHA does not exist");
      for (const parent of parents) {
        if (!(await repo.git.exists(parent, "commit"))) {
          throw new HttpError(
            422,
            "Parent SHA does not exist or is not a commit object",
          );
        }
      }
      const sha = await repo.git.createCommit(
        String(body.message),
        tree,
        parents,
      );
      return ok(await commitJson(repo, sha), 201);
    });

    // Issues: comments, reactions, labels.
    const issueOf = (repo: Repository, number: string | undefined) => {
      const issue = repo.issues.get(Number(number));
      if (issue === undefined) notFound();
      return issue;
    };
    this.on("GET", "/issues/{number}/comments", ({ repo, params, query }) => {
      issueOf(repo, params[0]);
      const since = query.get("since");
      const perPage = Number(query.get("per_page") ?? 30);
      const page = Number(query.get("page") ?? 1);
      const all = this.commentsOn(repo, Number(params[0])).filter(
        (c) => since === null || c.updated_at >= new Date(since).toISOString(),
      );
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < all.length) {
        const next = new URL(
          `${this.url}/api/v3/repos/${repo.full_name}/issues/${params[0]}/comments`,
        );
        for (const [k, v] of query) next.searchParams.set(k, v);
        next.searchParams.set("page", String(page + 1));
        headers.link = `<${next}>; rel="next"`;
      }
      return {
        status: 200,
        body: slice.map((c) => this.commentJson(repo, c)),
        headers,
      };
    });
    this.on("POST", "/issues/{number}/comments", ({ repo, params, body }) => {
      const issue = issueOf(repo, params[0]);
      const comment = this.addComment(
        repo,
        Number(params[0]),
        String(body.body),
        APP_BOT,
      );
      // GitHub tells the App of its own comments too; it must ignore them.
      this.webhooks.send("issue_comment", {
        ...this.envelope(repo, APP_BOT.login),
        sender: this.userPayload(APP_BOT),
        action: "created",
        issue: this.issuePayload(repo, issue),
        comment: this.commentPayload(repo, comment),
      });
      return ok(this.commentJson(repo, comment), 201);
    });
    this.on("PATCH", "/issues/comments/{id}", ({ repo, params, body }) => {
      const comment = this.comments.get(Number(params[0]));
      if (
        comment === undefined ||
        this.commentRepo.get(comment.id) !== repo.full_name
      )
        notFound();
      if (comment.user.login !== APP_BOT.login) {
        throw new HttpError(403, "Resource not accessible by integration");
      }
      comment.body = String(body.body);
      comment.updated_at = this.now().toISOString();
      return ok(this.commentJson(repo, comment));
    });
    this.on(
      "POST",
      "/issues/comments/{id}/reactions",
      ({ repo, params, body }) => {
        const comment = this.comments.get(Number(params[0]));
        if (
          comment === undefined ||
          this.commentRepo.get(comment.id) !== repo.full_name
        )
          notFound();
        const existing = comment.reactions.find(
          (r) => r.content === body.content && r.user.login === APP_BOT.login,
        );
        if (!existing)
          comment.reactions.push({
            content: String(body.content),
            user: APP_BOT,
          });
        return ok(
          {
            id: this.id(),
            content: body.content,
            user: this.userPayload(APP_BOT),
            created_at: this.now().toISOString(),
          },
          existing ? 200 : 201,
        );
      },
    );
    const labelJson = (
      repo: Repository,
      label: {
        id: number;
        name: string;
        color: string;
        description: string | null;
      },
    ) => ({
      id: label.id,
      node_id: `LA_${label.id}`,
      url: `${this.url}/api/v3/repos/${repo.full_name}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      color: label.color,
      default: false,
      description: label.description,
    });
    this.on("GET", "/labels/{name}", ({ repo, params }) => {
      const label = repo.labels.get(params[0] ?? "");
      if (label === undefined) notFound();
      return ok(labelJson(repo, label));
    });
    this.on("POST", "/labels", ({ repo, body }) => {
      const name = String(body.name);
      if (repo.labels.has(name)) {
        throw new HttpError(422, "Validation Failed", {
          errors: [
            { resource: "Label", code: "already_exists", field: "name" },
          ],
        });
      }
      const label = this.ensureLabel(
        repo,
        name,
        String(body.color ?? "ededed"),
        (body.description as string | undefined) ?? null,
      );
      return ok(labelJson(repo, label), 201);
    });
    this.on("POST", "/issues/{number}/labels", ({ repo, params, body }) => {
      const issue = issueOf(repo, params[0]);
      for (const name of (body.labels as string[]) ?? []) {
        this.ensureLabel(repo, name);
        if (!issue.labels.includes(name)) issue.labels.push(name);
      }
      return ok(
        issue.labels.map((name) =>
          labelJson(repo, this.ensureLabel(repo, name)),
        ),
      );
    });
    this.on("DELETE", "/issues/{number}/labels/{name}", ({ repo, params }) => {
      const issue = issueOf(repo, params[0]);
      const name = params[1] ?? "";
      if (!issue.labels.includes(name)) {
        throw new HttpError(404, "Label does not exist");
      }
      issue.labels = issue.labels.filter((l) => l !== name);
      return ok(
        issue.labels.map((l) => labelJson(repo, this.ensureLabel(repo, l))),
      );
    });

    // Pull requests.
    const pullJson = (repo: Repository, issue: Issue) => ({
      id: issue.number + 800_000,
      node_id: `PR_${issue.number}`,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.pull?.state,
      draft: issue.pull?.draft,
      html_url: `${this.url}/${repo.full_name}/pull/${issue.number}`,
      url: `${this.url}/api/v3/repos/${repo.full_name}/pulls/${issue.number}`,
      head: {
        ref: issue.pull?.head,
        label: `${repo.owner}:${issue.pull?.head}`,
      },
      base: {
        ref: issue.pull?.base,
        label: `${repo.owner}:${issue.pull?.base}`,
      },
      user: this.userPayload(issue.user),
      requested_reviewers: (issue.pull?.requested_reviewers ?? []).map((l) =>
        this.userPayload(this.user(l)),
      ),
    });
    this.on("POST", "/pulls", async ({ repo, body }) => {
      const head = String(body.head).replace(/^[^:]+:/, "");
      const base = String(body.base);
      if ((await repo.git.resolve(`refs/heads/${head}`)) === undefined) {
        throw new HttpError(422, "Validation Failed", {
          errors: [{ resource: "PullRequest", field: "head", code: "invalid" }],
        });
      }
      const open = this.pulls(repo).find(
        (p) => p.pull?.head === head && p.pull.state === "open",
      );
      if (open) {
        throw new HttpError(422, "Validation Failed", {
          errors: [
            {
              resource: "PullRequest",
              code: "custom",
              message: `A pull request already exists for ${repo.owner}:${head}.`,
            },
          ],
        });
      }
      if (body.draft === true && !repo.draftPullRequests) {
        // GitHub's answer, a plain 422 without `errors`, on a repository
        // whose plan has no drafts (cynkra/fledge#260; cli/cli#520).
        throw new HttpError(422, DRAFTS_NOT_SUPPORTED, {
          documentation_url:
            "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
        });
      }
      const number = repo.nextNumber++;
      const issue: Issue = {
        number,
        title: String(body.title),
        body: String(body.body ?? ""),
        user: APP_BOT,
        labels: [],
        created_at: this.now().toISOString(),
        pull: {
          head,
          base,
          draft: body.draft === true,
          state: "open",
          requested_reviewers: [],
        },
      };
      repo.issues.set(number, issue);
      return ok(pullJson(repo, issue), 201);
    });
    this.on("GET", "/pulls", ({ repo, query }) => {
      const head = query.get("head")?.replace(/^[^:]+:/, "");
      const state = query.get("state") ?? "open";
      return ok(
        this.pulls(repo)
          .filter((p) => head === undefined || p.pull?.head === head)
          .filter((p) => state === "all" || p.pull?.state === state)
          .map((p) => pullJson(repo, p)),
      );
    });
    this.on(
      "POST",
      "/pulls/{number}/requested_reviewers",
      ({ repo, params, body }) => {
        const issue = issueOf(repo, params[0]);
        if (issue.pull === null) notFound();
        for (const login of (body.reviewers as string[]) ?? []) {
          if (login === issue.user.login) {
            throw new HttpError(
              422,
              "Review cannot be requested from pull request author.",
            );
          }
          if (!issue.pull.requested_reviewers.includes(login))
            issue.pull.requested_reviewers.push(login);
        }
        return ok(pullJson(repo, issue), 201);
      },
    );

    // Check runs.
    const checkJson = (repo: Repository, run: CheckRun) => ({
      id: run.id,
      node_id: `CR_${run.id}`,
      name: run.name,
      head_sha: run.head_sha,
      external_id: run.external_id,
      status: run.status,
      conclusion: run.conclusion,
      details_url: run.details_url,
      started_at: run.started_at,
      completed_at: run.completed_at,
      html_url: `${this.url}/${repo.full_name}/runs/${run.id}`,
      url: `${this.url}/api/v3/repos/${repo.full_name}/check-runs/${run.id}`,
      output: { ...run.output, annotations_count: run.annotations.length },
      pull_requests: [],
    });
    const applyCheck = (run: CheckRun, body: Json) => {
      run.history.push(body);
      for (const key of [
        "name",
        "external_id",
        "details_url",
        "started_at",
        "completed_at",
      ] as const) {
        if (body[key] !== undefined) (run as unknown as Json)[key] = body[key];
      }
      if (body.status !== undefined) run.status = body.status;
      if (body.conclusion !== undefined) {
        run.conclusion = body.conclusion;
        run.status = "completed";
        run.completed_at ??= this.now().toISOString();
      }
      const output = body.output as Json | undefined;
      if (output) {
        run.output = {
          title: output.title ?? run.output.title,
          summary: output.summary ?? run.output.summary,
          text: output.text ?? run.output.text,
        };
        run.annotations.push(
          ...((output.annotations as CheckRun["annotations"]) ?? []),
        );
      }
      if (body.actions !== undefined) run.actions = body.actions;
    };
    this.on("POST", "/check-runs", async ({ repo, body }) => {
      if (!(await repo.git.exists(String(body.head_sha), "commit"))) {
        throw new HttpError(
          422,
          `No commit found for SHA: ${String(body.head_sha)}`,
        );
      }
      const run: CheckRun = {
        id: this.id(),
        repo: repo.full_name,
        name: String(body.name),
        head_sha: String(body.head_sha),
        external_id: null,
        status: "queued",
        conclusion: null,
        details_url: null,
        started_at: null,
        completed_at: null,
        output: { title: null, summary: null, text: null },
        annotations: [],
        actions: [],
        history: [],
      };
      applyCheck(run, body);
      this.checkRuns.set(run.id, run);
      // GitHub tells the App of its own check runs: created, completed.
      this.checkRunEvent(run.id, "created", APP_BOT.login);
      if (run.status === "completed") {
        this.checkRunEvent(run.id, "completed", APP_BOT.login);
      }
      return ok(checkJson(repo, run), 201);
    });
    this.on("PATCH", "/check-runs/{id}", ({ repo, params, body }) => {
      const run = this.checkRuns.get(Number(params[0]));
      if (run === undefined || run.repo !== repo.full_name) notFound();
      const was = run.status;
      applyCheck(run, body);
      if (run.status === "completed" && was !== "completed") {
        this.checkRunEvent(run.id, "completed", APP_BOT.login);
      }
      return ok(checkJson(repo, run));
    });
    this.on("GET", "/check-runs/{id}", ({ repo, params }) => {
      const run = this.checkRuns.get(Number(params[0]));
      if (run === undefined || run.repo !== repo.full_name) notFound();
      return ok(checkJson(repo, run));
    });
    this.on(
      "GET",
      "/commits/{ref}/check-runs",
      async ({ repo, params, query }) => {
        const ref = params[0] ?? "";
        const sha = /^[0-9a-f]{40}$/.test(ref)
          ? ref
          : await repo.git.resolve(`refs/heads/${ref}`);
        const name = query.get("check_name");
        const runs = this.checkRunsOf(repo).filter(
          (r) => r.head_sha === sha && (name === null || r.name === name),
        );
        return ok({
          total_count: runs.length,
          check_runs: runs.map((r) => checkJson(repo, r)),
        });
      },
    );

    // Actions: dispatch, runs, cancel, artifacts.
    this.on(
      "POST",
      "/actions/workflows/{workflow_id}/dispatches",
      async ({ repo, params, body }) => {
        return this.dispatch(repo, params[0] ?? "", body);
      },
    );
    this.on(
      "GET",
      "/actions/workflows/{workflow_id}/runs",
      ({ repo, params, query }) => {
        const path = `.github/workflows/${params[0]}`;
        const runs = this.workflowRunsOf(repo)
          .filter((r) => r.path === path)
          .filter(
            (r) =>
              !query.get("branch") || r.head_branch === query.get("branch"),
          )
          // Every run here is a workflow_dispatch.
          .filter(
            () =>
              !query.get("event") || query.get("event") === "workflow_dispatch",
          )
          .reverse()
          .slice(0, Number(query.get("per_page") ?? 30));
        return ok({
          total_count: runs.length,
          workflow_runs: runs.map((r) => this.runJson(repo, r)),
        });
      },
    );
    this.on("GET", "/actions/runs/{run_id}", ({ repo, params }) => {
      const run = this.workflowRuns.get(Number(params[0]));
      if (run === undefined || run.repo !== repo.full_name) notFound();
      return ok(this.runJson(repo, run));
    });
    this.on("POST", "/actions/runs/{run_id}/cancel", ({ repo, params }) => {
      const run = this.workflowRuns.get(Number(params[0]));
      if (run === undefined || run.repo !== repo.full_name) notFound();
      if (run.status === "completed") {
        throw new HttpError(
          409,
          "Cannot cancel a workflow run that is completed.",
        );
      }
      run.cancel.abort();
      return ok({}, 202);
    });
    this.on(
      "GET",
      "/actions/runs/{run_id}/artifacts",
      ({ repo, params, query }) => {
        const run = this.workflowRuns.get(Number(params[0]));
        if (run === undefined || run.repo !== repo.full_name) notFound();
        const name = query.get("name");
        const artifacts = this.results
          .artifactsOf(run.id)
          .filter((a) => name === null || a.name === name);
        return ok({
          total_count: artifacts.length,
          artifacts: artifacts.map((a) => ({
            id: a.id,
            node_id: `A_${a.id}`,
            name: a.name,
            size_in_bytes: a.zip?.length ?? 0,
            url: `${this.url}/api/v3/repos/${repo.full_name}/actions/artifacts/${a.id}`,
            archive_download_url: `${this.url}/api/v3/repos/${repo.full_name}/actions/artifacts/${a.id}/zip`,
            expired: false,
            created_at: a.createdAt,
            updated_at: a.createdAt,
            expires_at: a.expiresAt,
            digest: null,
            workflow_run: {
              id: run.id,
              head_branch: run.head_branch,
              head_sha: run.head_sha,
            },
          })),
        });
      },
    );
    this.on(
      "GET",
      "/actions/artifacts/{artifact_id}/{archive_format}",
      ({ repo, params }) => {
        const artifact = this.results.artifacts.find(
          (a) => a.id === Number(params[0]),
        );
        const run = artifact
          ? this.workflowRuns.get(artifact.workflowRunId)
          : undefined;
        if (artifact?.zip == null || run?.repo !== repo.full_name) notFound();
        return {
          status: 302,
          headers: {
            location: `${this.url}/_blobs/artifacts/${artifact.id}.zip?sig=local`,
          },
          raw: "",
        };
      },
    );
  }

  // --- Actions ------------------------------------------------------------------

  runJson(repo: Repository, run: WorkflowRun): Json {
    return {
      id: run.id,
      node_id: `WFR_${run.id}`,
      name: run.name,
      display_title: run.display_title,
      path: run.path,
      head_branch: run.head_branch,
      head_sha: run.head_sha,
      run_number: run.run_number,
      run_attempt: 1,
      event: "workflow_dispatch",
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: 77,
      html_url: `${this.url}/${repo.full_name}/actions/runs/${run.id}`,
      url: `${this.url}/api/v3/repos/${repo.full_name}/actions/runs/${run.id}`,
      created_at: run.created_at,
      updated_at: run.updated_at,
      run_started_at: run.run_started_at,
      actor: this.userPayload(APP_BOT),
      triggering_actor: this.userPayload(APP_BOT),
      pull_requests: [],
    };
  }

  private async dispatch(
    repo: Repository,
    file: string,
    body: Json,
  ): Promise<Reply> {
    const ref = String(body.ref).replace(/^refs\/heads\//, "");
    const path = `.github/workflows/${file}`;
    const sha = await repo.git.resolve(`refs/heads/${ref}`);
    if (sha === undefined) throw new HttpError(422, `No ref found for: ${ref}`);
    if ((await repo.git.read(repo.default_branch, path)) === undefined)
      notFound();
    const workflow = (await repo.git.read(sha, path))?.toString("utf8");
    if (workflow === undefined) {
      throw new HttpError(
        422,
        `Workflow does not have 'workflow_dispatch' trigger`,
      );
    }
    const inputs = (body.inputs as Record<string, string> | undefined) ?? {};
    const declared = ((parse(workflow) as Json | null)?.on?.workflow_dispatch
      ?.inputs ?? {}) as Record<string, { required?: boolean }>;
    const unexpected = Object.keys(inputs).filter((k) => !(k in declared));
    if (unexpected.length > 0) {
      throw new HttpError(
        422,
        `Unexpected inputs provided: ${JSON.stringify(unexpected)}`,
      );
    }
    for (const [name, input] of Object.entries(declared)) {
      if (input?.required && !(name in inputs)) {
        throw new HttpError(422, `Required input '${name}' not provided`);
      }
    }
    let title: string;
    try {
      title = runName(workflow, inputs);
    } catch (error) {
      throw new HttpError(
        422,
        error instanceof Error ? error.message : String(error),
      );
    }
    const at = this.now().toISOString();
    const run: WorkflowRun = {
      id: this.id(),
      repo: repo.full_name,
      run_number: this.workflowRunsOf(repo).length + 1,
      name: /^name:\s*(.+)$/m.exec(workflow)?.[1]?.trim() ?? file,
      path,
      display_title: title,
      head_branch: ref,
      head_sha: sha,
      status: "queued",
      conclusion: null,
      created_at: at,
      updated_at: at,
      run_started_at: at,
      inputs,
      log: "",
      summary: "",
      cancel: new AbortController(),
      jobId: this.id(),
    };
    this.workflowRuns.set(run.id, run);
    const job = this.execute(repo, run, workflow).finally(() =>
      this.jobs.delete(job),
    );
    this.jobs.add(job);
    if (body.return_run_details === true) {
      return ok({
        workflow_run_id: run.id,
        run_url: `${this.url}/api/v3/repos/${repo.full_name}/actions/runs/${run.id}`,
        html_url: `${this.url}/${repo.full_name}/actions/runs/${run.id}`,
      });
    }
    return { status: 204 };
  }

  private workflowRunEvent(
    repo: Repository,
    run: WorkflowRun,
    action: string,
  ): void {
    const payload = template("workflow_run.completed");
    Object.assign(payload, this.envelope(repo, APP_BOT.login), { action });
    Object.assign(payload.workflow_run, {
      ...this.runJson(repo, run),
      head_repository: this.repositoryPayload(repo),
      repository: this.repositoryPayload(repo),
    });
    payload.workflow.path = run.path;
    payload.workflow.name = run.name;
    this.webhooks.send("workflow_run", payload);
  }

  private workflowJobEvent(
    repo: Repository,
    run: WorkflowRun,
    action: "in_progress" | "completed",
    name: string,
    steps: JobStep[],
  ): Delivery {
    const payload = template(`workflow_job.${action}`);
    Object.assign(payload, this.envelope(repo, APP_BOT.login), { action });
    Object.assign(payload.workflow_job, {
      id: run.jobId,
      run_id: run.id,
      name,
      workflow_name: run.name,
      head_branch: run.head_branch,
      head_sha: run.head_sha,
      status: action === "completed" ? "completed" : "in_progress",
      conclusion: action === "completed" ? run.conclusion : null,
      html_url: `${this.url}/${repo.full_name}/actions/runs/${run.id}/job/${run.jobId}`,
      url: `${this.url}/api/v3/repos/${repo.full_name}/actions/jobs/${run.jobId}`,
      run_url: `${this.url}/api/v3/repos/${repo.full_name}/actions/runs/${run.id}`,
      started_at: run.run_started_at,
      completed_at: action === "completed" ? run.updated_at : null,
      steps,
    });
    return this.webhooks.send("workflow_job", payload);
  }

  /** Runs a dispatched workflow run's job, telling the App as GitHub does. */
  private async execute(
    repo: Repository,
    run: WorkflowRun,
    workflow: string,
  ): Promise<void> {
    this.workflowRunEvent(repo, run, "requested");
    // GitHub picks a runner a moment later, once one is free.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const limit = this.options.runners ?? Number.POSITIVE_INFINITY;
    if (this.busyRunners >= limit) {
      await new Promise<void>((resolve) => this.waitingForRunner.push(resolve));
    }
    this.busyRunners++;
    try {
      await this.runJob(repo, run, workflow);
    } finally {
      this.busyRunners--;
      this.waitingForRunner.shift()?.();
    }
  }

  private async runJob(
    repo: Repository,
    run: WorkflowRun,
    workflow: string,
  ): Promise<void> {
    if (run.cancel.signal.aborted) {
      return this.finish(repo, run, "cancelled", "Specwright stage", []);
    }
    run.status = "in_progress";
    run.updated_at = this.now().toISOString();
    this.workflowRunEvent(repo, run, "in_progress");
    this.workflowJobEvent(repo, run, "in_progress", "stage", []);
    const credentials = this.results.registerJob(run.id);
    const workDir = join(this.options.dataDir, "jobs", String(run.id));
    try {
      const result = await runStageJob(
        {
          workflow,
          inputs: run.inputs,
          secrets: repo.secrets,
          vars: repo.vars,
          cloneUrl: repo.git.dir,
          ref: run.head_branch,
          sha: run.head_sha,
          repository: repo.full_name,
          runId: run.id,
          runAttempt: 1,
          // What a job on github.com sees (@actions/artifact refuses to
          // upload anywhere it takes for GitHub Enterprise Server).
          serverUrl: "https://github.com",
          apiUrl: `${this.url}/api/v3`,
          resultsUrl: this.results.base,
          runtimeToken: credentials.runtimeToken,
          actionDir: this.options.actionDir,
          path: this.options.agentPath,
          ...(this.options.jobEnv ? { env: this.options.jobEnv } : {}),
          ...(this.options.jobUser ? { user: this.options.jobUser } : {}),
          workDir,
          now: this.now,
        },
        run.cancel.signal,
      );
      run.log = result.log;
      run.summary = result.summary;
      await this.finish(
        repo,
        run,
        result.conclusion,
        result.name,
        result.steps,
      );
    } catch (error) {
      this.problems.push(
        `workflow run ${run.id}: ${error instanceof Error ? error.message : String(error)}`,
      );
      await this.finish(repo, run, "failure", "stage", []);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  private async finish(
    repo: Repository,
    run: WorkflowRun,
    conclusion: string,
    jobName: string,
    steps: JobStep[],
  ): Promise<void> {
    run.status = "completed";
    run.conclusion = conclusion;
    run.updated_at = this.now().toISOString();
    if (this.jobCompletedLast) {
      this.workflowRunEvent(repo, run, "completed");
      this.workflowJobEvent(repo, run, "completed", jobName, steps);
      return;
    }
    // The job's end first, as GitHub usually sends it; answered before the
    // run's end goes, so the App has read the job's steps by then.
    const job = this.workflowJobEvent(repo, run, "completed", jobName, steps);
    await this.webhooks.answered(job);
    this.workflowRunEvent(repo, run, "completed");
  }
}

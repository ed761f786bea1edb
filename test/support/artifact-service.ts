import { createHash, randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the Actions results service that `@actions/artifact`
 * (v2+) uploads to: the Twirp `ArtifactService` (CreateArtifact,
 * FinalizeArtifact) and the Azure blob the zip is staged into (Put Block,
 * Put Block List). Strict: a request it does not know, a wrong token or
 * backend id, or a finalize whose size or hash does not match the upload is
 * answered with an error and recorded in `problems`.
 */
export interface StoredArtifact {
  id: number;
  name: string;
  /** The workflow run the job that uploaded it belongs to. */
  workflowRunId: number;
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  expiresAt: string | null;
  createdAt: string;
  /** The zip, once finalized. */
  zip: Buffer | null;
}

/** One job's credentials: ACTIONS_RUNTIME_TOKEN and the ids in it. */
export interface JobCredentials {
  runtimeToken: string;
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
}

const TWIRP = "/twirp/github.actions.results.api.v1.ArtifactService/";
const BLOB = /\/artifacts-blob\/(\d+)$/;

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The results service's logic, mountable under any prefix of a server:
 * jobs are registered (each gets an unsigned JWT scoped to it, as the runner
 * gives), and their uploads stored by workflow run.
 */
export class ResultsService {
  readonly artifacts: StoredArtifact[] = [];
  readonly problems: string[] = [];
  private readonly jobs = new Map<
    string,
    JobCredentials & { workflowRunId: number }
  >();
  private readonly blocks = new Map<number, Map<string, Buffer>>();
  private readonly blobs = new Map<number, Buffer>();
  private nextId: number;

  /** `base`: the URL requests reach this service at, with a trailing slash. */
  constructor(
    public base: string,
    options: { firstId?: number; now?: () => Date } = {},
  ) {
    this.nextId = options.firstId ?? 1;
    this.now = options.now ?? (() => new Date());
  }

  private readonly now: () => Date;

  /** Credentials for a new job of a workflow run. */
  registerJob(workflowRunId: number): JobCredentials {
    const workflowRunBackendId = randomUUID();
    const workflowJobRunBackendId = randomUUID();
    const runtimeToken = [
      base64url({ alg: "none", typ: "JWT" }),
      base64url({
        scp: `Actions.ExampleScope Actions.Results:${workflowRunBackendId}:${workflowJobRunBackendId}`,
      }),
      "",
    ].join(".");
    const job = {
      runtimeToken,
      workflowRunBackendId,
      workflowJobRunBackendId,
      workflowRunId,
    };
    this.jobs.set(runtimeToken, job);
    return job;
  }

  /** The finalized artifacts of a workflow run. */
  artifactsOf(workflowRunId: number): StoredArtifact[] {
    return this.artifacts.filter(
      (a) => a.workflowRunId === workflowRunId && a.zip !== null,
    );
  }

  private refuse(response: ServerResponse, status: number, problem: string) {
    this.problems.push(problem);
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify({ code: "invalid_argument", msg: problem }));
  }

  private reply(response: ServerResponse, value: unknown) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(value));
  }

  /**
   * Answers a request whose path, below this service's prefix, is `path`.
   * Returns false when the path is not this service's.
   */
  handle(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    search: URLSearchParams,
    payload: Buffer,
  ): boolean {
    if (request.method === "POST" && path.startsWith(TWIRP)) {
      this.twirp(request, response, path.slice(TWIRP.length), payload);
      return true;
    }
    const blob = BLOB.exec(path);
    if (request.method === "PUT" && blob && search.get("sig") === "local") {
      this.putBlob(response, Number(blob[1]), search, payload);
      return true;
    }
    return false;
  }

  private twirp(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    payload: Buffer,
  ) {
    const token = (request.headers.authorization ?? "").replace(/^Bearer /, "");
    const job = this.jobs.get(token);
    if (job === undefined) {
      return this.refuse(response, 401, `${method}: not a job's runtime token`);
    }
    const data = JSON.parse(payload.toString("utf8")) as Record<
      string,
      unknown
    >;
    // Twirp's JSON: protobuf field names, in snake_case.
    if (
      data.workflow_run_backend_id !== job.workflowRunBackendId ||
      data.workflow_job_run_backend_id !== job.workflowJobRunBackendId
    ) {
      return this.refuse(response, 400, `${method}: wrong backend ids`);
    }
    const name = String(data.name ?? "");
    if (method === "CreateArtifact") {
      if (
        this.artifacts.some(
          (a) => a.name === name && a.workflowRunId === job.workflowRunId,
        )
      ) {
        return this.refuse(
          response,
          409,
          `CreateArtifact: an artifact named ${name} exists in this run`,
        );
      }
      const id = this.nextId++;
      this.artifacts.push({
        id,
        name,
        workflowRunId: job.workflowRunId,
        workflowRunBackendId: job.workflowRunBackendId,
        workflowJobRunBackendId: job.workflowJobRunBackendId,
        expiresAt: typeof data.expires_at === "string" ? data.expires_at : null,
        createdAt: this.now().toISOString(),
        zip: null,
      });
      return this.reply(response, {
        ok: true,
        signed_upload_url: `${this.base}artifacts-blob/${id}?sig=local`,
      });
    }
    if (method === "FinalizeArtifact") {
      const artifact = this.artifacts.find(
        (a) =>
          a.name === name &&
          a.workflowRunId === job.workflowRunId &&
          a.zip === null,
      );
      const blob = artifact && this.blobs.get(artifact.id);
      if (!artifact || !blob) {
        return this.refuse(
          response,
          404,
          `FinalizeArtifact: nothing was uploaded for ${name}`,
        );
      }
      const hash = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
      const sent = (data.hash as string | undefined) ?? null;
      if (String(data.size) !== String(blob.length) || sent !== hash) {
        return this.refuse(
          response,
          400,
          `FinalizeArtifact: size ${String(data.size)} and hash ${sent} do not match the upload (${blob.length}, ${hash})`,
        );
      }
      artifact.zip = blob;
      return this.reply(response, {
        ok: true,
        artifact_id: String(artifact.id),
      });
    }
    return this.refuse(response, 404, `unknown Twirp method ${method}`);
  }

  private putBlob(
    response: ServerResponse,
    id: number,
    search: URLSearchParams,
    payload: Buffer,
  ) {
    const staged = this.blocks.get(id) ?? new Map<string, Buffer>();
    this.blocks.set(id, staged);
    const headers = {
      "x-ms-request-id": randomUUID(),
      "x-ms-version": "2025-01-05",
    };
    const comp = search.get("comp");
    if (comp === "block") {
      staged.set(search.get("blockid") ?? "", payload);
      response.writeHead(201, headers);
      response.end();
      return;
    }
    if (comp === "blocklist") {
      const ids = [
        ...payload
          .toString("utf8")
          .matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g),
      ].map((m) => m[1] ?? "");
      const missing = ids.filter((blockId) => !staged.has(blockId));
      if (missing.length > 0) {
        this.refuse(
          response,
          400,
          `Put Block List: blocks never staged: ${missing.join(", ")}`,
        );
        return;
      }
      this.blobs.set(
        id,
        Buffer.concat(ids.map((blockId) => staged.get(blockId) as Buffer)),
      );
    } else if (comp === null) {
      // Put Blob: a small upload in one request.
      this.blobs.set(id, payload);
    } else {
      this.refuse(response, 400, `unexpected blob operation comp=${comp}`);
      return;
    }
    response.writeHead(201, { ...headers, etag: `"${id}"` });
    response.end();
  }
}

export interface ArtifactService extends JobCredentials {
  /** ACTIONS_RESULTS_URL, with its trailing slash. */
  url: string;
  artifacts: StoredArtifact[];
  /** What the service refused, for tests to assert empty. */
  problems: string[];
  close(): Promise<void>;
}

/** A results service of its own, with one job registered (workflow run 1). */
export async function startArtifactService(
  options: { firstId?: number } = {},
): Promise<ArtifactService> {
  const service = new ResultsService("", options);
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const payload = await readBody(request);
    if (
      !service.handle(
        request,
        response,
        url.pathname,
        url.searchParams,
        payload,
      )
    ) {
      service.problems.push(
        `unexpected ${request.method} ${url.pathname}${url.search}`,
      );
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  service.base = `http://127.0.0.1:${port}/`;
  const job = service.registerJob(1);
  return {
    url: service.base,
    ...job,
    artifacts: service.artifacts,
    problems: service.problems,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

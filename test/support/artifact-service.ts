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
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  expiresAt: string | null;
  /** The zip, once finalized. */
  zip: Buffer | null;
}

export interface ArtifactService {
  /** ACTIONS_RESULTS_URL, with its trailing slash. */
  url: string;
  /** ACTIONS_RUNTIME_TOKEN: an (unsigned) JWT scoped to this job. */
  runtimeToken: string;
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  artifacts: StoredArtifact[];
  /** What the service refused, for tests to assert empty. */
  problems: string[];
  close(): Promise<void>;
}

const TWIRP = "/twirp/github.actions.results.api.v1.ArtifactService/";

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startArtifactService(
  options: { firstId?: number } = {},
): Promise<ArtifactService> {
  const workflowRunBackendId = randomUUID();
  const workflowJobRunBackendId = randomUUID();
  const runtimeToken = [
    base64url({ alg: "none", typ: "JWT" }),
    base64url({
      scp: `Actions.ExampleScope Actions.Results:${workflowRunBackendId}:${workflowJobRunBackendId}`,
    }),
    "",
  ].join(".");
  const artifacts: StoredArtifact[] = [];
  const problems: string[] = [];
  /** Staged blocks and the committed blob, by artifact id. */
  const blocks = new Map<number, Map<string, Buffer>>();
  const blobs = new Map<number, Buffer>();
  let nextId = options.firstId ?? 1;

  const refuse = (
    response: ServerResponse,
    status: number,
    problem: string,
  ) => {
    problems.push(problem);
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify({ code: "invalid_argument", msg: problem }));
  };
  const reply = (response: ServerResponse, value: unknown) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(value));
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const payload = await body(request);

    if (request.method === "POST" && url.pathname.startsWith(TWIRP)) {
      if (request.headers.authorization !== `Bearer ${runtimeToken}`) {
        return refuse(
          response,
          401,
          `${url.pathname}: not the job's runtime token`,
        );
      }
      const method = url.pathname.slice(TWIRP.length);
      const data = JSON.parse(payload.toString("utf8")) as Record<
        string,
        unknown
      >;
      // Twirp's JSON: protobuf field names, in snake_case.
      if (
        data.workflow_run_backend_id !== workflowRunBackendId ||
        data.workflow_job_run_backend_id !== workflowJobRunBackendId
      ) {
        return refuse(response, 400, `${method}: wrong backend ids`);
      }
      const name = String(data.name ?? "");
      if (method === "CreateArtifact") {
        if (artifacts.some((a) => a.name === name)) {
          return refuse(
            response,
            409,
            `CreateArtifact: an artifact named ${name} exists in this run`,
          );
        }
        const id = nextId++;
        artifacts.push({
          id,
          name,
          workflowRunBackendId,
          workflowJobRunBackendId,
          expiresAt:
            typeof data.expires_at === "string" ? data.expires_at : null,
          zip: null,
        });
        const address = server.address() as AddressInfo;
        return reply(response, {
          ok: true,
          signed_upload_url: `http://127.0.0.1:${address.port}/specwright/artifacts/${id}?sig=local`,
        });
      }
      if (method === "FinalizeArtifact") {
        const artifact = artifacts.find(
          (a) => a.name === name && a.zip === null,
        );
        const blob = artifact && blobs.get(artifact.id);
        if (!artifact || !blob) {
          return refuse(
            response,
            404,
            `FinalizeArtifact: nothing was uploaded for ${name}`,
          );
        }
        const hash = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
        const sent = (data.hash as string | undefined) ?? null;
        if (String(data.size) !== String(blob.length) || sent !== hash) {
          return refuse(
            response,
            400,
            `FinalizeArtifact: size ${String(data.size)} and hash ${sent} do not match the upload (${blob.length}, ${hash})`,
          );
        }
        artifact.zip = blob;
        return reply(response, { ok: true, artifact_id: String(artifact.id) });
      }
      return refuse(response, 404, `unknown Twirp method ${method}`);
    }

    const blob = /^\/specwright\/artifacts\/(\d+)$/.exec(url.pathname);
    if (
      request.method === "PUT" &&
      blob &&
      url.searchParams.get("sig") === "local"
    ) {
      const id = Number(blob[1]);
      const staged = blocks.get(id) ?? new Map<string, Buffer>();
      blocks.set(id, staged);
      const headers = {
        "x-ms-request-id": randomUUID(),
        "x-ms-version": "2025-01-05",
      };
      if (url.searchParams.get("comp") === "block") {
        staged.set(url.searchParams.get("blockid") ?? "", payload);
        response.writeHead(201, headers);
        return response.end();
      }
      if (url.searchParams.get("comp") === "blocklist") {
        const ids = [
          ...payload
            .toString("utf8")
            .matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g),
        ].map((m) => m[1] ?? "");
        const missing = ids.filter((blockId) => !staged.has(blockId));
        if (missing.length > 0) {
          return refuse(
            response,
            400,
            `Put Block List: blocks never staged: ${missing.join(", ")}`,
          );
        }
        blobs.set(
          id,
          Buffer.concat(ids.map((blockId) => staged.get(blockId) as Buffer)),
        );
        response.writeHead(201, { ...headers, etag: `"${id}"` });
        return response.end();
      }
      if (!url.searchParams.has("comp")) {
        // Put Blob: a small upload in one request.
        blobs.set(id, payload);
        response.writeHead(201, { ...headers, etag: `"${id}"` });
        return response.end();
      }
    }
    refuse(
      response,
      404,
      `unexpected ${request.method} ${url.pathname}${url.search}`,
    );
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    runtimeToken,
    workflowRunBackendId,
    workflowJobRunBackendId,
    artifacts,
    problems,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

import type { Readable } from "node:stream";
import nock from "nock";
import { github } from "../support/github.js";
import { capture } from "./issues.js";
import { OWNER, REPO } from "./repository.js";

const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const BLOB_HOST =
  "https://pipelinesghubeus.actions.githubusercontent.com";

/** Dispatch of the stage workflow; answers with the new run's id (200), or 204. */
export function nockDispatch(
  workflowRunId: number | null,
  file = "specwright.yml",
) {
  const captured = capture<{
    ref: string;
    inputs: { request: string };
    return_run_details?: boolean;
  }>();
  const scope = github()
    .post(`${REPO_PATH}/actions/workflows/${file}/dispatches`, captured.match)
    .reply(
      workflowRunId === null ? 204 : 200,
      workflowRunId === null
        ? undefined
        : {
            workflow_run_id: workflowRunId,
            run_url: `https://api.github.com${REPO_PATH}/actions/runs/${workflowRunId}`,
            html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/${workflowRunId}`,
          },
    );
  return { scope, bodies: captured.bodies };
}

/**
 * A run's artifacts, filtered by name: none, or one with `sizeInBytes`
 * (what GitHub says the zip weighs; the App may refuse on it alone).
 */
export function nockListArtifacts(
  workflowRunId: number,
  name: string,
  artifact: { id: number; sizeInBytes: number } | null,
) {
  return github()
    .get(`${REPO_PATH}/actions/runs/${workflowRunId}/artifacts`)
    .query({ name, per_page: "100" })
    .reply(200, {
      total_count: artifact === null ? 0 : 1,
      artifacts:
        artifact === null
          ? []
          : [
              {
                id: artifact.id,
                node_id: "MDg6QXJ0aWZhY3Q=",
                name,
                size_in_bytes: artifact.sizeInBytes,
                url: `https://api.github.com${REPO_PATH}/actions/artifacts/${artifact.id}`,
                archive_download_url: `https://api.github.com${REPO_PATH}/actions/artifacts/${artifact.id}/zip`,
                expired: false,
                created_at: "2026-11-21T10:05:00Z",
                expires_at: "2026-12-21T10:05:00Z",
                updated_at: "2026-11-21T10:05:00Z",
                digest: null,
                workflow_run: { id: workflowRunId },
              },
            ],
    });
}

/**
 * The download of an artifact as GitHub serves it: a 302 to a signed blob
 * URL, then the zip from the blob host (`body` may be a stream, made when
 * the blob is requested). The 302 goes on `scope` when one is given.
 */
export function nockDownloadArtifact(
  artifactId: number,
  body: Uint8Array | (() => Readable),
  options: {
    headers?: Record<string, string>;
    scope?: nock.Scope;
    /** Answer the download if it is made, without requiring it. */
    optional?: boolean;
  } = {},
) {
  const optional = options.optional ?? false;
  const scope = (options.scope ?? github())
    .get(`${REPO_PATH}/actions/artifacts/${artifactId}/zip`)
    .optionally(optional)
    .reply(302, "", {
      location: `${BLOB_HOST}/artifacts/${artifactId}.zip?sig=x`,
    });
  // fetch follows the 302 to another origin without the token.
  const blob = nock(BLOB_HOST, { badheaders: ["authorization"] })
    .get(`/artifacts/${artifactId}.zip`)
    .query(true)
    .optionally(optional)
    .reply(200, typeof body === "function" ? body : Buffer.from(body), {
      "content-type": "application/zip",
      ...options.headers,
    });
  return { scope, blob };
}

/** A run's artifacts, filtered by name, and the download of one as a zip behind a 302. */
export function nockArtifact(
  workflowRunId: number,
  name: string,
  zip: Uint8Array | null,
  artifactId = workflowRunId * 10,
) {
  const scope = nockListArtifacts(
    workflowRunId,
    name,
    zip === null ? null : { id: artifactId, sizeInBytes: zip.byteLength },
  );
  if (zip !== null) nockDownloadArtifact(artifactId, zip, { scope });
  return scope;
}

/** A workflow run as GitHub reports it: its status and conclusion. */
export function nockGetWorkflowRun(
  workflowRunId: number,
  status: "queued" | "in_progress" | "completed",
  conclusion: string | null = status === "completed" ? "success" : null,
) {
  return github()
    .get(`${REPO_PATH}/actions/runs/${workflowRunId}`)
    .reply(200, {
      id: workflowRunId,
      status,
      conclusion,
      html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/${workflowRunId}`,
    });
}

/** The stage workflow's dispatched runs on a branch (display titles given). */
export function nockListWorkflowRuns(
  branch: string,
  runs: { id: number; display_title: string; status?: string }[],
  file = "specwright.yml",
) {
  return github()
    .get(`${REPO_PATH}/actions/workflows/${file}/runs`)
    .query({ branch, event: "workflow_dispatch", per_page: "50" })
    .reply(200, {
      total_count: runs.length,
      workflow_runs: runs.map((run) => ({
        id: run.id,
        display_title: run.display_title,
        status: run.status ?? "queued",
        conclusion: null,
        html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/${run.id}`,
      })),
    });
}

/** A request to cancel a workflow run (202; 409 once it finished). */
export function nockCancelWorkflowRun(workflowRunId: number, status = 202) {
  return github()
    .post(`${REPO_PATH}/actions/runs/${workflowRunId}/cancel`)
    .reply(
      status,
      status === 202
        ? {}
        : { message: "Cannot cancel a workflow run that is completed." },
    );
}

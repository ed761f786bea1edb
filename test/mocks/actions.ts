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

/** A run's artifacts, filtered by name, and the download of one as a zip behind a 302. */
export function nockArtifact(
  workflowRunId: number,
  name: string,
  zip: Uint8Array | null,
  artifactId = workflowRunId * 10,
) {
  const scope = github()
    .get(`${REPO_PATH}/actions/runs/${workflowRunId}/artifacts`)
    .query({ name, per_page: "100" })
    .reply(200, {
      total_count: zip === null ? 0 : 1,
      artifacts:
        zip === null
          ? []
          : [
              {
                id: artifactId,
                node_id: "MDg6QXJ0aWZhY3Q=",
                name,
                size_in_bytes: zip.byteLength,
                url: `https://api.github.com${REPO_PATH}/actions/artifacts/${artifactId}`,
                archive_download_url: `https://api.github.com${REPO_PATH}/actions/artifacts/${artifactId}/zip`,
                expired: false,
                created_at: "2026-11-21T10:05:00Z",
                expires_at: "2026-12-21T10:05:00Z",
                updated_at: "2026-11-21T10:05:00Z",
                digest: null,
                workflow_run: { id: workflowRunId },
              },
            ],
    });
  if (zip !== null) {
    scope
      .get(`${REPO_PATH}/actions/artifacts/${artifactId}/zip`)
      .reply(302, "", {
        location: `${BLOB_HOST}/artifacts/${artifactId}.zip?sig=x`,
      });
    nock(BLOB_HOST)
      .get(`/artifacts/${artifactId}.zip`)
      .query(true)
      .reply(200, Buffer.from(zip), { "content-type": "application/zip" });
  }
  return scope;
}

import { BundleError } from "../contracts/bundle-error.js";
import { BUNDLE_LIMITS } from "../contracts/bundle-limits.js";
import type { Octokit } from "./octokit.js";

const tooBig = (size: number, max: number, known: string) =>
  new BundleError([
    `the archive is ${size} bytes, over ${max} (${known}; it was not downloaded)`,
  ]);

/** The body read a chunk at a time, dropped the moment it passes `max`. */
async function readCapped(
  body: ReadableStream<Uint8Array>,
  max: number,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        throw new BundleError([
          `the archive is over ${max} bytes (the download was stopped there)`,
        ]);
      }
      chunks.push(value);
    }
  } finally {
    // Closes the connection when we stop early; a no-op at the end.
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Downloads a result bundle's zip, refusing one over
 * `BUNDLE_LIMITS.archiveBytes` as early as it can: on the size the artifact
 * listing gives (when it was listed), without a request; on the blob's
 * `Content-Length`; and while reading, never holding more than the cap.
 * Refusals are {@link BundleError}s; GitHub's own failures (a 410 for an
 * expired artifact) are thrown as Octokit gives them.
 *
 * GitHub answers the download with a 302 to a short-lived blob URL, which
 * fetch follows (without our token: it is another origin). Octokit would
 * read the whole body into an `ArrayBuffer` before returning;
 * `parseSuccessResponseBody: false` hands back the stream instead.
 * https://docs.github.com/en/rest/actions/artifacts#download-an-artifact
 */
export async function downloadBundle(
  octokit: Octokit,
  params: {
    owner: string;
    repo: string;
    /** The size is the listing's; an id told by the job comes without one. */
    artifact: { id: number; size_in_bytes?: number | undefined };
  },
): Promise<Uint8Array> {
  const { owner, repo, artifact } = params;
  const max = BUNDLE_LIMITS.archiveBytes;
  if (artifact.size_in_bytes !== undefined && artifact.size_in_bytes > max) {
    throw tooBig(artifact.size_in_bytes, max, "the artifact listing's size");
  }
  const response = await octokit.rest.actions.downloadArtifact({
    owner,
    repo,
    artifact_id: artifact.id,
    archive_format: "zip",
    request: { parseSuccessResponseBody: false },
  });
  // With parseSuccessResponseBody false Octokit hands back fetch's body
  // stream as `data`; its types still describe the parsed body.
  const body = response.data as unknown as ReadableStream<Uint8Array> | null;
  const length = Number(response.headers["content-length"]);
  if (length > max) {
    await body?.cancel().catch(() => undefined);
    throw tooBig(length, max, "its Content-Length");
  }
  return body === null ? new Uint8Array(0) : readCapped(body, max);
}

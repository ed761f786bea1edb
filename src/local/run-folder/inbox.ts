import { randomBytes, randomUUID } from "node:crypto";
import { readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { formatPath } from "../../workflow/diagnostic.js";
import { writeFileAtomic } from "./atomic-write.js";
import { BrokenRunFolderError } from "./errors.js";
import { displayPath, type RunPaths } from "./paths.js";

/**
 * What another process asks of the process advancing a run, e.g.
 * `specwright approve` while `specwright run` waits at a gate.
 */
export type ControlRequest =
  | { kind: "approve"; stage: string; by: string }
  | { kind: "reject"; stage: string; by: string; reason: string | null }
  | { kind: "cancel"; by: string };

/** A request as posted: with its id and when it was posted. */
export type PostedControl = ControlRequest & { id: string; at: string };

/** A file in the inbox that is not a request; it has been deleted. */
export interface InvalidControl {
  kind: "invalid";
  /** The file's name in `inbox/`. */
  file: string;
  message: string;
}

export type InboxEntry = PostedControl | InvalidControl;

const Posted = { id: z.string().min(1), at: z.iso.datetime({ offset: true }) };
const PostedControlSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("approve"),
    stage: z.string(),
    by: z.string(),
    ...Posted,
  }),
  z.object({
    kind: z.literal("reject"),
    stage: z.string(),
    by: z.string(),
    reason: z.string().nullable(),
    ...Posted,
  }),
  z.object({ kind: z.literal("cancel"), by: z.string(), ...Posted }),
]);

/** The last time used in a file name, so this process's posts sort in order. */
let lastPostMs = 0;

/**
 * Posts a request to the run's inbox and returns its id. The file name
 * starts with the time (milliseconds, zero-padded so names sort by time),
 * and is written atomically, so a reader never sees half a request.
 */
export async function postControl(
  paths: RunPaths,
  request: ControlRequest,
): Promise<string> {
  const posted: PostedControl = {
    ...request,
    id: randomUUID(),
    at: new Date().toISOString(),
  };
  lastPostMs = Math.max(Date.now(), lastPostMs + 1);
  const name = `${String(lastPostMs).padStart(15, "0")}-${randomBytes(4).toString("hex")}.json`;
  await writeFileAtomic(
    join(paths.inbox, name),
    `${JSON.stringify(posted)}\n`,
  ).catch((error: unknown) => {
    throw missingInbox(paths, error);
  });
  return posted.id;
}

/**
 * Takes the pending requests, oldest first, deleting each file. A file
 * that is not a valid request is deleted too and comes back in its place
 * as `{ kind: "invalid", file, message }`, for the caller to warn about.
 * A file another taker deleted first is skipped: each request is taken
 * once. Temporary files of writes in progress (dot names) are left alone.
 */
export async function takeControls(paths: RunPaths): Promise<InboxEntry[]> {
  const entries: InboxEntry[] = [];
  const files = await pendingFiles(paths.inbox).catch((error: unknown) => {
    throw missingInbox(paths, error);
  });
  for (const file of files) {
    const path = join(paths.inbox, file);
    const text = await readFile(path, "utf8").catch(() => null);
    if (text === null) continue;
    // Deleting is the claim: of two takers, one unlink fails (fs.rm
    // would not say so reliably).
    try {
      await unlink(path);
    } catch {
      continue;
    }
    entries.push(parseControl(file, text));
  }
  return entries;
}

/** The inbox's request files, in the order they were posted. */
export async function pendingFiles(inbox: string): Promise<string[]> {
  const entries = await readdir(inbox, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort();
}

function parseControl(file: string, text: string): InboxEntry {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return invalid(file, `not valid JSON (${(error as Error).message})`);
  }
  const result = PostedControlSchema.safeParse(data);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const where =
    issue && issue.path.length > 0
      ? `${formatPath(issue.path as (string | number)[])}: `
      : "";
  return invalid(
    file,
    `not a control request (${where}${issue?.message ?? "invalid"})`,
  );
}

/** A missing inbox means a damaged run folder; other errors pass through. */
function missingInbox(paths: RunPaths, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") return error;
  return new BrokenRunFolderError(
    displayPath(paths, paths.inbox),
    "missing; the run folder is incomplete",
    { cause: error },
  );
}

function invalid(file: string, message: string): InvalidControl {
  return { kind: "invalid", file, message };
}

import { readFile } from "node:fs/promises";
import { formatZodIssues } from "../../config/format-zod-issues.js";
import { formatPath } from "../../workflow/diagnostic.js";
import { writeFileAtomic } from "./atomic-write.js";
import { BrokenRunFolderError } from "./errors.js";
import {
  RUN_METADATA_FORMAT,
  type RunMetadata,
  RunMetadataSchema,
} from "./metadata-schema.js";
import { displayPath, type RunPaths } from "./paths.js";

/**
 * Reads a run's `metadata.json` and checks it, so the driver can trust
 * what it advances. Whatever is wrong (missing, unreadable, not JSON, not
 * the shape we write) becomes a `BrokenRunFolderError` naming the file and
 * the first problem.
 */
export async function readRunMetadata(paths: RunPaths): Promise<RunMetadata> {
  const file = displayPath(paths, paths.metadata);
  const data = parseJson(await readMetadataText(paths.metadata, file), file);
  checkFormat(data, file);
  // The input in each issue lets the message say what was found.
  const result = RunMetadataSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    const [first] = formatZodIssues(result.error.issues, RunMetadataSchema);
    const where =
      first && first.path.length > 0 ? `${formatPath(first.path)}: ` : "";
    throw new BrokenRunFolderError(
      file,
      `${where}${first?.message ?? result.error.message}`,
      { cause: result.error },
    );
  }
  if (result.data.id !== paths.id)
    throw new BrokenRunFolderError(
      file,
      `id: expected the folder's name ${paths.id}; got ${result.data.id}`,
    );
  // The schema checks the parts of `state` the driver uses; the rest is
  // the engine's own state as the engine wrote it.
  return result.data as unknown as RunMetadata;
}

/** Replaces `metadata.json` atomically; `updated_at` is the caller's to set. */
export async function writeRunMetadata(
  paths: RunPaths,
  metadata: RunMetadata,
): Promise<void> {
  await writeFileAtomic(
    paths.metadata,
    `${JSON.stringify(metadata, null, 2)}\n`,
  );
}

async function readMetadataText(path: string, file: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new BrokenRunFolderError(
      file,
      code === "ENOENT"
        ? "missing; the run folder is incomplete"
        : `cannot be read (${message})`,
      { cause: error },
    );
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BrokenRunFolderError(
      file,
      `not valid JSON (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/** A newer layout is not damage: say how to read it. */
function checkFormat(data: unknown, file: string): void {
  const format = (data as { format?: unknown } | null)?.format;
  if (typeof format === "number" && format > RUN_METADATA_FORMAT)
    throw new BrokenRunFolderError(
      file,
      `written in format ${format} by a newer specwright (this one reads format ${RUN_METADATA_FORMAT}); upgrade specwright to use this run`,
    );
}

import { execFile } from "node:child_process";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { RunFolderError } from "./errors.js";

const run = promisify(execFile);

/** The line that keeps run folders (and their worktrees) out of `git status`. */
export const EXCLUDE_LINE = "/.specwright/";

/** Lines that already ignore `.specwright/` at the root. */
const ALREADY_IGNORED = new Set([
  "/.specwright/",
  "/.specwright",
  ".specwright/",
  ".specwright",
]);

/**
 * Makes git ignore `.specwright/` in this clone only, through
 * `info/exclude` rather than `.gitignore`, so running locally never changes
 * a tracked file. The common git dir is used so linked worktrees (a run's
 * `workspace/` among them) share the rule.
 */
export async function excludeFromGit(repoRoot: string): Promise<void> {
  const gitDir = await commonGitDir(repoRoot);
  const exclude = join(gitDir, "info", "exclude");
  const text = await readFile(exclude, "utf8").catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  });
  if (text.split(/\r?\n/).some((line) => ALREADY_IGNORED.has(line.trim())))
    return;
  await mkdir(join(gitDir, "info"), { recursive: true });
  const separator = text === "" || text.endsWith("\n") ? "" : "\n";
  await appendFile(exclude, `${separator}${EXCLUDE_LINE}\n`);
}

async function commonGitDir(repoRoot: string): Promise<string> {
  try {
    const { stdout } = await run("git", ["rev-parse", "--git-common-dir"], {
      cwd: repoRoot,
    });
    return resolve(repoRoot, stdout.trim());
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    const reason = stderr.trim().split("\n")[0] || (error as Error).message;
    throw new RunFolderError(
      `${repoRoot} is not a git repository, or git cannot read it (${reason}); run specwright inside a git clone`,
      { cause: error },
    );
  }
}

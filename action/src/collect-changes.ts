import { randomBytes } from "node:crypto";
import { readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChangedFile, Changes } from "../../src/contracts/changes.js";
import { git, gitSteps } from "./git.js";
import { readIndexStamp } from "./index-stamp.js";

/** What the stage changed, against the commit it started from. */
export interface CollectedChanges {
  changes: Changes;
  /** Each path with its lines added and removed, and the totals, for diff-summary.txt. */
  summary: string;
  /** Changed paths the bundle leaves out (submodules), with why. */
  skipped: string[];
  /** With the checkout's own index: what it holds once staged (see `StagedTree`). */
  staged?: StagedTree;
}

/**
 * The tree the checkout's own index holds once the changes are staged,
 * written to git's objects, and the index's stamp then: while the stamp
 * is the same, a commit of what was collected is a commit of this tree,
 * with no second look at the index.
 */
export interface StagedTree {
  tree: string;
  index: string | null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Text as UTF-8, anything else (a NUL, invalid UTF-8) as base64. */
function encode(bytes: Buffer): {
  encoding: "utf8" | "base64";
  content: string;
} {
  if (!bytes.subarray(0, 8000).includes(0)) {
    try {
      return { encoding: "utf8", content: utf8.decode(bytes) };
    } catch {
      // Not UTF-8.
    }
  }
  return { encoding: "base64", content: bytes.toString("base64") };
}

/** A `--raw --numstat -z` diff: the raw fields, and a `--stat`-like summary. */
function splitDiff(diff: string): { raw: string[]; summary: string } {
  const tokens = diff.split("\0");
  const raw: string[] = [];
  const lines: string[] = [];
  let added = 0;
  let deleted = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    if (token.startsWith(":")) {
      raw.push(token, tokens[i + 1] ?? "");
      i++;
      continue;
    }
    const stat = /^(\d+|-)\t(\d+|-)\t([\s\S]*)$/.exec(token);
    if (stat === null) continue;
    const [, plus = "-", minus = "-", path = ""] = stat;
    if (plus === "-") lines.push(` ${path} | binary`);
    else {
      added += Number(plus);
      deleted += Number(minus);
      lines.push(` ${path} | +${plus} -${minus}`);
    }
  }
  if (lines.length === 0) return { raw, summary: "" };
  const count = (n: number, one: string, many: string) =>
    `${n} ${n === 1 ? one : many}`;
  lines.push(
    ` ${count(lines.length, "file changed", "files changed")}, ${count(added, "insertion(+)", "insertions(+)")}, ${count(deleted, "deletion(-)", "deletions(-)")}`,
  );
  return { raw, summary: `${lines.join("\n")}\n` };
}

/** How `collectChanges` stages what it finds. */
export interface CollectOptions {
  /** Paths left out: Specwright's own. */
  exclude?: readonly string[];
  /**
   * Stage into the checkout's own index, and leave it staged there, rather
   * than into a throw-away one: a local run whose stage ran in the run's
   * own worktree, clean at the base commit when it started, commits what
   * is staged. `before` is the index's stamp (`readIndexStamp`) from
   * before the agent ran: while it is the same, nobody wrote the index
   * since, it still holds the base commit's tree and is not read again.
   * (Where HEAD went meanwhile does not matter: the diff is against the
   * base commit.)
   */
  ownIndex?: { before: string | null } | undefined;
}

/**
 * Lists every path the stage added, changed or deleted against `baseSha` —
 * commits the agent made included — with contents and modes. By default
 * it stages the working tree into a throw-away index, so the checkout's
 * own index is left alone; ignored files stay out, as do `exclude`d paths
 * (Specwright's own).
 */
export async function collectChanges(
  cwd: string,
  baseSha: string,
  options: CollectOptions = {},
): Promise<CollectedChanges> {
  const exclude = options.exclude ?? [".specwright"];
  const own = options.ownIndex;
  const index = own
    ? undefined
    : join(tmpdir(), `specwright-index-${randomBytes(6).toString("hex")}`);
  const env = index === undefined ? {} : { GIT_INDEX_FILE: index };
  try {
    const readTree =
      own === undefined ||
      own.before === null ||
      (await readIndexStamp(cwd)) !== own.before;
    // One request to git: one round trip where a helper starts it.
    const outputs = await gitSteps(
      cwd,
      [
        ...(readTree ? [["read-tree", baseSha]] : []),
        ["add", "--all", "--", ".", ...exclude.map((p) => `:(exclude)${p}`)],
        // One diff for both lists: what changed (raw) and by how many lines (numstat).
        [
          "diff",
          "--cached",
          "--raw",
          "--numstat",
          "-z",
          "--no-renames",
          "--no-abbrev",
          baseSha,
        ],
        ...(own ? [["write-tree"]] : []),
      ],
      env,
    );
    const diff = outputs[readTree ? 2 : 1] ?? "";
    let tree = own ? outputs.at(-1)?.trim() : undefined;
    const { raw, summary } = splitDiff(diff);
    const files: ChangedFile[] = [];
    const skipped: string[] = [];
    const skippedPaths: string[] = [];
    const fields = raw;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const meta = fields[i] ?? "";
      const path = fields[i + 1] ?? "";
      const [, newMode = "", , , status = ""] = meta
        .replace(/^:/, "")
        .split(" ");
      if (status === "D") {
        files.push({ path, deleted: true });
      } else if (newMode === "160000") {
        skipped.push(`${path} (a submodule: not supported)`);
        skippedPaths.push(path);
      } else if (newMode === "120000") {
        files.push({
          path,
          mode: "120000",
          encoding: "utf8",
          content: await readlink(join(cwd, path)),
        });
      } else {
        const mode = newMode === "100755" ? "100755" : "100644";
        files.push({ path, mode, ...encode(await readFile(join(cwd, path))) });
      }
    }
    // What the bundle leaves out is not to be committed from the index either.
    const unstaged = skippedPaths.map((p) => `:(literal)${p}`);
    if (own !== undefined && unstaged.length > 0) {
      await git(cwd, ["reset", "--quiet", baseSha, "--", ...unstaged]);
      tree = (await git(cwd, ["write-tree"])).trim();
    }
    return {
      changes: { base_sha: baseSha, files },
      summary,
      skipped,
      ...(tree ? { staged: { tree, index: await readIndexStamp(cwd) } } : {}),
    };
  } finally {
    if (index !== undefined) await rm(index, { force: true });
  }
}

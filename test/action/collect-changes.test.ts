import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectChanges } from "../../action/src/collect-changes.js";
import { readIndexStamp } from "../../action/src/index-stamp.js";

// What the stage runner hands back of a checkout's changes, and where it
// stages them: in a throw-away index (the action on GitHub), or in the
// checkout's own (a local stage that runs in the run's workspace, whose
// changes are then committed as staged).

let repo: string;
let base: string;

const git = (...args: string[]) =>
  execFileSync("git", args, { cwd: repo, encoding: "utf8" });
const staged = () => git("diff", "--cached", "--name-only").trim();

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "specwright-collect-"));
  git("init", "-q", "-b", "main");
  git("config", "user.email", "test@example.com");
  git("config", "user.name", "Test");
  await writeFile(join(repo, "README.md"), "# Web\n");
  await writeFile(join(repo, "old.txt"), "old\n");
  git("add", ".");
  git("commit", "-q", "-m", "base");
  base = git("rev-parse", "HEAD").trim();
});

afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

/** What an agent does: a new file, an edit, a deletion, Specwright's own file. */
async function work(): Promise<void> {
  await writeFile(join(repo, "new.txt"), "new\n");
  await writeFile(join(repo, "README.md"), "# Web\n\nMore.\n");
  await rm(join(repo, "old.txt"));
  await mkdir(join(repo, ".specwright"));
  await writeFile(join(repo, ".specwright/outputs.json"), "{}");
}

const paths = (collected: Awaited<ReturnType<typeof collectChanges>>) =>
  collected.changes.files.map((f) => ("deleted" in f ? `-${f.path}` : f.path));

describe("collectChanges", () => {
  it("by default leaves the checkout's own index alone", async () => {
    const before = await readIndexStamp(repo);
    await work();
    const collected = await collectChanges(repo, base);

    expect(paths(collected)).toStrictEqual([
      "README.md",
      "new.txt",
      "-old.txt",
    ]);
    expect(collected.summary).toContain("3 files changed");
    expect(staged()).toBe("");
    expect(await readIndexStamp(repo)).toBe(before);
    expect(collected.staged).toBeUndefined();
  });

  it("with ownIndex stages the same changes in the checkout's own index, Specwright's files left out", async () => {
    const before = await readIndexStamp(repo);
    await work();
    const collected = await collectChanges(repo, base, {
      ownIndex: { before },
    });

    expect(paths(collected)).toStrictEqual([
      "README.md",
      "new.txt",
      "-old.txt",
    ]);
    // What the index holds, for a commit with no second look at it.
    expect(collected.staged).toStrictEqual({
      tree: git("write-tree").trim(),
      index: await readIndexStamp(repo),
    });
    expect(staged()).toBe("README.md\nnew.txt\nold.txt");
    expect(git("status", "--porcelain", "--untracked-files=all")).toBe(
      "M  README.md\nA  new.txt\nD  old.txt\n?? .specwright/outputs.json\n",
    );
  });

  it("with ownIndex finds an agent's own commits and what it staged or unstaged, against the base", async () => {
    const before = await readIndexStamp(repo);
    await work();
    git("add", "new.txt");
    git("commit", "-q", "-m", "the agent's own commit");
    git("rm", "-q", "--cached", "README.md");
    const collected = await collectChanges(repo, base, {
      ownIndex: { before },
    });

    expect(paths(collected)).toStrictEqual([
      "README.md",
      "new.txt",
      "-old.txt",
    ]);
    expect(git("diff", "--cached", "--name-only", base).trim()).toBe(
      "README.md\nnew.txt\nold.txt",
    );
  });

  it("with ownIndex does not stage a submodule, which the bundle leaves out", async () => {
    const before = await readIndexStamp(repo);
    const sub = join(repo, "sub");
    await mkdir(sub);
    execFileSync("git", ["init", "-q"], { cwd: sub });
    await writeFile(join(sub, "a.txt"), "a\n");
    execFileSync(
      "git",
      [
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@e",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "s",
      ],
      { cwd: sub },
    );
    await writeFile(join(repo, "new.txt"), "new\n");
    const collected = await collectChanges(repo, base, {
      ownIndex: { before },
    });

    expect(paths(collected)).toStrictEqual(["new.txt"]);
    expect(collected.skipped).toStrictEqual([
      "sub (a submodule: not supported)",
    ]);
    expect(staged()).toBe("new.txt");
    // The tree told is the index's once the submodule is left out again.
    expect(collected.staged?.tree).toBe(git("write-tree").trim());
    expect(
      git("ls-tree", "--name-only", collected.staged?.tree ?? "").trim(),
    ).toBe("README.md\nnew.txt\nold.txt");
  });
});

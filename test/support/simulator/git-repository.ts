import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The identity the App's commits carry, as GitHub gives an App's API commits. */
const BOT = {
  GIT_AUTHOR_NAME: "specwright[bot]",
  GIT_AUTHOR_EMAIL: "123+specwright[bot]@users.noreply.github.com",
  GIT_COMMITTER_NAME: "GitHub",
  GIT_COMMITTER_EMAIL: "noreply@github.com",
};

export class GitError extends Error {
  override name = "GitError";
}

function run(
  cwd: string,
  args: readonly string[],
  options: { input?: string | Buffer; env?: Record<string, string> } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      {
        cwd,
        encoding: "buffer",
        maxBuffer: 256 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? tmpdir(),
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_TERMINAL_PROMPT: "0",
          ...options.env,
        },
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new GitError(
              `git ${args.join(" ")}: ${stderr.toString().trim() || error.message}`,
            ),
          );
        } else resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
}

export interface TreeEntry {
  path: string;
  mode: "100644" | "100755" | "040000" | "160000" | "120000";
  /** A blob's sha, or null to delete the path. */
  sha?: string | null;
  /** The blob's text (instead of a sha). */
  content?: string;
}

const SHA = /^[0-9a-f]{40}$/;

function person(line: string): { name: string; email: string; date: string } {
  const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line);
  return {
    name: match?.[1] ?? "",
    email: match?.[2] ?? "",
    date: new Date(Number(match?.[3] ?? 0) * 1000).toISOString(),
  };
}

/**
 * A bare git repository on disk, changed only through git's own plumbing,
 * so that what the simulator's Git Data API writes is what `git log` shows.
 */
export class GitRepository {
  private constructor(readonly dir: string) {}

  /** A new bare repository whose `branch` holds `files` in one commit. */
  static async create(
    dir: string,
    files: Record<string, string>,
    branch = "main",
  ): Promise<GitRepository> {
    await mkdir(dir, { recursive: true });
    await run(dir, ["init", "--quiet", "--bare", `--initial-branch=${branch}`]);
    const repo = new GitRepository(dir);
    const entries: TreeEntry[] = Object.entries(files).map(
      ([path, content]) => ({
        path,
        mode: "100644",
        content,
      }),
    );
    const tree = await repo.createTree(null, entries);
    const commit = await repo.createCommit("Initial commit", tree, [], {
      GIT_AUTHOR_NAME: "Octocat",
      GIT_AUTHOR_EMAIL: "octocat@github.com",
      GIT_COMMITTER_NAME: "Octocat",
      GIT_COMMITTER_EMAIL: "octocat@github.com",
    });
    await repo.setRef(`refs/heads/${branch}`, commit);
    return repo;
  }

  git(args: readonly string[], input?: string | Buffer): Promise<Buffer> {
    return run(this.dir, args, input === undefined ? {} : { input });
  }

  async text(args: readonly string[], input?: string): Promise<string> {
    return (await this.git(args, input)).toString("utf8").trim();
  }

  /** The sha a ref (`refs/heads/main`) points at, if it exists. */
  async resolve(ref: string): Promise<string | undefined> {
    try {
      return await this.text([
        "rev-parse",
        "--verify",
        "--quiet",
        `${ref}^{commit}`,
      ]);
    } catch {
      return undefined;
    }
  }

  async exists(
    sha: string,
    type?: "commit" | "tree" | "blob",
  ): Promise<boolean> {
    if (!SHA.test(sha)) return false;
    try {
      const actual = await this.text(["cat-file", "-t", sha]);
      return type === undefined || actual === type;
    } catch {
      return false;
    }
  }

  async setRef(ref: string, sha: string): Promise<void> {
    await this.git(["update-ref", ref, sha]);
  }

  /** Whether `ancestor` is `descendant` or one of its ancestors. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.git(["merge-base", "--is-ancestor", ancestor, descendant]);
      return true;
    } catch {
      return false;
    }
  }

  async commit(sha: string): Promise<CommitObject> {
    const raw = await this.text(["cat-file", "commit", sha]);
    const [head = "", ...rest] = raw.split("\n\n");
    const fields = head.split("\n");
    const value = (key: string) =>
      fields.find((f) => f.startsWith(`${key} `))?.slice(key.length + 1) ?? "";
    return {
      sha,
      tree: value("tree"),
      parents: fields
        .filter((f) => f.startsWith("parent "))
        .map((f) => f.slice(7)),
      message: rest.join("\n\n"),
      author: person(value("author")),
      committer: person(value("committer")),
    };
  }

  async createBlob(content: Buffer): Promise<string> {
    return (await this.git(["hash-object", "-w", "--stdin"], content))
      .toString("utf8")
      .trim();
  }

  /**
   * A tree: `base` (a tree sha, or null for none) with the entries applied,
   * nested paths included, as GitHub's create-a-tree does. Built in a
   * throw-away index.
   */
  async createTree(
    base: string | null,
    entries: readonly TreeEntry[],
  ): Promise<string> {
    const scratch = await mkdtemp(join(tmpdir(), "sim-index-"));
    const env = { GIT_INDEX_FILE: join(scratch, "index") };
    try {
      if (base !== null) await run(this.dir, ["read-tree", base], { env });
      const lines: string[] = [];
      for (const entry of entries) {
        if (entry.sha === null) {
          lines.push(`0 ${"0".repeat(40)}\t${entry.path}`);
          continue;
        }
        const sha =
          entry.content !== undefined
            ? await this.createBlob(Buffer.from(entry.content, "utf8"))
            : (entry.sha as string);
        lines.push(`${entry.mode} ${sha}\t${entry.path}`);
      }
      if (lines.length > 0) {
        await run(this.dir, ["update-index", "--index-info"], {
          env,
          input: `${lines.join("\n")}\n`,
        });
      }
      return (await run(this.dir, ["write-tree"], { env })).toString().trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async createCommit(
    message: string,
    tree: string,
    parents: readonly string[],
    identity: Record<string, string> = BOT,
  ): Promise<string> {
    const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p])];
    return (await run(this.dir, args, { input: message, env: identity }))
      .toString()
      .trim();
  }

  /** A file's bytes at a ref, if it is there. */
  async read(ref: string, path: string): Promise<Buffer | undefined> {
    try {
      return await this.git(["show", `${ref}:${path}`]);
    } catch {
      return undefined;
    }
  }

  /** `git log --stat` of a branch, oldest commit last, as people read it. */
  logStat(ref: string): Promise<string> {
    return this.text([
      "log",
      "--stat",
      "--format=commit %H%nAuthor: %an <%ae>%n%n    %s%n",
      ref,
    ]);
  }

  /** The subjects of a branch's commits, newest first. */
  async subjects(ref: string): Promise<string[]> {
    const text = await this.text(["log", "--format=%s", ref]);
    return text === "" ? [] : text.split("\n");
  }
}

import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AGENT_USER,
  type AgentUser,
  setUpAgentUser,
} from "../../action/src/agents/isolation/agent-user.js";
import { runAgent } from "../../action/src/agents/run-agent.js";
import { git } from "../../action/src/git.js";
import { createHarness } from "./harness.js";

/** A checkout as a runner has one: a repository with a commit, in a folder others may pass (or, `private`, only its owner). */
async function checkout(options: { private?: boolean } = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "specwright-isolation-"));
  await chmod(root, options.private ? 0o700 : 0o755);
  const repo = join(root, "repo");
  execFileSync("git", ["init", "-q", "-b", "main", repo]);
  await writeFile(join(repo, "README.md"), "# Web\n");
  execFileSync("git", ["-C", repo, "add", "-A"]);
  execFileSync("git", [
    "-C",
    repo,
    "-c",
    "user.name=T",
    "-c",
    "user.email=t@example.com",
    "commit",
    "-q",
    "-m",
    "base",
  ]);
  return repo;
}

/** Runs `script` (bash) as the stage's agent, isolated. */
async function runScript(repo: string, user: AgentUser, script: string) {
  const file = join(repo, "..", `agent-${Math.random()}.sh`);
  await writeFile(file, `#!/usr/bin/env bash\ncat >/dev/null\n${script}\n`, {
    mode: 0o755,
  });
  return runAgent({
    agent: {
      backend: "command",
      command: file,
      args: [],
      timeout_minutes: 1,
      prompt_via: "stdin",
    },
    prompt: "Do the stage.",
    cwd: repo,
    env: { PATH: process.env.PATH },
    tempDir: tmpdir(),
    secrets: [],
    user,
  });
}

const canIsolate =
  process.getuid?.() === 0 ||
  (() => {
    try {
      execFileSync("sudo", ["-n", "true"]);
      return true;
    } catch {
      return false;
    }
  })();

describe.runIf(canIsolate)(
  "the agent's own user (agent-isolation: user)",
  () => {
    let user: AgentUser;
    let repo: string;
    beforeAll(async () => {
      repo = await checkout();
      user = await setUpAgentUser(repo, process.getuid?.());
    });

    it("runs the agent as specwright-agent, without sudo, in a home of its own", async () => {
      const run = await runScript(
        repo,
        user,
        'id -un; echo "home=$HOME"; sudo -n true 2>/dev/null && echo SUDO || echo NOSUDO; touch made-by-agent',
      );
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toContain(`${AGENT_USER}\n`);
      expect(run.stdout).toMatch(/home=\/tmp\/specwright-agent-/);
      expect(run.stdout).toContain("NOSUDO");
      // What it wrote is the workspace owner's again, and nobody else may write it.
      const made = await stat(join(repo, "made-by-agent"));
      expect(made.uid).toBe((await stat(repo)).uid);
      expect(made.mode & 0o022).toBe(0);
    });

    it("puts back .git/config, so a command the agent hid there never runs as the action's user", async () => {
      const marker = join(repo, "..", `pwned-${Math.random()}`);
      const run = await runScript(
        repo,
        user,
        `git config core.fsmonitor "touch ${marker}"; git config core.hooksPath .; chmod 777 . ; echo x > hooked`,
      );
      expect(run.exitCode, run.stderr).toBe(0);
      const config = await readFile(join(repo, ".git", "config"), "utf8");
      expect(config).not.toContain("fsmonitor");
      expect(config).not.toContain("hooksPath");
      await git(repo, ["status", "--porcelain"]);
      await expect(stat(marker)).rejects.toThrow();
    });

    it("removes the other places git reads configuration from, and refuses a .git that points elsewhere", async () => {
      const other = await checkout();
      const run = await runScript(
        other,
        user,
        "echo /tmp > .git/commondir && echo '[core]' > .git/config.worktree && mkdir -p .git/hooks && echo x > .git/hooks/pre-commit",
      );
      expect(run.exitCode, run.stderr).toBe(0);
      for (const door of ["commondir", "config.worktree", "hooks"])
        await expect(stat(join(other, ".git", door))).rejects.toThrow();
      await expect(
        runScript(other, user, "rm -rf .git && echo 'gitdir: /tmp' > .git"),
      ).rejects.toThrow("the agent replaced the checkout's .git");
    });

    it("lets the agent through a parent only its owner may enter, with an ACL that lets it pass and read nothing there", async () => {
      const hidden = await checkout({ private: true });
      const hasAcl = (() => {
        try {
          execFileSync("setfacl", ["--version"]);
          return true;
        } catch {
          return false;
        }
      })();
      if (!hasAcl) {
        await expect(
          setUpAgentUser(hidden, process.getuid?.()),
        ).rejects.toThrow("cannot reach the workspace");
        return;
      }
      const inside = await setUpAgentUser(hidden, process.getuid?.());
      const run = await runScript(
        hidden,
        inside,
        "ls .. >/dev/null 2>&1 && echo LISTED || echo NOT-LISTED; touch reached",
      );
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toContain("NOT-LISTED");
      expect(
        execFileSync("getfacl", ["-c", join(hidden, "..")], {
          encoding: "utf8",
        }),
      ).toContain(`user:${AGENT_USER}:--x`);
    });

    it("stops what the agent left running when it ends", async () => {
      const tag = `specwright-leftover-${process.pid}-${Date.now()}`;
      const run = await runScript(
        repo,
        user,
        `(exec -a ${tag} sleep 600) >/dev/null 2>&1 &\necho started`,
      );
      expect(run.stdout).toContain("started");
      expect(() => execFileSync("pgrep", ["-f", tag])).toThrow();
    });

    it("hands back a failed stage, with none of the agent's work, when it replaced .git", async () => {
      const h = await createHarness();
      const script = join(h.root, "swap-git.sh");
      await writeFile(
        script,
        "#!/usr/bin/env bash\ncat >/dev/null\nmkdir -p specs/001-x && echo '# X' > specs/001-x/spec.md\nrm -rf .git && echo 'gitdir: /tmp' > .git\n",
        { mode: 0o755 },
      );
      const run = await h.runAction(
        h.request({
          agent: {
            backend: "command",
            command: script,
            args: [],
            timeout_minutes: 1,
            prompt_via: "stdin",
          },
          skill: {
            id: "none",
            is_speckit: false,
            allowlisted: false,
            fallback: false,
            health_check: null,
          },
        }),
        { inputs: { "agent-isolation": "user" } },
      );
      expect(run.outputs.status).toBe("failed");
      const read = (name: string) =>
        JSON.parse(run.upload?.files.get(name)?.toString("utf8") ?? "{}");
      expect(read("result.json").error_message).toContain(
        "the agent replaced the checkout's .git",
      );
      expect(read("changes.json").files).toEqual([]);
    });
  },
);

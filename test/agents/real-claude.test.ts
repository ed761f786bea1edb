import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseAgentOutput } from "../../action/src/agents/parse-agent-output.js";
import {
  anthropicAdapter,
  createAnthropicAdapter,
} from "../support/model-api/anthropic.js";
import {
  type CliRun,
  chownTree,
  ownedTempDir,
  runCli,
  runnerUser,
  type UserIds,
} from "../support/model-api/run-cli.js";
import { type Script, USAGE_PER_ANSWER } from "../support/model-api/script.js";
import { ModelApi } from "../support/model-api/server.js";
import { specKitLayout } from "../support/spec-kit-fixtures.js";

/**
 * The real Claude Code (the pinned @anthropic-ai/claude-code) against a
 * local stand-in for the Anthropic Messages API: it runs a Spec Kit skill
 * as the action does (`claude -p "/speckit-specify …"
 * --dangerously-skip-permissions --model M --output-format json`) and
 * edits the checkout with its own tools.
 */

const LAYOUT = specKitLayout("claude");
const SKILL = join(LAYOUT, ".claude/skills/speckit-specify/SKILL.md");
const FIXTURES = "test/fixtures/agent-output";
const KEY = "sk-ant-api03-stand-in-key";
const MODEL = "claude-sonnet-4-5";

/** Writes a file, edits README.md, runs a command, then answers. */
const SCRIPT: Script = ({ turn }) => {
  if (turn === 0)
    return [
      { write: "notes/hello.txt", content: "written by Claude Code's Write\n" },
      { shell: "printf ran > shell-marker.txt" },
    ];
  if (turn === 1) return [{ edit: "README.md", find: "old", replace: "new" }];
  return [{ say: "All done." }];
};

let api: ModelApi;
/** Checkouts and HOMEs the tests made, removed at the end. */
const made: string[] = [];

beforeAll(async () => {
  api = await new ModelApi([anthropicAdapter]).start();
});

afterAll(async () => {
  await api.stop();
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  api.requests.length = 0;
  api.unanswered.length = 0;
  api.use(SCRIPT);
});

/** A checkout with Spec Kit's Claude layout and one commit, and a HOME. */
async function checkout(
  user: UserIds | undefined,
  prepare: (dir: string) => void = () => {},
): Promise<{ dir: string; home: string }> {
  const dir = await ownedTempDir("real-claude-repo-", user);
  const home = await ownedTempDir("real-claude-home-", user);
  made.push(dir, home);
  cpSync(LAYOUT, dir, { recursive: true });
  writeFileSync(join(dir, "README.md"), "the old text\n");
  prepare(dir);
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "safe.directory=*", ...args], {
      cwd: dir,
      stdio: "pipe",
    });
  git("init", "-q");
  git("add", "-A");
  git(
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@example.com",
    "commit",
    "-qm",
    "init",
  );
  chownTree(dir, user);
  chownTree(home, user);
  return { dir, home };
}

async function claude(options: {
  prompt: string;
  dir: string;
  home: string;
  user: UserIds | undefined;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  url?: string;
}): Promise<CliRun> {
  return runCli({
    executable: "claude",
    args: [
      "-p",
      options.prompt,
      ...(options.args ?? ["--dangerously-skip-permissions"]),
      "--model",
      MODEL,
      "--output-format",
      "json",
    ],
    cwd: options.dir,
    env: {
      HOME: options.home,
      ANTHROPIC_BASE_URL: options.url ?? api.url,
      ANTHROPIC_API_KEY: KEY,
      // No telemetry, no update check, no lookups of api.anthropic.com.
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      ...options.env,
    },
    user: options.user,
    timeoutMs: 90_000,
  });
}

function resultOf(run: CliRun): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

function expectScriptDone(dir: string, user: UserIds | undefined) {
  // Written by the CLI's own tools, as the user it ran as.
  expect(statSync(join(dir, "notes/hello.txt")).uid).toBe(
    user?.uid ?? process.getuid?.(),
  );
  expect(readFileSync(join(dir, "notes/hello.txt"), "utf8")).toBe(
    "written by Claude Code's Write\n",
  );
  expect(readFileSync(join(dir, "shell-marker.txt"), "utf8")).toBe("ran");
  expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("the new text\n");
}

describe("Claude Code against the Messages API stand-in", () => {
  it("runs a Spec Kit skill as runner: writes, edits and runs a command with its own tools", {
    timeout: 120_000,
  }, async () => {
    const user = runnerUser();
    const { dir, home } = await checkout(user);
    const run = await claude({
      prompt: "/speckit-specify Add a dark mode toggle",
      dir,
      home,
      user,
    });

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expectScriptDone(dir, user);

    const turns = api.turns("claude");
    expect(turns.map((r) => r.turn)).toEqual([0, 1, 2]);
    for (const request of turns) {
      expect(request.credential).toBe(KEY);
      expect(request.headers["x-api-key"]).toBe(KEY);
      expect(request.model).toBe(MODEL);
      expect(request.stream).toBe(true);
      expect(request.path).toBe("/v1/messages");
      expect(request.tools).toEqual(
        expect.arrayContaining(["Write", "Edit", "Read", "Bash", "Skill"]),
      );
    }
    // The skill's own text reached the model, with $ARGUMENTS filled in.
    const skill = readFileSync(SKILL, "utf8");
    const sentence =
      "The text the user typed after `/speckit-specify` in the triggering message **is** the feature description.";
    expect(skill).toContain(sentence);
    expect(turns[0]?.text).toContain(sentence);
    expect(turns[0]?.text).toContain("```text\nAdd a dark mode toggle\n```");
    expect(turns[0]?.text).toContain(
      "<command-name>/speckit-specify</command-name>",
    );
    // Tool results came back: the Write, the Read before the Edit, the Edit.
    expect(turns[1]?.text).toContain("File created successfully");
    expect(turns[2]?.text).toContain("has been updated successfully");
    // Only the agent loop and Bun's connection warm-up (HEAD /).
    expect(
      api.requests.filter((r) => r.auxiliary).map((r) => r.method),
    ).toEqual(["HEAD"]);
    expect(api.unanswered).toEqual([]);

    const result = resultOf(run);
    expect(result).toMatchObject({
      type: "result",
      subtype: "success",
      is_error: false,
      result: "All done.",
      // One per tool call and one for the answer, not one per request.
      num_turns: 5,
      usage: {
        input_tokens: 3 * USAGE_PER_ANSWER.input_tokens,
        output_tokens: 3 * USAGE_PER_ANSWER.output_tokens,
      },
    });
    // The captured fixture has the same shape as today's output.
    const fixture = JSON.parse(
      readFileSync(join(FIXTURES, "claude.success.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(Object.keys(fixture).sort());
    // And the action reads it.
    const report = parseAgentOutput("claude", run.stdout);
    expect(report).toMatchObject({
      finalMessage: "All done.",
      error: null,
      usage: {
        input_tokens: 3 * USAGE_PER_ANSWER.input_tokens,
        output_tokens: 3 * USAGE_PER_ANSWER.output_tokens,
        turns: 5,
      },
    });
    expect(report.usage?.cost_usd).toBeGreaterThan(0);
  });

  it("runs a classic command file (.claude/commands/speckit.plan.md) as /speckit.plan", {
    timeout: 120_000,
  }, async () => {
    const user = runnerUser();
    const { dir, home } = await checkout(user, (d) => {
      const commands = join(d, ".claude/commands");
      execFileSync("mkdir", ["-p", commands]);
      writeFileSync(
        join(commands, "speckit.plan.md"),
        "---\ndescription: Plan the feature\n---\n\nThe stand-in plan command says: zebra-quartz-42.\n\nUser input: $ARGUMENTS\n",
      );
    });
    api.use(({ turn }) =>
      turn === 0
        ? [{ write: "plan.md", content: "# Plan\n" }]
        : [{ say: "Planned." }],
    );
    const run = await claude({
      prompt: "/speckit.plan use SQLite",
      dir,
      home,
      user,
    });

    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, "plan.md"), "utf8")).toBe("# Plan\n");
    const turns = api.turns("claude");
    expect(turns.map((r) => r.turn)).toEqual([0, 1]);
    expect(turns[0]?.text).toContain(
      "The stand-in plan command says: zebra-quartz-42.",
    );
    expect(turns[0]?.text).toContain("User input: use SQLite");
    expect(resultOf(run)).toMatchObject({
      subtype: "success",
      result: "Planned.",
      num_turns: 2,
    });
  });

  it("answers a missing skill itself, without asking the model, and exits 0", {
    timeout: 120_000,
  }, async () => {
    const user = runnerUser();
    const { dir, home } = await checkout(user, (d) =>
      rmSync(join(d, ".claude/skills/speckit-converge"), { recursive: true }),
    );
    const run = await claude({
      prompt: "/speckit-converge check the feature",
      dir,
      home,
      user,
    });

    expect(run.code).toBe(0);
    expect(api.turns("claude")).toEqual([]);
    expect(resultOf(run)).toMatchObject({
      subtype: "success",
      is_error: false,
      num_turns: 0,
      result: "Unknown command: /speckit-converge",
    });
    expect(parseAgentOutput("claude", run.stdout).error).toBeNull();
  });

  it("stops at --max-turns (absent from --help) with error_max_turns and exit 1", {
    timeout: 120_000,
  }, async () => {
    const user = runnerUser();
    const { dir, home } = await checkout(user);
    const run = await claude({
      prompt: "Do the task.",
      dir,
      home,
      user,
      args: ["--dangerously-skip-permissions", "--max-turns", "1"],
    });

    expect(run.code).toBe(1);
    expect(api.turns("claude").map((r) => r.turn)).toEqual([0]);
    // The first turn's tools ran before it stopped.
    expect(existsSync(join(dir, "notes/hello.txt"))).toBe(true);
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("the old text\n");
    expect(resultOf(run)).toMatchObject({
      subtype: "error_max_turns",
      is_error: true,
      terminal_reason: "max_turns",
      errors: ["Reached maximum number of turns (1)"],
      usage: USAGE_PER_ANSWER,
    });
    expect(parseAgentOutput("claude", run.stdout).error).toBe(
      "Claude Code reported an error (error_max_turns): Reached maximum number of turns (1)",
    );
  });

  it("fails at once on HTTP 401 for a wrong key, exit 1", {
    timeout: 120_000,
  }, async () => {
    const strict = await new ModelApi([
      createAnthropicAdapter({ expectedCredential: "sk-ant-the-right-key" }),
    ]).start();
    try {
      const user = runnerUser();
      const { dir, home } = await checkout(user);
      const run = await claude({
        prompt: "Do the task.",
        dir,
        home,
        user,
        url: strict.url,
      });

      expect(run.code).toBe(1);
      // One try: the stand-in says `x-should-retry: false`, as the API does.
      const turns = strict.turns("claude");
      expect(turns).toHaveLength(1);
      expect(turns[0]?.credential).toBe(KEY);
      expect(existsSync(join(dir, "notes/hello.txt"))).toBe(false);
      expect(resultOf(run)).toMatchObject({
        subtype: "success",
        is_error: true,
        api_error_status: 401,
        result: "Invalid API key · Fix external API key",
      });
      expect(parseAgentOutput("claude", run.stdout).error).toBe(
        "Claude Code reported an error: Invalid API key · Fix external API key",
      );
    } finally {
      await strict.stop();
    }
  });

  it("runs as root with IS_SANDBOX=1 (--dangerously-skip-permissions alone is refused)", {
    timeout: 120_000,
  }, async () => {
    const root = process.getuid?.() === 0;
    const { dir, home } = await checkout(undefined);
    if (root) {
      const refused = await claude({
        prompt: "Do the task.",
        dir,
        home,
        user: undefined,
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        "--dangerously-skip-permissions cannot be used with root/sudo privileges",
      );
      expect(api.turns("claude")).toEqual([]);
    }

    api.requests.length = 0;
    const run = await claude({
      prompt: "/speckit-specify Add a dark mode toggle",
      dir,
      home,
      user: undefined,
      env: { IS_SANDBOX: "1" },
    });
    expect(run.code).toBe(0);
    expectScriptDone(dir, undefined);
    expect(api.turns("claude").map((r) => r.turn)).toEqual([0, 1, 2]);
    expect(resultOf(run)).toMatchObject({
      subtype: "success",
      permission_denials: [],
    });
  });
});

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunMetadata } from "../../../src/local/run-folder/index.js";
import {
  IN_PROCESS_USER,
  type InProcessResult,
  specwrightInProcess,
} from "../../support/in-process-cli.js";
import { LocalRunWorld } from "../../support/local-run-world.js";

// Input `specwright run` and the run commands refuse: each is one line on
// stderr that names the problem (no stack trace), an exit status of 1 (the
// input is wrong) or 2 (the command line is), and nothing left behind when
// the run never started. Most cases run the CLI in this process (the
// executable takes seconds to start); the last block checks the
// executable itself says no more.

const git = promisify(execFile);
const FEATURE = "Add a dark mode toggle";
/** The notice `run` gives before reading a repository without a config file. */
const BUILT_IN =
  "specwright: no .github/specwright.yml in the repository; using the built-in workflow";
const USAGE_HINT = /^Run 'specwright \w+ --help' for usage\.$/;
const STACK_FRAME = /at .*\.[tj]s:\d+/;

/** The lines that say what is wrong: the notice and the --help hint are not. */
function problemLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter(
      (line) => line !== "" && line !== BUILT_IN && !USAGE_HINT.test(line),
    );
}

/** The one line naming the problem; fails when there is a stack trace or more. */
function theProblem(result: InProcessResult | { stderr: string }): string {
  expect(result.stderr).not.toMatch(STACK_FRAME);
  const lines = problemLines(result.stderr);
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

/** The runs in the repository's run folder (none when it does not exist). */
async function runFolders(repo: string): Promise<string[]> {
  return readdir(join(repo, ".specwright/runs")).catch(() => []);
}

/** PATH without the agent CLIs the project installs for its own tests. */
function pathWithoutInstalledAgents(bin: string): string {
  const rest = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => !dir.includes("node_modules"));
  return [bin, ...rest].join(delimiter);
}

describe("a repository a run cannot start in", () => {
  // Said alone: no notice about the workflow before it.
  let world: LocalRunWorld;
  let outside: string;
  beforeAll(async () => {
    world = await LocalRunWorld.create();
    outside = await mkdtemp(join(tmpdir(), "specwright-outside-"));
  });
  afterAll(async () => {
    await world.remove();
    await rm(outside, { recursive: true, force: true });
  });

  it("refuses a folder that is not in a git repository", async () => {
    const plain = join(outside, "plain");
    await mkdir(plain);
    const result = await specwrightInProcess(["run", "--feature", FEATURE], {
      cwd: plain,
      env: world.env(),
    });
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `specwright run: ${plain} is not in a git repository; run it in the repository the workflow is for (git init makes one)\n`,
    });
    expect(await readdir(plain)).toEqual([]);
  });

  it("refuses a repository with no commit", async () => {
    const empty = join(outside, "empty");
    await mkdir(empty);
    await git("git", ["init", "--quiet"], { cwd: empty });
    const result = await specwrightInProcess(["run", "--feature", FEATURE], {
      cwd: empty,
      env: world.env(),
    });
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "specwright run: the repository has no commit yet; a run starts from the commit checked out: commit something first\n",
    });
    expect(await runFolders(empty)).toEqual([]);
  });

  it.each([
    {
      what: "a tracked file changed",
      change: () => world.write("README.md", "# A project, changed\n"),
      files: "1 file, e.g. README.md",
    },
    {
      what: "a rename staged",
      change: () => world.git("mv", "README.md", "docs.md"),
      files: "1 file, e.g. docs.md",
    },
    {
      what: "two files changed",
      change: async () => {
        await world.write("README.md", "# A project, changed\n");
        await world.write("new file.txt", "new\n");
        await world.git("add", "new file.txt");
      },
      files: "2 files, e.g. README.md",
    },
  ])("refuses uncommitted changes: $what", async ({ change, files }) => {
    await change();
    try {
      const result = await specwrightInProcess(["run", "--feature", FEATURE], {
        cwd: world.repo,
        env: world.env(),
      });
      expect(result).toEqual({
        code: 1,
        stdout: "",
        stderr: `specwright run: the working tree has uncommitted changes (${files}); the run starts from the last commit and would not see them: commit or stash them first\n`,
      });
      expect(await runFolders(world.repo)).toEqual([]);
    } finally {
      await world.git("reset", "--hard", "--quiet");
    }
  });
});

describe("a workflow or command line a run cannot start with", () => {
  let world: LocalRunWorld;
  beforeAll(async () => {
    world = await LocalRunWorld.create();
  });
  afterAll(async () => {
    await world.remove();
  });
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    specwrightInProcess(args, { cwd: world.repo, env: world.env(env) });

  it.each([
    {
      what: "no --feature",
      args: ["run"],
      problem:
        'specwright run: what should be built? Say it with --feature, e.g. --feature "Add a dark mode toggle"',
    },
    {
      what: "a blank --feature",
      args: ["run", "--feature", "   "],
      problem:
        'specwright run: what should be built? Say it with --feature, e.g. --feature "Add a dark mode toggle"',
    },
    {
      what: "--concurrency 0",
      args: ["run", "--feature", FEATURE, "--concurrency", "0"],
      problem:
        "specwright run: --concurrency must be a whole number from 1 to 32, got '0'",
    },
    {
      what: "--concurrency two",
      args: ["run", "--feature", FEATURE, "--concurrency", "two"],
      problem:
        "specwright run: --concurrency must be a whole number from 1 to 32, got 'two'",
    },
    {
      what: "--backend nope",
      args: ["run", "--feature", FEATURE, "--backend", "nope"],
      problem:
        "specwright run: --backend must be one of claude, codex, gemini, copilot, command, got 'nope'",
    },
    {
      what: "an unknown --param",
      args: ["run", "--feature", FEATURE, "--param", "colour=red"],
      problem:
        "specwright run: unknown parameter 'colour'; the workflow declares no parameters",
    },
    {
      what: "--param without a value",
      args: ["run", "--feature", FEATURE, "--param", "colour"],
      problem: "specwright run: --param expects key=value, got 'colour'",
    },
    {
      what: "an unknown option",
      args: ["run", "--feature", FEATURE, "--colour"],
      problem: "specwright run: unknown option '--colour'",
    },
    {
      what: "two files",
      args: ["run", "a.yml", "b.yml", "--feature", FEATURE],
      problem: "specwright run: expected at most one file, got 2",
    },
    {
      what: "resume without a run",
      args: ["resume"],
      problem:
        "specwright resume: which run? Give its id (specwright runs lists them)",
    },
  ])("exits 2 for $what", async ({ args, problem }) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(theProblem(result)).toBe(problem);
    expect(result.stderr).toContain(
      `Run 'specwright ${args[0]} --help' for usage.`,
    );
    expect(await runFolders(world.repo)).toEqual([]);
  });

  it("refuses an invalid workflow with the same located problems as validate", async () => {
    await world.write(
      ".github/specwright.yml",
      [
        "workflow:",
        "  name: Broken",
        "  stages:",
        "    - id: a",
        "      prompt: Do a",
        "      depends_on: [b]",
        "    - id: b",
        "      prompt: Do b",
        "      depends_on: [a]",
        "    - id: c",
        "      prompt: Do c",
        "      depends_on: [nope]",
        "",
      ].join("\n"),
    );
    await world.commit("A broken workflow");
    try {
      const validated = await run(["validate"]);
      const refused = await run(["run", "--feature", FEATURE]);
      expect(validated.code).toBe(1);
      expect(refused.code).toBe(1);
      const located = [
        ".github/specwright.yml:6:20: dependency cycle: a → b → a (each stage depends on the next)",
        ".github/specwright.yml:12:20: unknown stage 'nope' in depends_on",
        "2 problems in .github/specwright.yml",
      ];
      expect(problemLines(validated.stderr)).toEqual(located);
      expect(problemLines(refused.stderr)).toEqual(located);
      expect(refused.stderr).not.toMatch(STACK_FRAME);
      expect(await runFolders(world.repo)).toEqual([]);
    } finally {
      await world.git("rm", "--quiet", ".github/specwright.yml");
      await world.git("commit", "--quiet", "-m", "No workflow");
    }
  });

  it("refuses an agent CLI that is not installed, before anything runs", async () => {
    await rm(join(world.bin, "gemini"));
    const result = await run(
      ["run", "--feature", FEATURE, "--backend", "gemini"],
      {
        PATH: pathWithoutInstalledAgents(world.bin),
        GEMINI_API_KEY: "gemini-local-test",
      },
    );
    expect(result.code).toBe(1);
    // Said for a shell: what to install, not what the stage workflow must.
    expect(theProblem(result)).toBe(
      "specwright run: stage specify cannot run here: the gemini agent CLI (gemini) is not on PATH: install it (npm install --global @google/gemini-cli@0.61.0, the version Specwright is tested with), or choose another with --backend",
    );
    expect(await runFolders(world.repo)).toEqual([]);
  });

  it("refuses to run without the agent's credential, before anything runs", async () => {
    const result = await run(["run", "--feature", FEATURE], {
      ANTHROPIC_API_KEY: undefined,
      CLAUDE_CODE_OAUTH_TOKEN: undefined,
    });
    expect(result.code).toBe(1);
    expect(theProblem(result)).toBe(
      "specwright run: stage specify cannot run here: the claude CLI needs ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN, which is not set: export it, then run again",
    );
    expect(await runFolders(world.repo)).toEqual([]);
  });
});

describe("runs that cannot be found", () => {
  let world: LocalRunWorld;
  beforeAll(async () => {
    world = await LocalRunWorld.create();
  });
  afterAll(async () => {
    await world.remove();
  });

  it.each([
    ["runs", "deadbeef"],
    ["approve", "deadbeef"],
    ["reject", "deadbeef"],
    ["cancel", "deadbeef"],
    ["resume", "deadbeef"],
  ])("%s %s: no such run", async (command, id) => {
    const result = await specwrightInProcess([command, id], {
      cwd: world.repo,
      env: world.env(),
    });
    expect(result.code).toBe(1);
    expect(theProblem(result)).toBe(
      `specwright ${command}: no run '${id}' in .specwright/runs; \`specwright runs\` lists them`,
    );
  });

  it.each([["runs"], ["resume"], ["cancel"]])(
    "%s ../../etc: never looks outside the run folder",
    async (command) => {
      // What `../../etc` would reach from .specwright/runs: a folder that
      // looks like a run.
      await mkdir(join(world.repo, "etc"), { recursive: true });
      await writeFile(join(world.repo, "etc/metadata.json"), "{}");
      const result = await specwrightInProcess([command, "../../etc"], {
        cwd: world.repo,
        env: world.env(),
      });
      expect(result.code).toBe(1);
      expect(theProblem(result)).toBe(
        `specwright ${command}: no run '../../etc' in .specwright/runs (a run id is hex digits and dashes; give at least 4); \`specwright runs\` lists them`,
      );
    },
  );
});

describe("runs that cannot take the request", () => {
  // One run at the gate, and two copies of its folder edited into nonsense.
  let world: LocalRunWorld;
  let good: RunMetadata;
  let short: string;
  const truncated = "0badf00d-0000-4000-8000-000000000001";
  const bogus = "0badf00d-0000-4000-8000-000000000002";
  const metadataFile = (id: string) => `.specwright/runs/${id}/metadata.json`;
  const notJson = (command: string, id: string) =>
    new RegExp(
      `^specwright ${command}: ${metadataFile(id).replaceAll(".", "\\.")}: not valid JSON \\(.+\\)$`,
    );
  const bogusStatus = `${metadataFile(bogus)}: state.stages[1].status: expected one of pending, waiting_approval, dispatched, running, retrying, succeeded, failed, timed_out, cancelled, skipped; got the string "bogus"`;
  const cli = (args: string[]) =>
    specwrightInProcess(args, { cwd: world.repo, env: world.env() });

  /** A copy of the good run's folder under another id, its metadata.json made by `edit`. */
  async function brokenCopy(id: string, edit: (text: string) => string) {
    const folder = join(world.repo, ".specwright/runs", id);
    await mkdir(join(folder, "inbox"), { recursive: true });
    await mkdir(join(folder, "steps"), { recursive: true });
    const metadata = { ...good, id, state: { ...good.state, id } };
    await writeFile(
      join(folder, "metadata.json"),
      edit(`${JSON.stringify(metadata, null, 2)}\n`),
    );
  }

  beforeAll(async () => {
    world = await LocalRunWorld.create();
    const started = await cli(["run", "--feature", FEATURE]);
    expect(started.code).toBe(0);
    good = await world.metadata(LocalRunWorld.runId(started.stderr));
    short = good.id.slice(0, 8);
    await brokenCopy(truncated, (text) => text.slice(0, text.length / 2));
    await brokenCopy(bogus, (text) => {
      const data = JSON.parse(text) as RunMetadata;
      (data.state.stages[1] as { status: string }).status = "bogus";
      return JSON.stringify(data);
    });
  }, 60_000);
  afterAll(async () => {
    await world.remove();
  });

  it("refuses to decide a gate that is not waiting, and a run that ended", async () => {
    const notWaiting = await cli(["approve", short, "plan"]);
    expect(notWaiting.code).toBe(1);
    expect(theProblem(notWaiting)).toBe(
      `specwright approve: stage plan of run ${short} is not waiting for approval (it is succeeded)`,
    );
    const noStage = await cli(["reject", short, "deploy"]);
    expect(noStage.code).toBe(1);
    expect(theProblem(noStage)).toBe(
      `specwright reject: run ${short} has no stage 'deploy'; its stages: specify, plan, tasks, analyze, implement`,
    );

    const cancelled = await cli(["cancel", short]);
    expect(cancelled.code).toBe(0);
    expect((await world.metadata(good.id)).state.result_summary).toBe(
      `Cancelled by @${IN_PROCESS_USER}`,
    );
    const ended = await cli(["approve", short]);
    expect(ended.code).toBe(1);
    expect(theProblem(ended)).toBe(
      `specwright approve: run ${short} has no stage waiting for approval (the run is cancelled)`,
    );
    const again = await cli(["cancel", short]);
    expect(again.code).toBe(1);
    expect(theProblem(again)).toBe(
      `specwright cancel: run ${short} already ended (cancelled)`,
    );
  });

  it.each(["runs", "resume"])(
    "%s of a truncated metadata.json names the file and the problem",
    async (command) => {
      const result = await cli([command, truncated]);
      expect(result.code).toBe(1);
      expect(theProblem(result)).toMatch(notJson(command, truncated));
    },
  );

  it.each(["runs", "resume", "approve"])(
    "%s of a stage status 'bogus' names the file and the field, and changes nothing",
    async (command) => {
      const file = join(world.repo, metadataFile(bogus));
      const before = await readFile(file, "utf8");
      const result = await cli([command, bogus]);
      expect(result.code).toBe(1);
      expect(theProblem(result)).toBe(`specwright ${command}: ${bogusStatus}`);
      expect(await readFile(file, "utf8")).toBe(before);
      expect(
        existsSync(join(world.repo, ".specwright/runs", bogus, "lock")),
      ).toBe(false);
    },
  );

  it("refuses a prefix two runs share", async () => {
    const result = await cli(["resume", "0badf00d"]);
    expect(result.code).toBe(1);
    expect(theProblem(result)).toBe(
      `specwright resume: '0badf00d' matches 2 runs (${truncated}, ${bogus}); give more of the id`,
    );
  });

  it("lists the good run and warns about the broken ones", async () => {
    const result = await cli(["runs"]);
    expect(result.code).toBe(0);
    const rows = result.stdout.trimEnd().split("\n").slice(1);
    expect(rows).toEqual([
      expect.stringMatching(new RegExp(`^${short} .* ${FEATURE}$`)),
    ]);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `^specwright runs: skipped ${truncated}: ${notJson("x", truncated).source.replace("^specwright x: ", "")}`,
        ),
      ),
      `specwright runs: skipped ${bogus}: ${bogusStatus}`,
    ]);
  });

  it("the executable says the same as the in-process CLI, and no more", async () => {
    const plain = await mkdtemp(join(tmpdir(), "specwright-plain-"));
    try {
      const cases = [
        { args: ["resume", bogus], cwd: world.repo },
        { args: ["run", "--feature", FEATURE], cwd: plain },
      ];
      // Both at once: each takes seconds to start.
      const real = await Promise.all(
        cases.map(({ args, cwd }) => world.specwright(args, { cwd })),
      );
      for (const [i, { args, cwd }] of cases.entries()) {
        const expected = await specwrightInProcess(args, {
          cwd,
          env: world.env(),
        });
        expect(expected.code).toBe(1);
        expect(real[i]).toEqual({
          code: expected.code,
          signal: null,
          stdout: "",
          stderr: expected.stderr,
        });
        expect(theProblem(real[i] as { stderr: string })).toBeTruthy();
      }
      expect(await readdir(plain)).toEqual([]);
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });
});

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliIo, EXIT } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/main.js";

const FIXTURES = "test/fixtures/workflows";

/** Runs the CLI in-process, reading files relative to `cwd`. */
async function cli(argv: string[], cwd = FIXTURES) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readFile: (path) => readFile(join(cwd, path), "utf8"),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe("specwright validate", () => {
  it.each([
    ["diamond.yml", 'diamond.yml: valid — workflow "Diamond", 4 stages\n'],
    [
      "minimal.json",
      'minimal.json: valid — workflow "JSON workflow", 2 stages\n',
    ],
  ])("accepts %s", async (file, output) => {
    const result = await cli(["validate", file]);
    expect(result).toEqual({ code: EXIT.ok, stdout: output, stderr: "" });
  });

  it.each([
    [
      "cycle.yml",
      [
        "cycle.yml:4:20: dependency cycle: specify → tasks → plan → specify (each stage depends on the next)",
      ],
    ],
    [
      "unknown-dependency.yml",
      [
        "unknown-dependency.yml:5:20: unknown stage 'specfy' in depends_on (did you mean 'specify'?)",
      ],
    ],
    [
      "bad-reference.yml",
      [
        "bad-reference.yml:8:45: stage 'specify' declares no output 'specs' (did you mean 'spec'?); its outputs: spec",
        "bad-reference.yml:10:29: stage 'plan' is not a dependency of 'tasks': add it to depends_on to read it",
      ],
    ],
    [
      "unknown-key.yml",
      [
        "unknown-key.yml:4:7: unknown key 'depend_on' (did you mean 'depends_on'?)",
        "unknown-key.yml:7:11: unknown key 'max_attempt' (did you mean 'max_attempts'?)",
      ],
    ],
    [
      "wrong-type.yml",
      [
        'wrong-type.yml:1:26: expected a number, got the string "thirty"',
        'wrong-type.yml:5:19: expected a list, got the string "specify"',
        "wrong-type.yml:7:18: expected a string, got the number 30",
      ],
    ],
    [
      "syntax-error.yml",
      [
        "syntax-error.yml:4:6: invalid YAML: bad indentation of a sequence entry",
      ],
    ],
  ])("rejects %s with every problem as file:line:col", async (file, lines) => {
    const result = await cli(["validate", file]);
    const n = lines.length;
    expect(result).toEqual({
      code: EXIT.invalid,
      stdout: "",
      stderr: `${lines.join("\n")}\n${n} problem${n === 1 ? "" : "s"} in ${file}\n`,
    });
  });

  it("validates .github/specwright.yml by default", async () => {
    const result = await cli(["validate"], "test/fixtures/repository");
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toBe(
      '.github/specwright.yml: valid — workflow "Repository workflow", 3 stages\n',
    );
  });

  it("uses the defaults when the repository has no configuration", async () => {
    const result = await cli(["validate"], "test/fixtures/empty-repository");
    expect(result).toEqual({
      code: EXIT.ok,
      stdout:
        '.github/specwright.yml: valid — workflow "Spec Kit" (built in), 5 stages\n',
      stderr:
        "specwright: no .github/specwright.yml here; using the defaults\n",
    });
  });

  it.each([
    [
      ["validate", "missing.yml"],
      "specwright validate: cannot read missing.yml: no such file",
    ],
    [
      ["validate", "."],
      "specwright validate: cannot read .: it is a directory",
    ],
    [
      ["validate", "a.yml", "b.yml"],
      "specwright validate: expected at most one file, got 2",
    ],
    [
      ["validate", "--strict"],
      "specwright validate: unknown option '--strict'",
    ],
  ])("treats %j as a usage error", async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `${message}\nRun 'specwright validate --help' for usage.\n`,
    );
  });

  it("prints its help", async () => {
    const result = await cli(["validate", "--help"]);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^Usage: specwright validate \[file\]/);
    expect(result.stdout).toContain(
      "Exit status: 0 valid, 1 invalid, 2 usage error.",
    );
  });
});

describe("specwright plan", () => {
  it("plans the default workflow as five sequential batches", async () => {
    const result = await cli(
      ["plan", "--format", "json"],
      "test/fixtures/empty-repository",
    );
    expect(result.code).toBe(EXIT.ok);
    const plan = JSON.parse(result.stdout) as { batches: string[][] };
    expect(plan.batches).toEqual([
      ["specify"],
      ["plan"],
      ["tasks"],
      ["analyze"],
      ["implement"],
    ]);
  });

  it("prints the plan as text by default", async () => {
    const result = await cli([
      "plan",
      "diamond.yml",
      "--param",
      "feature_name=search",
    ]);
    expect(result.code).toBe(EXIT.ok);
    const lines = result.stdout.split("\n");
    expect(lines.slice(0, 6)).toEqual([
      "Workflow: Diamond",
      "Research, build front and back in parallel, review.",
      "Parameters: feature_name=search, skip_review=false",
      "",
      "Execution plan:",
      "  Batch 1:",
    ]);
    expect(lines).toContain("  Batch 2 (parallel, after batch 1):");
    expect(lines).toContain("  Batch 3 (conditional, after batch 2):");
    expect(lines).toContain(
      "      Condition: ${{ !parameters.skip_review }} (true)",
    );
    // A stage that switches backend keeps the turn limit, not the model.
    expect(lines).toContain("      Agent: claude (40 turns)");
    expect(lines).toContain("      Agent: codex (gpt-5-codex)");
    expect(lines).toContain(
      "Upper bound: 2h of stage time limits across 3 batches (retries and approval waits not counted)",
    );
  });

  it("decides conditions that read only parameters", async () => {
    const result = await cli([
      "plan",
      "diamond.yml",
      "-p",
      "feature_name=search",
      "-p",
      "skip_review=true",
      "--format=json",
    ]);
    const plan = JSON.parse(result.stdout) as {
      batches: string[][];
      stages: {
        id: string;
        skipped: boolean;
        condition?: { value: boolean | null };
      }[];
    };
    expect(plan.batches).toEqual([
      ["research"],
      ["frontend", "backend"],
      ["review"],
    ]);
    expect(plan.stages.find((s) => s.id === "review")).toMatchObject({
      skipped: true,
      condition: { value: false },
    });
  });

  it("prints a Mermaid flowchart", async () => {
    const result = await cli([
      "plan",
      "diamond.yml",
      "-p",
      "feature_name=x",
      "-f",
      "mermaid",
    ]);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toBe(
      [
        "flowchart TD",
        '  s0["Research"]',
        '  s1["frontend"]',
        '  s2["backend"]',
        '  s3["review"]',
        "  s0 --> s1",
        "  s0 --> s2",
        "  s1 --> s3",
        "  s2 --> s3",
        "  classDef conditional stroke-dasharray: 5 5",
        "  class s3 conditional",
        "",
      ].join("\n"),
    );
  });

  it("reports an invalid file like validate does", async () => {
    const result = await cli(["plan", "cycle.yml"]);
    expect(result.code).toBe(EXIT.invalid);
    expect(result.stderr).toContain(
      "cycle.yml:4:20: dependency cycle: specify → tasks → plan → specify",
    );
  });

  it.each([
    [["plan", "diamond.yml"], "parameter 'feature_name' is required"],
    [
      [
        "plan",
        "diamond.yml",
        "-p",
        "feature_name=x",
        "-p",
        "skip_review=maybe",
      ],
      "parameter 'skip_review': expected true or false, got 'maybe'",
    ],
    [
      ["plan", "diamond.yml", "-p", "feature_name=x", "-p", "feature=y"],
      "unknown parameter 'feature' (did you mean 'feature_name'?); declared: feature_name, skip_review",
    ],
    [
      ["plan", "diamond.yml", "-p", "feature_name"],
      "--param expects key=value, got 'feature_name'",
    ],
    [
      ["plan", "diamond.yml", "-p", "a=1", "-p", "a=2"],
      "--param a is given twice",
    ],
    [
      ["plan", "diamond.yml", "--format", "svg"],
      "--format must be one of text, json, mermaid, got 'svg'",
    ],
    [
      ["plan", "diamond.yml", "--format"],
      "option '-f, --format <value>' needs a value",
    ],
  ])("treats %j as a usage error", async (argv, message) => {
    const result = await cli(argv);
    expect(result).toEqual({
      code: EXIT.usage,
      stdout: "",
      stderr: `specwright plan: ${message}\nRun 'specwright plan --help' for usage.\n`,
    });
  });

  it("prints its help", async () => {
    const result = await cli(["plan", "-h"]);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(
      /^Usage: specwright plan \[file\] \[--param key=value\]…/,
    );
  });
});

describe("specwright", () => {
  it("prints the usage to stderr and fails without a command", async () => {
    const result = await cli([]);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/^Usage: specwright <command> \[options\]/);
  });

  it("prints help and the version", async () => {
    expect((await cli(["--help"])).stdout).toContain("validate [file]");
    const version = await cli(["--version"]);
    const pkg = JSON.parse(await readFile("package.json", "utf8")) as {
      version: string;
    };
    expect(version).toEqual({
      code: EXIT.ok,
      stdout: `${pkg.version}\n`,
      stderr: "",
    });
  });

  it("names an unknown command", async () => {
    const result = await cli(["valdate"]);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toBe(
      "specwright: unknown command 'valdate'; commands: validate, plan, run, runs, approve, reject, cancel, resume\nRun 'specwright --help' for usage.\n",
    );
  });

  it("reports an unexpected failure without a stack trace", async () => {
    const io: CliIo = {
      stdout: () => {},
      stderr: (text) => {
        stderr += text;
      },
      readFile: () => Promise.reject(new TypeError("boom")),
    };
    let stderr = "";
    const code = await runCli(["validate", "x.yml"], io);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toBe(
      "specwright validate: cannot read x.yml: boom\nRun 'specwright validate --help' for usage.\n",
    );
  });
});

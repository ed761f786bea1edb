import { describe, expect, it } from "vitest";
import {
  fitWarnings,
  MAX_WARNING_LENGTH,
  MAX_WARNINGS,
  StageResult,
} from "../../src/contracts/stage-result.js";
import { listIssues } from "./list-issues.js";

/** A `result.json` as the stage action writes it after a skill run. */
function result(): Record<string, unknown> {
  return {
    version: 1,
    run_id: "6f1c2a9e-4b7d-4e8a-9c3f-2d5e8a1b7c40",
    stage: "analyze",
    attempt: 1,
    status: "succeeded",
    execution_path: "skill",
    selected_skill_id: "speckit",
    duration_ms: 61_000,
    outputs: { report: "specs/001-dark-mode/analysis.md", critical: 0 },
    spec_dir: "specs/001-dark-mode",
    artifacts: [
      { type: "stdout_log", name: "stdout.log", size_bytes: 12 },
      { type: "environment_info", name: "environment.json", size_bytes: 0 },
    ],
    error_message: null,
    phases: [
      {
        phase: "agent",
        status: "succeeded",
        started_at: "2026-11-21T10:00:01Z",
        completed_at: "2026-11-21T10:01:01.250+01:00",
      },
    ],
    usage: { input_tokens: 1200, output_tokens: 800, cost_usd: 0.02, turns: 7 },
    agent: { backend: "claude", version: "2.1.0" },
    findings: [
      {
        id: "C1",
        category: "coverage",
        severity: "HIGH",
        path: "specs/001-dark-mode/tasks.md",
        start_line: 3,
        end_line: 4,
        summary: "No task covers FR-002",
        recommendation: "Add a task",
      },
    ],
    final_message: "Analysis done.",
    warnings: [
      "gemini 0.62.0 found; Specwright is tested with gemini 0.61.0: install that version (the repository variable SPECWRIGHT_AGENT_VERSION overrides it) if this one misbehaves",
    ],
  };
}

function resultWith(patch: Record<string, unknown>): Record<string, unknown> {
  const value = { ...result(), ...patch };
  for (const [key, entry] of Object.entries(patch)) {
    if (entry === undefined) delete value[key];
  }
  return value;
}

describe("StageResult", () => {
  it("accepts a full result", () => {
    expect(listIssues(StageResult, result())).toEqual([]);
    expect(StageResult.parse(result())).toEqual(result());
  });

  it.each<[string, Record<string, unknown>]>([
    [
      "direct_only without a skill",
      { execution_path: "direct_only", selected_skill_id: null },
    ],
    [
      "direct_fallback without a skill",
      { execution_path: "direct_fallback", selected_skill_id: null },
    ],
    [
      "direct_fallback naming the skill that failed",
      { execution_path: "direct_fallback", selected_skill_id: "speckit" },
    ],
    [
      "a failure with a message",
      { status: "failed", error_message: "the agent timed out" },
    ],
    ["no usage reported", { usage: null }],
    ["empty usage", { usage: {} }],
    ["no findings", { findings: undefined }],
    ["no final message", { final_message: undefined }],
    ["a null final message", { final_message: null }],
    [
      "no warnings (a bundle from before they were kept)",
      { warnings: undefined },
    ],
    ["an empty list of warnings", { warnings: [] }],
    [
      "as many warnings as allowed, each as long as allowed",
      {
        warnings: Array.from({ length: MAX_WARNINGS }, () =>
          "w".repeat(MAX_WARNING_LENGTH),
        ),
      },
    ],
    ["an unknown agent version", { agent: { backend: "x", version: null } }],
    [
      "a phase that was skipped",
      {
        phases: [
          {
            phase: "preflight",
            status: "skipped",
            started_at: "2026-11-21T10:00:00Z",
            completed_at: "2026-11-21T10:00:00Z",
          },
        ],
      },
    ],
    ["zero duration", { duration_ms: 0 }],
  ])("accepts %s", (_, patch) => {
    expect(listIssues(StageResult, resultWith(patch))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    [
      "execution_path skill without a skill",
      { execution_path: "skill", selected_skill_id: null },
      [
        "selected_skill_id: selected_skill_id is required when execution_path is skill",
      ],
    ],
    [
      "a missing selected_skill_id",
      { selected_skill_id: undefined },
      ["selected_skill_id: Invalid input: expected string, received undefined"],
    ],
    [
      "an unknown execution_path",
      { execution_path: "agent" },
      [
        'execution_path: Invalid option: expected one of "skill"|"direct_fallback"|"direct_only"',
      ],
    ],
    [
      "status cancelled",
      { status: "cancelled" },
      ['status: Invalid option: expected one of "succeeded"|"failed"'],
    ],
    [
      "a negative duration",
      { duration_ms: -1 },
      ["duration_ms: Too small: expected number to be >=0"],
    ],
    [
      "an unknown artifact type",
      { artifacts: [{ type: "core_dump", name: "core", size_bytes: 1 }] },
      [
        'artifacts.0.type: Invalid option: expected one of "stdout_log"|"stderr_log"|"diff_summary"|"commit_status"|"metrics_snapshot"|"environment_info"',
      ],
    ],
    [
      "an artifact without a name",
      { artifacts: [{ type: "stdout_log", name: "", size_bytes: 1 }] },
      ["artifacts.0.name: Too small: expected string to have >=1 characters"],
    ],
    [
      "a phase time without an offset",
      {
        phases: [
          {
            phase: "agent",
            status: "succeeded",
            started_at: "2026-11-21 10:00",
            completed_at: "2026-11-21T10:01:01Z",
          },
        ],
      },
      ["phases.0.started_at: Invalid ISO datetime"],
    ],
    [
      "negative tokens",
      { usage: { input_tokens: -5 } },
      ["usage.input_tokens: Too small: expected number to be >=0"],
    ],
    [
      "a finding of unknown severity",
      {
        findings: [
          { id: "X", category: "c", severity: "BLOCKER", summary: "s" },
        ],
      },
      [
        'findings.0.severity: Invalid option: expected one of "CRITICAL"|"HIGH"|"MEDIUM"|"LOW"',
      ],
    ],
    ["an unknown key", { logs: "..." }, [': Unrecognized key: "logs"']],
    [
      "a warning that is not a string",
      { warnings: ["fine", 42] },
      ["warnings.1: Invalid input: expected string, received number"],
    ],
    [
      "warnings that are not a list",
      { warnings: "gemini 0.62.0 found" },
      ["warnings: Invalid input: expected array, received string"],
    ],
    [
      "too many warnings",
      { warnings: Array.from({ length: MAX_WARNINGS + 1 }, () => "w") },
      ["warnings: Too big: expected array to have <=20 items"],
    ],
    [
      "a warning that is too long",
      { warnings: ["w".repeat(MAX_WARNING_LENGTH + 1)] },
      ["warnings.0: Too big: expected string to have <=500 characters"],
    ],
    [
      "a missing agent",
      { agent: undefined },
      ["agent: Invalid input: expected object, received undefined"],
    ],
  ])("refuses %s", (_, patch, issues) => {
    expect(listIssues(StageResult, resultWith(patch))).toEqual(issues);
  });
});

describe("fitWarnings", () => {
  it("keeps warnings that fit as they are", () => {
    expect(fitWarnings(["a", "b"])).toEqual(["a", "b"]);
  });

  it("keeps the first ones, each cut to the limit, never inside a surrogate pair", () => {
    const fitted = fitWarnings([
      `${"x".repeat(MAX_WARNING_LENGTH - 2)}😀😀`,
      ...Array.from({ length: MAX_WARNINGS }, (_, i) => `warning ${i}`),
    ]);
    expect(fitted).toHaveLength(MAX_WARNINGS);
    expect(fitted[0]).toBe(`${"x".repeat(MAX_WARNING_LENGTH - 2)}…`);
    expect(fitted.at(-1)).toBe(`warning ${MAX_WARNINGS - 2}`);
    expect(listIssues(StageResult, { ...result(), warnings: fitted })).toEqual(
      [],
    );
  });
});

import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/contracts/stage-result.js";
import type { CollectedResult, RunEvent } from "../../src/engine/events.js";
import type { Attempt, RunState } from "../../src/engine/run-state.js";
import {
  MAX_ANNOTATIONS,
  renderAnnotations,
} from "../../src/github/render-annotations.js";
import {
  MAX_CHECK_TEXT,
  renderCheckRun,
} from "../../src/github/render-check-run.js";
import { RETRY_ACTION } from "../../src/github/render-gate-check-run.js";
import { codeBlock, truncate } from "../../src/github/render-status.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import {
  applyAll,
  at,
  attemptOf,
  BRANCH,
  failed,
  finishStage,
  on,
  RUN_ID,
  stageOf,
  startedRun,
  succeeded,
  workflowRunId,
  workflowRunUrl,
} from "../engine/fixtures.js";
import { C1, C3, planAndTasksDone, SPEC_DIR, specifyDone } from "./fixtures.js";

const NOW = new Date(at(30));
const BLOB = `https://github.com/acme/web/blob/${BRANCH}`;

/** A lone half of a surrogate pair: what a careless cut leaves. */
const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function render(state: RunState, id: string, now = NOW) {
  return renderCheckRun(state, stageOf(state, id), attemptOf(state, id), now);
}

/** The default workflow with `specify` finished with `result`. */
function specified(
  result: Partial<CollectedResult> = {},
  raw: unknown = DEFAULT_WORKFLOW_SOURCE,
) {
  const started = applyAll(startedRun(raw).state, [
    on.trackingCommentCreated(555),
    on.checkRunCreated("specify", 1, 701),
  ]).state;
  return specifyDone(started, {
    changed_paths: [`${SPEC_DIR}/spec.md`],
    ...result,
  });
}

/** The default workflow through `tasks`, with `analyze`'s result collected. */
function analyzed(result: Partial<CollectedResult>): RunState {
  const state = planAndTasksDone(specified());
  return finishStage(
    state,
    "analyze",
    succeeded({ outputs: { report: "", critical: 0 }, ...result }),
  ).state;
}

function finding(n: number, overrides: Partial<Finding> = {}): Finding {
  const severity = (["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const)[n % 4];
  return {
    id: `F${n}`,
    category: "Coverage",
    severity: severity ?? "LOW",
    path: `${SPEC_DIR}/spec.md`,
    start_line: n + 1,
    end_line: n + 2,
    summary: `Finding ${n}`,
    recommendation: `Fix ${n}`,
    ...overrides,
  };
}

/** A run whose only stage failed for good (halt) with `result`. */
function failedRun(result: Partial<CollectedResult> = {}) {
  return finishStage(
    startedRun({ stages: [{ id: "build", name: "Build" }] }).state,
    "build",
    failed("the tests did not pass", result),
  ).state;
}

describe("renderCheckRun for a successful attempt", () => {
  const usage = {
    input_tokens: 12_345,
    output_tokens: 2_345,
    cost_usd: 0.4231,
    turns: 17,
  };
  const paths = [
    `${SPEC_DIR}/spec.md`,
    `${SPEC_DIR}/checklists/a b#1.md`,
    "docs/[x](y).md",
  ];
  const artifacts = [
    {
      type: "stdout_log" as const,
      name: "stdout.log",
      size_bytes: 20_480,
      storage_path: "9001/stdout.log",
      expires_at: "2025-02-01T03:00:00Z",
    },
    {
      type: "stderr_log" as const,
      name: "stderr.log",
      size_bytes: 5 * 1024 * 1024,
      storage_path: "9001/stderr.log",
      expires_at: "2025-02-01T03:00:00Z",
    },
    {
      type: "diff_summary" as const,
      name: "changes.json",
      size_bytes: 512,
      storage_path: "9001/changes.json",
      expires_at: "2025-02-01T03:00:00Z",
    },
  ];
  const state = specified({ usage, changed_paths: paths, artifacts });
  const fields = render(state, "specify");
  const { summary } = fields.output;

  it("says the outcome in the title and completes the check run", () => {
    expect(fields).toMatchObject({
      name: "Specwright: Specify",
      status: "completed",
      conclusion: "success",
      completed_at: at(5),
      details_url: workflowRunUrl(workflowRunId("specify")),
      output: { title: "Specify succeeded: 3 files changed" },
      actions: [],
    });
  });

  it("shows how it ran: path, skill, agent and version", () => {
    expect(summary).toContain(
      "| Execution path | `skill`: ran skill `speckit` |",
    );
    expect(summary).toContain("| Agent | `claude` 1.0.0 |");
  });

  it("shows the token usage and the cost", () => {
    expect(summary).toContain(
      "| Usage | 12,345 input + 2,345 output tokens · 17 turns · $0.42 |",
    );
    expect(summary).toContain("| Duration | 2m |");
  });

  it("links each changed file on the branch, and the commit", () => {
    expect(summary).toContain(
      `- [${SPEC_DIR}/spec.md](${BLOB}/${SPEC_DIR}/spec.md)`,
    );
    expect(summary).toContain(
      `- [${SPEC_DIR}/checklists/a b#1.md](${BLOB}/${SPEC_DIR}/checklists/a%20b%231.md)`,
    );
    expect(summary).toContain(
      `- [docs/\\[x\\](y).md](${BLOB}/docs/%5Bx%5D%28y%29.md)`,
    );
    expect(summary).toContain(
      `[${C1.slice(0, 7)}](https://github.com/acme/web/commit/${C1}) on [\`${BRANCH}\`](https://github.com/acme/web/tree/${BRANCH})`,
    );
  });

  it("links into the repository where GitHub has it: a GitHub Enterprise Server's address, or github.com for runs that kept none", () => {
    const server = "https://github.example.com/acme/web";
    const { summary: onServer } = render(
      { ...state, html_url: server },
      "specify",
    ).output;
    expect(onServer).toContain(
      `- [${SPEC_DIR}/spec.md](${server}/blob/${BRANCH}/${SPEC_DIR}/spec.md)`,
    );
    expect(onServer).toContain(`(${server}/commit/${C1})`);
    // (The Actions run's address is the one its webhook gave.)
    expect(onServer).not.toMatch(
      /https:\/\/github\.com\/acme\/web\/(blob|tree|commit|runs|issues)/,
    );
    expect(onServer).toContain(`${server}/actions/runs/`);
    const { html_url: _, ...older } = state;
    expect(render(older, "specify").output.summary).toContain(
      `(https://github.com/acme/web/commit/${C1})`,
    );
  });

  it("lists the result bundle's files with their expiry", () => {
    expect(summary).toContain(
      `[Download the result bundle](https://github.com/acme/web/actions/runs/${workflowRunId("specify")}/artifacts/9001) · expires 2025-02-01 03:00 UTC`,
    );
    expect(summary).toContain(
      "| `stdout.log` | stdout_log | 20.0 KB | 2025-02-01 03:00 UTC |",
    );
    expect(summary).toContain("| `changes.json` | diff_summary | 512 B |");
    expect(summary).toContain("| `stderr.log` | stderr_log | 5.0 MB |");
  });

  it("says when the bundle has expired", () => {
    const later = render(state, "specify", new Date("2025-03-01T00:00:00Z"));
    expect(later.output.summary).toContain("· expired 2025-02-01 03:00 UTC\n");
  });

  it("links the run's tracking comment", () => {
    expect(summary).toContain(
      `| Run | \`${RUN_ID}\` · [progress](https://github.com/acme/web/issues/42#issuecomment-555) |`,
    );
  });

  it("says when nothing changed", () => {
    const none = render(
      specified({ commit_sha: null, commit_parent: null, changed_paths: [] }),
      "specify",
    );
    expect(none.output.title).toBe("Specify succeeded without changes");
    expect(none.output.summary).not.toContain("Files changed");
  });

  it("cuts a long list of files, saying how many more there are", () => {
    const many = Array.from({ length: 120 }, (_, i) => `src/file-${i}.ts`);
    const { output } = render(specified({ changed_paths: many }), "specify");
    const links = output.summary.match(/^- \[src\/file-\d+\.ts\]/gm) ?? [];
    expect(links).toHaveLength(50);
    expect(output.summary).toContain(
      `- … and 70 more: see [the commit](https://github.com/acme/web/commit/${C1})`,
    );
  });
});

describe("renderCheckRun shows the agent and why the attempt was made", () => {
  it("uses the stage's agent override", () => {
    const state = finishStage(
      startedRun(
        { stages: [{ id: "a", agent: { backend: "codex", model: "gpt-5" } }] },
        {},
      ).state,
      "a",
      succeeded({
        agent_version: "0.9.1",
        execution_path: "direct_only",
        selected_skill: null,
      }),
    ).state;
    const { summary } = render(state, "a").output;
    expect(summary).toContain("| Agent | `codex` 0.9.1 · model `gpt-5` |");
    expect(summary).toContain(
      "| Execution path | `direct_only`: ran the direct prompt, without a skill |",
    );
  });

  it("shows the trigger of an attempt", () => {
    const state = specified();
    const stage = stageOf(state, "specify");
    const attempt: Attempt = {
      ...attemptOf(state, "specify"),
      attempt: 2,
      trigger: "automatic retry 1 of 1, after: the runner was lost",
    };
    const { summary } = renderCheckRun(
      state,
      { ...stage, attempts: [...stage.attempts, attempt] },
      attempt,
      NOW,
    ).output;
    expect(summary).toContain(
      "| Why this attempt | automatic retry 1 of 1, after: the runner was lost |",
    );
  });

  it("shows queued and running attempts", () => {
    const started = startedRun({ stages: [{ id: "a" }] }).state;
    expect(render(started, "a")).toMatchObject({
      status: "queued",
      output: { title: "a is queued" },
      actions: [],
    });
    expect(render(started, "a")).not.toHaveProperty("conclusion");
    const running = applyAll(started, [
      on.stageDispatched("a"),
      on.runUpdated("a", 1, "in_progress"),
    ]).state;
    expect(render(running, "a")).toMatchObject({
      status: "in_progress",
      started_at: at(3),
      output: { title: "a is running" },
    });
    expect(render(running, "a").output.summary).toContain(
      "| Started | 2025-01-02 03:03 UTC |",
    );
    expect(render(running, "a").output.summary).not.toContain("Duration");
  });
});

describe("renderCheckRun for a failed attempt", () => {
  it("says why, shows the log tail and offers a Retry button", () => {
    const fields = render(
      failedRun({ log_tail: "step 1\nError: 3 tests failed" }),
      "build",
    );
    expect(fields).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Build failed: the tests did not pass" },
      actions: [
        {
          label: "Retry",
          description: "Run Build again",
          identifier: RETRY_ACTION,
        },
      ],
    });
    expect(fields.output.summary).toContain(
      "**Why it failed:** the tests did not pass",
    );
    expect(fields.output.summary).toContain(
      "```text\nstep 1\nError: 3 tests failed\n```",
    );
  });

  it("keeps the button's text within GitHub's limits", () => {
    const state = finishStage(
      startedRun({ stages: [{ id: "a", name: "A".repeat(60) }] }).state,
      "a",
      failed("no"),
    ).state;
    const [action] = render(state, "a").actions;
    expect(action?.label.length).toBeLessThanOrEqual(20);
    expect(action?.description.length).toBeLessThanOrEqual(40);
    expect(action?.identifier.length).toBeLessThanOrEqual(20);
  });

  it("offers no Retry in a cancelled run", () => {
    const state = failedRun();
    const cancelled: RunState = { ...state, status: "cancelled" };
    expect(render(cancelled, "build").actions).toStrictEqual([]);
  });

  it("says when the next attempt starts while the stage is retrying", () => {
    const started = startedRun({ stages: [{ id: "a", name: "Build" }] }).state;
    const event: RunEvent = {
      type: "result_missing",
      stage: "a",
      attempt: 1,
      error: "the runner was lost",
      retryable: true,
      at: at(5),
    };
    const state = applyAll(started, [
      on.stageDispatched("a"),
      on.runUpdated("a", 1, "in_progress"),
      event,
    ]).state;
    expect(stageOf(state, "a").status).toBe("retrying");
    const fields = render(state, "a", new Date(at(5)));
    expect(fields.actions).toStrictEqual([]);
    expect(fields.output.title).toBe(
      "Build failed (attempt 1); retrying at 2025-01-02 03:05:30 UTC",
    );
    expect(fields.output.summary).toContain(
      "🔁 **Retrying:** attempt 2 starts at 2025-01-02 03:05:30 UTC.",
    );
  });

  it("lists the attempt's phases in the details", () => {
    const phase = (
      name: string,
      status: "succeeded" | "failed",
      from: number,
      to: number,
    ) => ({
      phase: name,
      status,
      started_at: at(from),
      completed_at: at(to),
    });
    const { text } = render(
      failedRun({
        phases: [
          phase("skill", "failed", 3, 5),
          phase("direct", "failed", 5, 6.5),
        ],
      }),
      "build",
    ).output;
    expect(text?.split("\n")).toStrictEqual([
      "### Phases",
      "",
      "| Phase | Status | Duration |",
      "| --- | --- | --- |",
      "| skill | failed | 2m |",
      "| direct | failed | 1m 30s |",
    ]);
  });

  it("puts the log in a fence that backticks in it cannot close", () => {
    const log = "a\n````\n```\n`````` inline\nz";
    const { summary } = render(failedRun({ log_tail: log }), "build").output;
    expect(summary).toContain(`\`\`\`\`\`\`\`text\n${log}\n\`\`\`\`\`\`\``);
  });

  it("cuts a 70,000-character log tail below the limit, keeping its end", () => {
    const log = `${"x".repeat(69_990)}\nthe end`;
    const { summary } = render(failedRun({ log_tail: log }), "build").output;
    expect(summary.length).toBeLessThan(65_535);
    expect(summary).toContain("earlier characters left out");
    expect(summary).toContain("x\nthe end\n```");
  });

  it("shows the runner's warnings after why it failed, before the facts", () => {
    const { summary } = render(
      failedRun({
        warnings: [
          "codex 0.1.0 found; Specwright is tested with codex 0.171.0",
        ],
      }),
      "build",
    ).output;
    const warning =
      "- ⚠️ codex 0.1.0 found; Specwright is tested with codex 0.171.0";
    expect(summary).toContain(`#### Warnings from the runner\n\n${warning}`);
    expect(summary.indexOf("**Why it failed:**")).toBeLessThan(
      summary.indexOf(warning),
    );
    expect(summary.indexOf(warning)).toBeLessThan(summary.indexOf("| Run |"));
  });

  it("has no warnings section when the runner warned of nothing", () => {
    expect(render(failedRun(), "build").output.summary).not.toContain(
      "Warnings",
    );
  });

  it("never cuts inside a surrogate pair", () => {
    const state = failedRun({
      log_tail: "😀".repeat(40_000),
      final_message: "🙂".repeat(40_000),
      error_message: "💥".repeat(40_000),
    });
    const { summary } = render(state, "build").output;
    expect(summary.length).toBeLessThanOrEqual(MAX_CHECK_TEXT);
    expect(summary).not.toMatch(LONE_SURROGATE);
  });

  it("stays under the limit however long every part is", () => {
    const state = failedRun({
      log_tail: "l".repeat(100_000),
      final_message: "m".repeat(100_000),
      error_message: `e\n${"e".repeat(100_000)}`,
      findings: Array.from({ length: 3_000 }, (_, i) =>
        finding(i, { path: undefined, summary: "s".repeat(100) }),
      ),
    });
    const { summary, text } = render(state, "build").output;
    expect(summary.length).toBeLessThanOrEqual(MAX_CHECK_TEXT);
    expect(text?.length).toBeLessThanOrEqual(MAX_CHECK_TEXT);
  });
});

describe("renderCheckRun for analyze", () => {
  const findings = [
    finding(0),
    finding(1),
    finding(2, { path: undefined, start_line: undefined }),
    finding(3, { start_line: undefined, end_line: undefined }),
  ];
  const state = analyzed({
    findings,
    final_message: "## Specification Analysis Report\n\n| ID | Severity |",
  });
  const fields = render(state, "analyze");

  it("counts the findings by severity in the title and summary", () => {
    expect(fields.output.title).toBe(
      "Analyze succeeded: 4 findings (1 CRITICAL)",
    );
    expect(fields.output.summary).toContain(
      "**1 CRITICAL** · **1 HIGH** · 1 MEDIUM · 1 LOW.",
    );
    expect(fields.output.summary).toContain(
      "2 findings are shown as annotations",
    );
  });

  it("lists the findings without a file and line", () => {
    expect(fields.output.summary).toContain(
      "Without a file and line, so not annotations (2):",
    );
    expect(fields.output.summary).toContain(
      "- **MEDIUM** `F2` Coverage: Finding 2 *Recommendation:* Fix 2",
    );
    expect(fields.output.summary).toContain(
      `- **LOW** \`F3\` Coverage in \`${SPEC_DIR}/spec.md\`: Finding 3`,
    );
  });

  it("shows the report, and every finding in the details", () => {
    expect(fields.output.summary).toContain(
      "#### Report\n\n## Specification Analysis Report",
    );
    expect(fields.output.text).toContain(
      `| F0 | CRITICAL | Coverage | [${SPEC_DIR}/spec.md:1](https://github.com/acme/web/blob/${C3}/${SPEC_DIR}/spec.md#L1-L2) | Finding 0 | Fix 0 |`,
    );
    expect(fields.output.text).toContain("| F2 | MEDIUM | Coverage | — |");
  });

  it("says when there are no findings", () => {
    const clean = render(analyzed({ findings: [] }), "analyze");
    expect(clean.output.summary).toContain(
      "None: the artifacts are consistent.",
    );
  });

  it("says how many findings were left out beyond the bound", () => {
    const many = Array.from({ length: MAX_ANNOTATIONS + 7 }, (_, i) =>
      finding(i),
    );
    const { summary } = render(analyzed({ findings: many }), "analyze").output;
    expect(summary).toContain(
      "7 more findings are not shown as annotations: Specwright adds at most 1,000 to a check run, the most severe first.",
    );
  });
});

describe("renderAnnotations", () => {
  it("maps severities to annotation levels, the most severe first", () => {
    const { annotations } = renderAnnotations([
      finding(3),
      finding(2),
      finding(1),
      finding(0),
    ]);
    expect(annotations.map((a) => [a.title, a.annotation_level])).toStrictEqual(
      [
        ["CRITICAL F0: Coverage", "failure"],
        ["HIGH F1: Coverage", "failure"],
        ["MEDIUM F2: Coverage", "warning"],
        ["LOW F3: Coverage", "notice"],
      ],
    );
    expect(annotations[0]).toStrictEqual({
      path: `${SPEC_DIR}/spec.md`,
      start_line: 1,
      end_line: 2,
      annotation_level: "failure",
      title: "CRITICAL F0: Coverage",
      message: "Finding 0\n\nRecommendation: Fix 0",
    });
  });

  it.each([
    ["no path", { path: undefined }],
    ["no line", { start_line: undefined, end_line: undefined }],
    ["an absolute path", { path: "/etc/passwd" }],
    ["a path outside the repository", { path: "../x.md" }],
  ])("keeps a finding with %s out of the annotations", (_, overrides) => {
    const planned = renderAnnotations([finding(0, overrides)]);
    expect(planned.annotations).toStrictEqual([]);
    expect(planned.unplaced).toHaveLength(1);
  });

  it("reads one line, a reversed range and a ./ path", () => {
    const { annotations } = renderAnnotations([
      finding(0, { path: "./a.md", start_line: 5, end_line: undefined }),
      finding(0, { start_line: 9, end_line: 3 }),
    ]);
    expect(
      annotations.map((a) => [a.path, a.start_line, a.end_line]),
    ).toStrictEqual([
      ["a.md", 5, 5],
      [`${SPEC_DIR}/spec.md`, 9, 9],
    ]);
  });

  it("bounds the annotations and counts the rest", () => {
    const planned = renderAnnotations(
      Array.from({ length: 1_234 }, (_, i) => finding(i)),
    );
    expect(planned.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(planned.left_out).toBe(234);
    expect(planned.annotations.at(-1)?.annotation_level).toBe("notice");
    expect(
      planned.annotations.filter((a) => a.annotation_level === "failure"),
    ).toHaveLength(618);
  });

  it("keeps the title within GitHub's 255 characters", () => {
    const [annotation] = renderAnnotations([
      finding(0, { category: "c".repeat(1_000) }),
    ]).annotations;
    expect(annotation?.title.length).toBeLessThanOrEqual(255);
  });
});

describe("truncate and codeBlock", () => {
  it("cuts to the limit, saying so", () => {
    const cut = truncate("a".repeat(100), 50);
    expect(cut.length).toBe(50);
    expect(cut).toMatch(/cut to fit GitHub's limit\)$/);
    expect(truncate("short", 50)).toBe("short");
  });

  it("does not split a surrogate pair", () => {
    for (let max = 10; max < 20; max++) {
      expect(truncate("😀".repeat(20), max, "…")).not.toMatch(LONE_SURROGATE);
    }
  });

  it("fences with more backticks than the text holds", () => {
    expect(codeBlock("plain")).toBe("```\nplain\n```");
    expect(codeBlock("a ```` b", "text")).toBe("`````text\na ```` b\n`````");
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderRunDetail } from "../../../src/local/progress/render-run-detail.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../../src/workflow/default-workflow.js";
import { at, BASE_SHA, failed, makeRun, on } from "../../engine/fixtures.js";
import { defaultRunToGate, tell } from "../../engine/progress/story.js";

beforeEach(() => {
  vi.stubEnv("TZ", "UTC");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("renderRunDetail", () => {
  it("shows a run waiting at a gate: each attempt, its step folder, the commands", () => {
    const text = renderRunDetail(defaultRunToGate().state, {
      folder: "/repo/.specwright/runs/0b5e7a52",
      steps: { "specify#1": "01-specify-1", "plan#1": "02-plan-1" },
    });

    expect(text.split("\n")).toStrictEqual([
      "Run 0b5e7a52-9c3e-4f7a-8d1e-2f6a3b4c5d6e",
      "  Feature:   Add a dark mode toggle",
      "  Workflow:  Spec Kit",
      "  Status:    in_progress",
      "  Branch:    speckit/20250102/k3x9",
      "  Started:   2025-01-02 03:00:00",
      "  Duration:  still running",
      "  Folder:    /repo/.specwright/runs/0b5e7a52",
      "",
      "Stages",
      "  ✓ specify  succeeded",
      "    attempt 1  succeeded  via skill speckit  2m  1,234 tokens · $0.0123 · 7 turns  commit 1a2b3c4d",
      "      steps: /repo/.specwright/runs/0b5e7a52/steps/01-specify-1",
      "  ✓ plan  succeeded",
      "    attempt 1  succeeded  via skill speckit  2m  commit 2b3c4d5e",
      "      steps: /repo/.specwright/runs/0b5e7a52/steps/02-plan-1",
      "  ✓ tasks  succeeded",
      "    attempt 1  succeeded  via skill speckit  2m  commit 3c4d5e6f",
      "  ✓ analyze  succeeded",
      "    attempt 1  succeeded  via skill speckit  2m",
      "  ⏸ implement  waiting for approval — since 2025-01-02 03:13:00",
      "    approve: specwright approve 0b5e7a52 implement",
      "    reject:  specwright reject 0b5e7a52 implement",
      "",
    ]);
  });

  it("shows a failed run: retries, why they ran, errors made safe", () => {
    const { state } = tell(
      makeRun(DEFAULT_WORKFLOW_SOURCE, {
        feature: "Dark\nmode \x1b]0;pwned\x07\x1b[2Jplease",
      }),
      [
        on.start(at(0)),
        on.branchCreated(BASE_SHA, at(1)),
        on.runUpdated("specify", 1, "in_progress", { time: at(2) }),
        on.resultMissing("specify", 1, "the runner was lost", at(3), true),
        on.tick(at(4)),
        on.runUpdated("specify", 2, "in_progress", { time: at(5) }),
        on.resultCollected(
          "specify",
          2,
          failed("line one\n\x1b[31mline two\x1b[0m", {
            usage: { output_tokens: 5 },
          }),
          at(6),
        ),
      ],
    );

    const text = renderRunDetail(state, {
      folder: "/r",
      steps: { "specify#2": "02-specify-2" },
    });

    expect(text.split("\n")).toStrictEqual([
      "Run 0b5e7a52-9c3e-4f7a-8d1e-2f6a3b4c5d6e",
      "  Feature:   Dark",
      "             mode please",
      "  Workflow:  Spec Kit",
      "  Status:    failed — Stage Specify failed: line one line two",
      "  Branch:    speckit/20250102/k3x9",
      "  Started:   2025-01-02 03:00:00",
      "  Duration:  6m",
      "  Folder:    /r",
      "",
      "Stages",
      "  ✗ specify  failed — line one line two",
      "    attempt 1  failed  1m",
      "      error: the runner was lost",
      "    attempt 2  failed  via the direct prompt, after skill speckit failed  1m  5 tokens · ~$0.0001",
      "      why:   automatic retry 1 of 1, after: the runner was lost",
      "      error: line one",
      "             line two",
      "      steps: /r/steps/02-specify-2",
      "  – plan  skipped — not run: the run failed first",
      "  – tasks  skipped — not run: the run failed first",
      "  – analyze  skipped — not run: the run failed first",
      "  – implement  skipped — not run: the run failed first",
      "",
    ]);
  });

  it("shows at most twelve lines of an error", () => {
    const error = Array.from({ length: 15 }, (_, i) => `line ${i + 1}`).join(
      "\n",
    );
    const { state } = tell(makeRun({ stages: [{ id: "a" }] }), [
      on.start(at(0)),
      on.branchCreated(BASE_SHA, at(1)),
      on.resultCollected("a", 1, failed(error), at(2)),
    ]);

    const lines = renderRunDetail(state, { folder: "/r", steps: {} }).split(
      "\n",
    );
    const from = lines.indexOf("      error: line 1");
    expect(lines.slice(from + 11, from + 13)).toStrictEqual([
      "             line 12",
      "             … (3 more lines)",
    ]);
  });
});

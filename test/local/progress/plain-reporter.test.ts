import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ProgressEvent } from "../../../src/engine/progress/progress-event.js";
import { plainReporter } from "../../../src/local/progress/plain-reporter.js";
import { at, committed, on, RUN_ID } from "../../engine/fixtures.js";
import {
  attempt,
  C3,
  C4,
  defaultRunToGate,
  more,
} from "../../engine/progress/story.js";

beforeEach(() => {
  vi.stubEnv("TZ", "UTC");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const AT_GATE = defaultRunToGate();

function print(events: readonly ProgressEvent[]): string[] {
  const out: string[] = [];
  const reporter = plainReporter((s) => out.push(s));
  for (const e of events) reporter.event(e, AT_GATE.state);
  reporter.close();
  return out;
}

const run = { run_id: RUN_ID };

describe("plainReporter", () => {
  it("prints one line per event of a whole run, with local times", () => {
    const gate = defaultRunToGate();
    const done = more(gate, [
      on.approve("implement", "octocat", at(14)),
      ...attempt("implement", 1, 14, committed(C4, C3)),
    ]);

    expect(print([...gate.progress, ...done.progress])).toStrictEqual([
      "03:00:00 run 0b5e7a52 started: Spec Kit (5 stages) on speckit/20250102/k3x9 — Add a dark mode toggle\n",
      "03:02:00 specify: started (attempt 1)\n",
      "03:04:00 specify: succeeded in 2m, 1,234 tokens, $0.0123, 7 turns, commit 1a2b3c4d\n",
      "03:05:00 plan: started (attempt 1)\n",
      "03:07:00 plan: succeeded in 2m, commit 2b3c4d5e\n",
      "03:08:00 tasks: started (attempt 1)\n",
      "03:10:00 tasks: succeeded in 2m, commit 3c4d5e6f\n",
      "03:11:00 analyze: started (attempt 1)\n",
      "03:13:00 analyze: succeeded in 2m\n",
      "03:13:00 implement: waiting for approval — run: specwright approve 0b5e7a52 implement (or: specwright reject 0b5e7a52 implement)\n",
      "03:15:00 implement: started (attempt 1)\n",
      "03:17:00 implement: succeeded in 2m, commit 4d5e6f70\n",
      "03:17:00 run succeeded in 17m: Every stage finished\n",
    ]);
  });

  it("shows the local time of the machine", () => {
    vi.stubEnv("TZ", "Asia/Kolkata");
    expect(print(defaultRunToGate().progress.slice(1, 2))).toStrictEqual([
      "08:32:00 specify: started (attempt 1)\n",
    ]);
  });

  it.each<{ name: string; event: ProgressEvent; line: string }>([
    {
      name: "a later attempt, timed",
      event: {
        event: "stage_completed",
        ...run,
        at: at(0),
        stage: "plan",
        attempt: 2,
        status: "succeeded",
        duration_ms: 42_100,
        commit: null,
        usage: { output_tokens: 1 },
      },
      line: "03:00:00 plan: succeeded (attempt 2) in 42.1s, 1 token\n",
    },
    {
      name: "a skip with its reason",
      event: {
        event: "stage_completed",
        ...run,
        at: at(0),
        stage: "analyze",
        attempt: 0,
        status: "skipped",
        duration_ms: null,
        commit: null,
        usage: null,
        reason: "its condition is false",
      },
      line: "03:00:00 analyze: skipped — its condition is false\n",
    },
    {
      name: "a failure to retry, its error made safe",
      event: {
        event: "stage_failed",
        ...run,
        at: at(1),
        stage: "plan",
        attempt: 1,
        status: "timed_out",
        error: "\x1b]0;pwned\x07\x1b[2Jno\nresult",
        will_retry: true,
      },
      line: "03:01:00 plan: timed out (attempt 1): no result — will retry\n",
    },
    {
      name: "a rejected gate",
      event: {
        event: "stage_failed",
        ...run,
        at: at(1),
        stage: "review",
        attempt: null,
        status: "failed",
        error: "rejected by @octocat",
        will_retry: false,
      },
      line: "03:01:00 review: failed: rejected by @octocat\n",
    },
    {
      name: "a run with no changes and no start",
      event: {
        event: "run_completed",
        ...run,
        at: at(1),
        status: "no_changes",
        summary: null,
        duration_ms: null,
      },
      line: "03:01:00 run finished with no changes\n",
    },
  ])("prints $name", ({ event, line }) => {
    expect(print([event])).toStrictEqual([line]);
  });
});

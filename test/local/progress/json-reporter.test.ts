import { describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../src/engine/progress/progress-event.js";
import { jsonReporter } from "../../../src/local/progress/json-reporter.js";
import { at, RUN_ID } from "../../engine/fixtures.js";
import { defaultRunToGate } from "../../engine/progress/story.js";

const AT_GATE = defaultRunToGate();

function print(events: readonly ProgressEvent[]): string[] {
  const out: string[] = [];
  const reporter = jsonReporter((s) => out.push(s));
  for (const e of events) reporter.event(e, AT_GATE.state);
  reporter.close();
  return out;
}

describe("jsonReporter", () => {
  it("prints one JSON object per line, keys in the type's order", () => {
    const { progress } = defaultRunToGate();

    expect(
      print([progress[0], progress[2], progress[9]] as ProgressEvent[]),
    ).toStrictEqual([
      `{"event":"run_started","run_id":"${RUN_ID}","at":"2025-01-02T03:00:00.000Z","feature":"Add a dark mode toggle","workflow":"Spec Kit","branch":"speckit/20250102/k3x9","stages":["specify","plan","tasks","analyze","implement"]}\n`,
      `{"event":"stage_completed","run_id":"${RUN_ID}","at":"2025-01-02T03:04:00.000Z","stage":"specify","attempt":1,"status":"succeeded","duration_ms":120000,"commit":"1a2b3c4d11111111111111111111111111111111","usage":{"input_tokens":1000,"output_tokens":234,"cost_usd":0.0123,"turns":7}}\n`,
      `{"event":"gate_waiting","run_id":"${RUN_ID}","at":"2025-01-02T03:13:00.000Z","stage":"implement","approve":"specwright approve 0b5e7a52 implement","reject":"specwright reject 0b5e7a52 implement"}\n`,
    ]);
  });

  it("keeps the order whatever order the object was built in, and escapes controls", () => {
    const shuffled = {
      will_retry: false,
      error: "\x1b[2Jgone",
      status: "failed",
      attempt: null,
      stage: "plan",
      at: at(1),
      run_id: RUN_ID,
      event: "stage_failed",
    } as ProgressEvent;

    expect(print([shuffled])).toStrictEqual([
      `{"event":"stage_failed","run_id":"${RUN_ID}","at":"2025-01-02T03:01:00.000Z","stage":"plan","attempt":null,"status":"failed","error":"\\u001b[2Jgone","will_retry":false}\n`,
    ]);
  });

  it("prints a skip's reason last", () => {
    const skipped: ProgressEvent = {
      reason: "its condition is false",
      event: "stage_completed",
      run_id: RUN_ID,
      at: at(2),
      stage: "b",
      attempt: 0,
      status: "skipped",
      duration_ms: null,
      commit: null,
      usage: null,
    };

    expect(print([skipped])).toStrictEqual([
      `{"event":"stage_completed","run_id":"${RUN_ID}","at":"2025-01-02T03:02:00.000Z","stage":"b","attempt":0,"status":"skipped","duration_ms":null,"commit":null,"usage":null,"reason":"its condition is false"}\n`,
    ]);
  });
});

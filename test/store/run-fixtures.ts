import { checkConfig } from "../../src/config/check-config.js";
import { PROMPT_PACK_VERSION } from "../../src/contracts/stage-request.js";
import {
  createRunState,
  type NewRun,
} from "../../src/engine/create-run-state.js";
import type { CollectedResult } from "../../src/engine/events.js";
import type { RunSettings, RunState } from "../../src/engine/run-state.js";
import { defaultWorkflow } from "../../src/workflow/default-workflow.js";
import { Workflow } from "../../src/workflow/schema.js";

/** The repository settings of an empty `.github/specwright.yml`. */
export function defaultSettings(): RunSettings {
  const checked = checkConfig({});
  if (!checked.ok) throw new Error("the default configuration is invalid");
  const { workflow: _, ...settings } = checked.config;
  return settings;
}

/** `2026-11-21T10:<minute>:00.000Z`: fixed times, already in the store's ISO form. */
export function at(minute: number, second = 0): string {
  return new Date(Date.UTC(2026, 10, 21, 10, minute, second)).toISOString();
}

export const T0 = at(0);

export const sha = (c: string) => c.repeat(40);

/** A run id whose last digits are `n`, so tests read well. */
export function runId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

/** The agent configuration snapshot `createRun` records. */
export const AGENT = {
  backend: "claude",
  version: "1.0.0",
  prompt_pack_version: PROMPT_PACK_VERSION,
  runtime_env: { LANG: "en_US.UTF-8" },
};

/** A queued run of the default workflow for acme/web#7. */
export function newRun(overrides: Partial<NewRun> = {}): RunState {
  return createRunState({
    id: runId(1),
    installation_id: 42,
    owner: "acme",
    repo: "web",
    html_url: "https://github.com/acme/web",
    issue: {
      number: 7,
      title: "Dark mode",
      body: "Add a dark mode toggle",
      url: "https://github.com/acme/web/issues/7",
    },
    feature: "Add a dark mode toggle",
    requested_by: "octocat",
    base_branch: "main",
    branch: "speckit/20261121/abc123",
    workflow: defaultWorkflow(),
    settings: defaultSettings(),
    parameters: {},
    at: T0,
    ...overrides,
  });
}

/** A workflow of `count` independent stages, all started at once. */
export function fanOutWorkflow(count: number, type: "agent" | "gate") {
  return Workflow.parse({
    name: "Fan out",
    stages: Array.from({ length: count }, (_, i) => ({
      id: stageId(i),
      type,
    })),
  });
}

export function stageId(i: number): string {
  return `s${String(i).padStart(2, "0")}`;
}

/** A successful `specify` result with a commit and a rich set of values. */
export function specifyResult(
  overrides: Partial<CollectedResult> = {},
): CollectedResult {
  return {
    status: "succeeded",
    execution_path: "skill",
    selected_skill: "speckit",
    agent_version: "claude 1.0.0",
    outputs: {
      spec: "specs/001-dark-mode/spec.md",
      summary: { title: "Dark mode", tags: ["ui", "theme"], depth: 2 },
      scores: [1, 2.5, -3, 0, 1e-7, 12345678901],
      nested: [[], [{ a: null, b: true, c: "ü ✓ 🌙" }]],
      nothing: null,
      count: 3,
    },
    spec_dir: "specs/001-dark-mode",
    error_message: null,
    phases: [
      {
        phase: "skill",
        status: "succeeded",
        started_at: at(3),
        completed_at: at(4),
      },
      {
        phase: "validate",
        status: "skipped",
        started_at: at(4),
        completed_at: at(4),
      },
    ],
    usage: { input_tokens: 1200, output_tokens: 340, cost_usd: 0.0425 },
    findings: [],
    final_message: "Wrote specs/001-dark-mode/spec.md.",
    log_tail: null,
    warnings: [
      "claude 1.0.0 found; Specwright is tested with claude 2.0.0: install that version if this one misbehaves",
    ],
    commit_sha: sha("c"),
    commit_parent: sha("a"),
    changed_paths: ["specs/001-dark-mode/spec.md"],
    artifacts: [
      {
        type: "stdout_log",
        name: "stdout.log",
        size_bytes: 2048,
        storage_path: "9001/stdout.log",
        expires_at: "2026-12-21T10:00:00.000Z",
      },
      {
        type: "metrics_snapshot",
        name: "metrics.json",
        size_bytes: 120,
        storage_path: "9001/metrics.json",
        expires_at: "2026-12-21T10:00:00.000Z",
      },
    ],
    ...overrides,
  };
}

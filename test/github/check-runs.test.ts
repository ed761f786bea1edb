import { ProbotOctokit } from "probot";
import { describe, expect, it, vi } from "vitest";
import type { Finding } from "../../src/contracts/stage-result.js";
import type { RunEvent } from "../../src/engine/events.js";
import type { RunState } from "../../src/engine/run-state.js";
import {
  createCheckRun,
  createGateCheckRun,
  externalId,
  parseExternalId,
  updateCheckRun,
  updateGateCheckRun,
} from "../../src/github/check-runs.js";
import type { EffectContext } from "../../src/github/effect-context.js";
import { GitHubMemory } from "../../src/github/github-memory.js";
import {
  type CheckAnnotation,
  renderAnnotations,
} from "../../src/github/render-annotations.js";
import {
  APPROVE_ACTION,
  REJECT_ACTION,
} from "../../src/github/render-gate-check-run.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import {
  applyAll,
  at,
  BASE_SHA,
  finishStage,
  on,
  RUN_ID,
  startedRun,
  succeeded,
} from "../engine/fixtures.js";
import { capture } from "../mocks/issues.js";
import { github } from "../support/github.js";
import { C3, SPEC_DIR, throughTasks } from "./fixtures.js";

const TestOctokit = ProbotOctokit.defaults((options: object) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
const REPO = "/repos/acme/web";
const NOW = new Date("2025-01-02T04:00:00.000Z");

function context(state: RunState, retries = 0): EffectContext {
  return {
    octokit: new TestOctokit({ auth: "token" }),
    state,
    retries,
    now: () => NOW,
    log: { info: vi.fn(), warn: vi.fn() },
  };
}

function findings(count: number): Finding[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `F${i}`,
    category: "Ambiguity",
    severity: (["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const)[i % 4] ?? "LOW",
    path: `${SPEC_DIR}/spec.md`,
    start_line: i + 1,
    summary: `Finding ${i}`,
  }));
}

/** The default workflow through `tasks`; analyze dispatched (its check run made, if `checkRunId`). */
function beforeAnalyze(checkRunId?: number): RunState {
  let state = startedRun(DEFAULT_WORKFLOW_SOURCE).state;
  state = throughTasks(state);
  return checkRunId === undefined
    ? state
    : applyAll(state, [on.checkRunCreated("analyze", 1, checkRunId)]).state;
}

/** `analyze` finished with `count` findings. */
function analyzed(count: number, checkRunId?: number): RunState {
  return finishStage(
    beforeAnalyze(checkRunId),
    "analyze",
    succeeded({
      outputs: { report: "", critical: 0 },
      findings: findings(count),
    }),
  ).state;
}

interface CheckRunBody {
  name?: string;
  head_sha?: string;
  external_id?: string;
  status?: string;
  conclusion?: string;
  output?: {
    title: string;
    summary: string;
    text?: string;
    annotations?: CheckAnnotation[];
  };
  actions?: { label: string; description: string; identifier: string }[];
}

function nockCreate(id: number) {
  const sent = capture<CheckRunBody>();
  const scope = github()
    .post(`${REPO}/check-runs`, sent.match)
    .reply(201, { id });
  return { scope, bodies: sent.bodies };
}

function nockUpdate(id: number, times: number) {
  const sent = capture<CheckRunBody>();
  const scope = github()
    .patch(`${REPO}/check-runs/${id}`, sent.match)
    .times(times)
    .reply(200, { id });
  return { scope, bodies: sent.bodies };
}

function nockGet(id: number, annotationsCount: number) {
  return github()
    .get(`${REPO}/check-runs/${id}`)
    .reply(200, { id, output: { annotations_count: annotationsCount } });
}

function annotationsOf(bodies: readonly CheckRunBody[]): CheckAnnotation[] {
  return bodies.flatMap((b) => b.output?.annotations ?? []);
}

describe("externalId and parseExternalId", () => {
  it.each([
    [3, `specwright:${RUN_ID}:plan:3`],
    ["gate" as const, `specwright:${RUN_ID}:plan:gate`],
  ])("round-trips attempt %s", (attempt, id) => {
    expect(externalId(RUN_ID, "plan", attempt)).toBe(id);
    expect(parseExternalId(id)).toStrictEqual({
      runId: RUN_ID,
      stage: "plan",
      attempt,
    });
  });

  it.each([
    null,
    undefined,
    "",
    "lint:1",
    `specwright:${RUN_ID}:plan:x`,
    `specwright:not-a-run:plan:1`,
  ])("refuses %s", (id) => {
    expect(parseExternalId(id)).toBeUndefined();
  });
});

describe("createCheckRun", () => {
  it("creates a queued check run on the commit the attempt runs against", async () => {
    const state = startedRun(DEFAULT_WORKFLOW_SOURCE).state;
    const created = nockCreate(701);
    const event = await createCheckRun(context(state), {
      stage: "specify",
      attempt: 1,
    });
    expect(event).toStrictEqual({
      type: "check_run_created",
      stage: "specify",
      attempt: 1,
      check_run_id: 701,
      at: NOW.toISOString(),
    });
    expect(created.scope.isDone()).toBe(true);
    expect(created.bodies[0]).toMatchObject({
      name: "Specwright: Specify",
      head_sha: BASE_SHA,
      external_id: `specwright:${RUN_ID}:specify:1`,
      status: "queued",
      output: { title: "Specify is queued" },
      actions: [],
    });
    expect(created.bodies[0]?.output).not.toHaveProperty("annotations");
  });

  it("sends 120 findings in requests of 50, 50 and 20", async () => {
    const state = analyzed(120);
    const created = nockCreate(704);
    const updated = nockUpdate(704, 2);
    await createCheckRun(context(state), { stage: "analyze", attempt: 1 });
    expect(created.scope.isDone()).toBe(true);
    expect(updated.scope.isDone()).toBe(true);

    const bodies = [...created.bodies, ...updated.bodies];
    expect(bodies.map((b) => b.output?.annotations?.length)).toStrictEqual([
      50, 50, 20,
    ]);
    expect(annotationsOf(bodies)).toStrictEqual(
      renderAnnotations(findings(120)).annotations,
    );
    expect(created.bodies[0]).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "Analyze succeeded: 120 findings (30 CRITICAL)" },
    });
    for (const body of updated.bodies) {
      expect(Object.keys(body)).toStrictEqual(["output"]);
      expect(body.output?.title).toBe(created.bodies[0]?.output?.title);
      expect(body.output?.summary).toBe(created.bodies[0]?.output?.summary);
    }
  });

  it("finds the check run an earlier try made, and finishes its annotations", async () => {
    const state = analyzed(120);
    const listed = github()
      .get(`${REPO}/commits/${C3}/check-runs`)
      .query({ check_name: "Specwright: Analyze", filter: "all" })
      .reply(200, {
        total_count: 1,
        check_runs: [
          {
            id: 704,
            external_id: `specwright:${RUN_ID}:analyze:1`,
            output: { annotations_count: 50 },
          },
        ],
      });
    const updated = nockUpdate(704, 2);
    const event = await createCheckRun(context(state, 1), {
      stage: "analyze",
      attempt: 1,
    });
    expect(event).toMatchObject({
      type: "check_run_created",
      check_run_id: 704,
    });
    expect(listed.isDone()).toBe(true);
    expect(
      updated.bodies.map((b) => b.output?.annotations?.length),
    ).toStrictEqual([50, 20]);
    expect(annotationsOf(updated.bodies)).toStrictEqual(
      renderAnnotations(findings(120)).annotations.slice(50),
    );
    expect(updated.bodies[0]).toMatchObject({
      status: "completed",
      conclusion: "success",
    });
  });

  it("leaves an earlier try's check run alone while the attempt is queued", async () => {
    const state = startedRun(DEFAULT_WORKFLOW_SOURCE).state;
    const listed = github()
      .get(`${REPO}/commits/${BASE_SHA}/check-runs`)
      .query({ check_name: "Specwright: Specify", filter: "all" })
      .reply(200, {
        total_count: 2,
        check_runs: [
          { id: 9, external_id: `specwright:${RUN_ID}:specify:2` },
          { id: 77, external_id: `specwright:${RUN_ID}:specify:1` },
        ],
      });
    const event = await createCheckRun(context(state, 1), {
      stage: "specify",
      attempt: 1,
    });
    expect(event).toMatchObject({ check_run_id: 77 });
    expect(listed.isDone()).toBe(true);
  });

  it("does nothing for an attempt the run does not have", async () => {
    const state = startedRun(DEFAULT_WORKFLOW_SOURCE).state;
    expect(
      await createCheckRun(context(state), { stage: "specify", attempt: 2 }),
    ).toBeNull();
  });
});

describe("updateCheckRun", () => {
  it("updates without annotations in one request", async () => {
    const state = applyAll(startedRun(DEFAULT_WORKFLOW_SOURCE).state, [
      on.checkRunCreated("specify", 1, 701),
      on.stageDispatched("specify"),
      on.runUpdated("specify", 1, "in_progress", { time: at(3) }),
    ]).state;
    const updated = nockUpdate(701, 1);
    expect(
      await updateCheckRun(context(state), { stage: "specify", attempt: 1 }),
    ).toBeNull();
    expect(updated.scope.isDone()).toBe(true);
    expect(updated.bodies[0]).toMatchObject({
      status: "in_progress",
      started_at: at(3),
      output: { title: "Specify is running" },
    });
    expect(updated.bodies[0]).not.toHaveProperty("name");
  });

  it("shows the runner's warnings near the top of the summary, neutralised", async () => {
    const untested =
      "gemini 0.62.0 found; Specwright is tested with gemini 0.61.0: install that version (the repository variable SPECWRIGHT_AGENT_VERSION overrides it) if this one misbehaves";
    const hostile =
      "ping @acme/admins <img src=x onerror=alert(1)> [click](https://evil.example) fixes #1";
    const state = finishStage(
      applyAll(startedRun(DEFAULT_WORKFLOW_SOURCE).state, [
        on.checkRunCreated("specify", 1, 701),
      ]).state,
      "specify",
      succeeded({ warnings: [untested, hostile] }),
    ).state;
    const updated = nockUpdate(701, 1);
    await updateCheckRun(context(state), { stage: "specify", attempt: 1 });
    expect(updated.scope.isDone()).toBe(true);
    const summary = updated.bodies[0]?.output?.summary ?? "";
    expect(summary).toContain(
      `#### Warnings from the runner\n\n- ⚠️ ${untested}\n- ⚠️ ping @\u200Bacme/admins &lt;img src=x onerror=alert(1)> \\[click\\](https://evil.example) f\u200Bixes #\u200B1`,
    );
    // Before the facts: seen without scrolling.
    expect(summary.indexOf("⚠️")).toBeLessThan(summary.indexOf("| Run |"));
    expect(summary).not.toContain("<img");
    expect(summary).not.toContain("@acme");
  });

  it("sends 120 findings in requests of 50, 50 and 20", async () => {
    const state = analyzed(120, 704);
    const counted = nockGet(704, 0);
    const updated = nockUpdate(704, 3);
    await updateCheckRun(context(state), { stage: "analyze", attempt: 1 });
    expect(counted.isDone()).toBe(true);
    expect(updated.scope.isDone()).toBe(true);
    expect(
      updated.bodies.map((b) => b.output?.annotations?.length),
    ).toStrictEqual([50, 50, 20]);
    expect(annotationsOf(updated.bodies)).toStrictEqual(
      renderAnnotations(findings(120)).annotations,
    );
    expect(updated.bodies[0]).toMatchObject({
      status: "completed",
      conclusion: "success",
    });
    expect(updated.bodies.slice(1).map((b) => Object.keys(b))).toStrictEqual([
      ["output"],
      ["output"],
    ]);
  });

  it("sends only the annotations GitHub does not have yet", async () => {
    const state = analyzed(120, 704);
    nockGet(704, 100);
    const updated = nockUpdate(704, 1);
    await updateCheckRun(context(state, 1), { stage: "analyze", attempt: 1 });
    expect(annotationsOf(updated.bodies)).toStrictEqual(
      renderAnnotations(findings(120)).annotations.slice(100),
    );
  });

  it("sends none again once GitHub has them all", async () => {
    const state = analyzed(120, 704);
    nockGet(704, 120);
    const updated = nockUpdate(704, 1);
    await updateCheckRun(context(state), { stage: "analyze", attempt: 1 });
    expect(updated.bodies[0]?.output).not.toHaveProperty("annotations");
    expect(updated.bodies[0]).toMatchObject({ conclusion: "success" });
  });

  it("sends at most 1,000 annotations, in 20 requests", async () => {
    const state = analyzed(1_100, 704);
    nockGet(704, 0);
    const updated = nockUpdate(704, 20);
    await updateCheckRun(context(state), { stage: "analyze", attempt: 1 });
    expect(updated.scope.isDone()).toBe(true);
    expect(annotationsOf(updated.bodies)).toHaveLength(1_000);
    expect(updated.bodies[0]?.output?.summary).toContain(
      "100 more findings are not shown as annotations",
    );
  });

  it("does nothing before the check run exists", async () => {
    const state = analyzed(3);
    expect(
      await updateCheckRun(context(state), { stage: "analyze", attempt: 1 }),
    ).toBeNull();
  });

  it("counts the annotations it wrote itself without asking GitHub, unless a write failed half-way", async () => {
    const memory = new GitHubMemory();
    const remembering = (state: RunState) => ({ ...context(state), memory });
    // Made while analyze runs: no annotations yet.
    nockCreate(704);
    await createCheckRun(remembering(beforeAnalyze()), {
      stage: "analyze",
      attempt: 1,
    });
    const state = analyzed(120, 704);
    // The first 50 go, then GitHub fails: the count is not known any more.
    const failing = nockUpdate(704, 1);
    github()
      .patch(`${REPO}/check-runs/704`)
      .reply(502, { message: "Bad Gateway" });
    await expect(
      updateCheckRun(remembering(state), { stage: "analyze", attempt: 1 }),
    ).rejects.toThrow("Bad Gateway");
    expect(failing.bodies[0]?.output?.annotations).toHaveLength(50);
    // So the retry asks GitHub (strict nock: a missing GET would fail).
    nockGet(704, 50);
    const retried = nockUpdate(704, 2);
    await updateCheckRun(remembering(state), { stage: "analyze", attempt: 1 });
    expect(annotationsOf(retried.bodies)).toStrictEqual(
      renderAnnotations(findings(120)).annotations.slice(50),
    );
    // Written in full: a later update (a problem shown, say) asks nothing.
    const again = nockUpdate(704, 1);
    await updateCheckRun(remembering(state), { stage: "analyze", attempt: 1 });
    expect(again.bodies[0]?.output).not.toHaveProperty("annotations");
  });
});

describe("gate check runs", () => {
  function waiting(): RunState {
    let state = beforeAnalyze();
    state = finishStage(
      state,
      "analyze",
      succeeded({ outputs: { report: "", critical: 0 } }),
    ).state;
    return applyAll(state, [on.pullRequestOpened(7)]).state;
  }

  it("creates an action_required check run with Approve and Reject", async () => {
    const state = waiting();
    const created = nockCreate(900);
    const since =
      state.stages.find((s) => s.id === "implement")?.waiting_since ?? "";
    const event = await createGateCheckRun(context(state), {
      stage: "implement",
      waiting_since: since,
    });
    expect(event).toStrictEqual({
      type: "gate_check_run_created",
      stage: "implement",
      check_run_id: 900,
      waiting_since: since,
      at: NOW.toISOString(),
    });
    expect(created.bodies[0]).toMatchObject({
      name: "Specwright: Implement (approval)",
      head_sha: C3,
      external_id: `specwright:${RUN_ID}:implement:gate`,
      status: "completed",
      conclusion: "action_required",
      details_url: "https://github.com/acme/web/pull/7",
      actions: [
        { label: "Approve", identifier: APPROVE_ACTION },
        { label: "Reject", identifier: REJECT_ACTION },
      ],
    });
  });

  it("finds the gate's check run an earlier try made, and brings it up to date", async () => {
    const state = waiting();
    github()
      .get(`${REPO}/commits/${C3}/check-runs`)
      .query({ check_name: "Specwright: Implement (approval)", filter: "all" })
      .reply(200, {
        total_count: 3,
        check_runs: [
          // An earlier wait's, on the same commit; this wait's first try's.
          { id: 880, external_id: `specwright:${RUN_ID}:implement:gate` },
          { id: 901, external_id: `specwright:${RUN_ID}:implement:gate` },
          { id: 950, external_id: "ci:lint" },
        ],
      });
    // It may still show an earlier wait's decision.
    const updated = nockUpdate(901, 1);
    expect(
      await createGateCheckRun(context(state, 1), {
        stage: "implement",
        waiting_since:
          state.stages.find((s) => s.id === "implement")?.waiting_since ?? "",
      }),
    ).toMatchObject({ check_run_id: 901 });
    expect(updated.bodies[0]).toMatchObject({
      conclusion: "action_required",
      actions: [
        expect.objectContaining({ identifier: APPROVE_ACTION }),
        expect.objectContaining({ identifier: REJECT_ACTION }),
      ],
    });
  });

  it("shows the decision and removes the buttons", async () => {
    const approve: RunEvent = {
      type: "approve",
      stage: "implement",
      by: "lead",
      at: at(40),
    };
    const waited = waiting();
    const state = applyAll(waited, [
      {
        type: "gate_check_run_created",
        stage: "implement",
        check_run_id: 900,
        waiting_since:
          waited.stages.find((s) => s.id === "implement")?.waiting_since ?? "",
        at: at(31),
      },
      approve,
    ]).state;
    const updated = nockUpdate(900, 1);
    await updateGateCheckRun(context(state), { stage: "implement" });
    expect(updated.bodies[0]).toMatchObject({
      conclusion: "success",
      output: { title: "Implement: approved by @lead" },
      actions: [],
    });
    expect(updated.bodies[0]).not.toHaveProperty("name");
  });
});

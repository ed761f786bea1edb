import { describe, expect, it } from "vitest";
import {
  type Actor,
  type CommandRequest,
  type Decision,
  decideCommand,
  helpText,
} from "../../src/commands/decide-command.js";
import type { RunState } from "../../src/engine/run-state.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import {
  applyAll,
  at,
  BASE_SHA,
  committed,
  failed,
  finishStage,
  on,
  RUN_ID,
  settingsFor,
  sha,
  startedRun,
  step,
  succeeded,
} from "../engine/fixtures.js";

const NOW = at(30);
const WRITER: Actor = { login: "maintainer", permission: "write" };

function command(name: CommandRequest["name"], text = ""): CommandRequest {
  const args = text.split(/\s+/).filter(Boolean);
  return { name, args, text, via: `\`/${name}\`` };
}

function decide(
  name: CommandRequest["name"],
  runs: RunState[],
  text = "",
  actor: Actor = WRITER,
): Decision {
  return decideCommand(command(name, text), runs, actor, NOW);
}

function reply(decision: Decision): string {
  if (decision.kind !== "reply") throw new Error("expected a reply");
  return decision.message;
}

/** The default workflow run up to `implement` waiting for approval. */
function implementWaiting(gate?: Record<string, unknown>): RunState {
  const source = structuredClone(DEFAULT_WORKFLOW_SOURCE) as {
    stages: { id: string; gate?: Record<string, unknown> }[];
  };
  if (gate) {
    const implement = source.stages.find((s) => s.id === "implement");
    if (implement) implement.gate = gate;
  }
  let { state } = startedRun(source);
  const outputs: Record<string, Record<string, unknown>> = {
    specify: { spec: "specs/001-x/spec.md" },
    plan: { plan: "specs/001-x/plan.md" },
    tasks: { tasks: "specs/001-x/tasks.md" },
    analyze: { report: "ok", critical: 0 },
  };
  let parent = BASE_SHA;
  for (const [i, id] of ["specify", "plan", "tasks", "analyze"].entries()) {
    const next = sha(0x100 + i);
    state = finishStage(
      state,
      id,
      id === "analyze"
        ? succeeded({ outputs: outputs[id] as never })
        : committed(next, parent, {
            outputs: outputs[id] as never,
            spec_dir: "specs/001-x",
          }),
      at(5 + i),
    ).state;
    if (id !== "analyze") parent = next;
  }
  return state;
}

/** Two stages a → b, with `a` failed and the run halted. */
function failedRun(): RunState {
  const { state } = startedRun({
    stages: [{ id: "a" }, { id: "b", depends_on: ["a"] }],
  });
  return step(state, on.resultCollected("a", 1, failed("tests failed"), at(5)))
    .state;
}

describe("decideCommand", () => {
  it("says there is no run yet, except for /help", () => {
    expect(reply(decide("status", []))).toBe(
      "There is no Specwright run here yet: start one with `/specify <feature>`.",
    );
    expect(reply(decide("help", []))).toContain("- `/cancel`");
  });

  describe("approve, /implement and the other stage commands", () => {
    it("approves the one waiting stage", () => {
      expect(decide("approve", [implementWaiting()])).toStrictEqual({
        kind: "apply",
        runId: RUN_ID,
        event: {
          type: "approve",
          stage: "implement",
          by: "maintainer",
          at: NOW,
        },
      });
      expect(decide("implement", [implementWaiting()])).toMatchObject({
        kind: "apply",
        event: { type: "approve", stage: "implement" },
      });
    });

    it.each<[string, Record<string, unknown>, Actor, string]>([
      [
        "not among the approvers",
        { approvers: ["lead"] },
        WRITER,
        "@maintainer only @lead may approve `implement`.",
      ],
      [
        "without the gate's permission",
        { permission: "maintain" },
        WRITER,
        "@maintainer approving `implement` needs maintain permission on this repository; you have write.",
      ],
    ])("refuses someone %s", (_, gate, actor, message) => {
      expect(
        reply(decide("approve", [implementWaiting(gate)], "", actor)),
      ).toBe(message);
      expect(
        reply(decide("implement", [implementWaiting(gate)], "", actor)),
      ).toBe(message);
    });

    it("refuses an approval meant for an earlier wait: written before this one began, or pressed on an earlier wait's check run", () => {
      const waiting = implementWaiting();
      const since =
        waiting.stages.find((s) => s.id === "implement")?.waiting_since ?? "";
      const state = step(
        waiting,
        on.gateCheckRunCreated("implement", 900, since, since),
      ).state;
      expect(
        state.stages.find((s) => s.id === "implement")?.gate_check_run_id,
      ).toBe(900);
      const late = (name: CommandRequest["name"], extra: object) =>
        decideCommand({ ...command(name, ""), ...extra }, [state], WRITER, NOW);
      // Written two minutes before the wait began.
      const before = new Date(Date.parse(since) - 120_000).toISOString();
      for (const name of ["approve", "implement", "reject"] as const) {
        expect(reply(late(name, { issued_at: before }))).toBe(
          `\`/${name}\` was written before \`implement\` began waiting for approval, so it is not taken for this wait; comment it again to ${name === "reject" ? "reject" : "approve"} it.`,
        );
      }
      // Within a minute of it (clocks differ), or after: taken.
      const skewed = new Date(Date.parse(since) - 30_000).toISOString();
      expect(late("approve", { issued_at: skewed }).kind).toBe("apply");
      expect(late("approve", { issued_at: since }).kind).toBe("apply");
      // A button on another check run than the gate's current one.
      expect(
        reply(
          late("approve", { via: "the Approve button", check_run_id: 899 }),
        ),
      ).toBe(
        "The Approve button of `implement` was pressed on the check run of an earlier wait; use the current one.",
      );
      expect(
        late("approve", { via: "the Approve button", check_run_id: 900 }).kind,
      ).toBe("apply");
      // Before this wait's check run is made, any button is an earlier one's.
      expect(
        decideCommand(
          {
            ...command("reject", ""),
            via: "the Reject button",
            check_run_id: 900,
          },
          [waiting],
          WRITER,
          NOW,
        ),
      ).toEqual({
        kind: "reply",
        message:
          "The Reject button of `implement` was pressed on the check run of an earlier wait; use the current one.",
      });
    });

    it("says what waits when the stage named does not", () => {
      expect(reply(decide("approve", [implementWaiting()], "plan"))).toBe(
        "`plan` is not waiting for approval; only: `implement`.",
      );
      const running = startedRun(DEFAULT_WORKFLOW_SOURCE).state;
      expect(reply(decide("approve", [running]))).toBe(
        "Nothing is waiting for approval.",
      );
    });

    it("runs a finished stage again, and what follows it (/plan)", () => {
      // A waiting gate after it is asked again later, after the new plan.
      expect(decide("plan", [implementWaiting()])).toMatchObject({
        event: { type: "rerun", stage: "plan" },
      });
      const approved = step(
        implementWaiting(),
        on.approve("implement", "m"),
      ).state;
      expect(reply(decide("plan", [approved]))).toBe(
        "`implement` is still under way; wait for it to finish, or `/cancel` the run.",
      );
      const done = finishStage(
        approved,
        "implement",
        committed(sha(9), sha(0x102)),
      ).state;
      expect(decide("plan", [done])).toStrictEqual({
        kind: "apply",
        runId: RUN_ID,
        event: {
          type: "rerun",
          stage: "plan",
          by: "maintainer",
          why: "`/plan` by @maintainer",
          at: NOW,
        },
      });
    });

    it.each<[CommandRequest["name"], () => RunState, string]>([
      [
        "tasks",
        () => startedRun(DEFAULT_WORKFLOW_SOURCE).state,
        "Tasks has not been reached yet: it waits for `plan`.",
      ],
      [
        "plan",
        () =>
          applyAll(startedRun(DEFAULT_WORKFLOW_SOURCE).state, [
            on.hold("m", at(2)),
          ]).state,
        "Plan has not been reached yet: it waits for `specify`. The run is on hold: `/unhold` to go on.",
      ],
      [
        "analyze",
        () => startedRun({ stages: [{ id: "analyze" }] }).state,
        "analyze is already under way (dispatched).",
      ],
      [
        "implement",
        () => startedRun({ stages: [{ id: "a" }] }).state,
        "This run's workflow has no `implement` stage; its stages: `a`.",
      ],
    ])("explains /%s when it cannot act", (name, base, message) => {
      expect(reply(decide(name, [base()]))).toBe(message);
    });
  });

  describe("what running a stage again needs", () => {
    it("the gate's approvers, as approving it did", () => {
      const approved = step(
        implementWaiting({ approvers: ["lead"] }),
        on.approve("implement", "lead", at(11)),
      ).state;
      const done = finishStage(
        approved,
        "implement",
        committed(sha(9), sha(0x102)),
      ).state;
      for (const name of ["implement", "retry"] as const) {
        expect(
          reply(decide(name, [done], name === "retry" ? "implement" : "")),
        ).toBe("@maintainer only @lead may approve `implement`.");
      }
      expect(
        decide("implement", [done], "", { login: "lead", permission: "write" }),
      ).toMatchObject({ kind: "apply", event: { type: "rerun" } });
    });

    it("what it depends on to have succeeded", () => {
      const { state } = startedRun(DEFAULT_WORKFLOW_SOURCE);
      const specified = finishStage(
        state,
        "specify",
        committed(sha(1), BASE_SHA, {
          spec_dir: "specs/001-x",
          outputs: { spec: "specs/001-x/spec.md" },
        }),
      ).state;
      const halted = step(
        specified,
        on.resultCollected("plan", 1, failed("no plan"), at(8)),
      ).state;
      expect(halted.status).toBe("failed");
      expect(reply(decide("tasks", [halted]))).toBe(
        "Tasks cannot run while `plan` has not succeeded (failed): `/retry plan` first.",
      );
      expect(reply(decide("retry", [halted], "implement"))).toBe(
        "Implement cannot run while `analyze` has not succeeded (skipped): `/retry analyze` first.",
      );
      expect(decide("retry", [halted])).toMatchObject({
        event: { type: "rerun", stage: "plan" },
      });
    });
  });

  describe("reject", () => {
    it("rejects the waiting stage with the reason", () => {
      expect(
        decide("reject", [implementWaiting()], "too risky for now"),
      ).toMatchObject({
        kind: "apply",
        event: {
          type: "reject",
          stage: "implement",
          by: "maintainer",
          reason: "too risky for now",
        },
      });
      expect(
        decide(
          "reject",
          [implementWaiting()],
          "implement needs a smaller plan",
        ),
      ).toMatchObject({
        event: { stage: "implement", reason: "needs a smaller plan" },
      });
      expect(decide("reject", [implementWaiting()])).toMatchObject({
        event: { reason: null },
      });
    });

    it("refuses a named stage that does not wait, rather than rejecting another", () => {
      expect(
        reply(decide("reject", [implementWaiting()], "plan is too vague")),
      ).toBe("`plan` is not waiting for approval; only: `implement`.");
    });

    it("checks the gate's approvers", () => {
      expect(
        reply(
          decide(
            "reject",
            [implementWaiting({ approvers: ["lead"] })],
            "",
            WRITER,
          ),
        ),
      ).toBe("@maintainer only @lead may reject `implement`.");
    });
  });

  describe("retry", () => {
    it("runs the one failed stage again and reopens the run", () => {
      expect(decide("retry", [failedRun()])).toStrictEqual({
        kind: "apply",
        runId: RUN_ID,
        event: {
          type: "rerun",
          stage: "a",
          by: "maintainer",
          why: "`/retry` by @maintainer",
          at: NOW,
        },
      });
    });

    it.each<[string, () => RunState, string, string]>([
      ["nothing failed", implementWaiting, "", "Nothing is failed."],
      [
        "an unknown stage",
        failedRun,
        "zz",
        "This run's workflow has no `zz` stage; its stages: `a`, `b`.",
      ],
      [
        "a stage that has not run",
        () =>
          startedRun({ stages: [{ id: "a" }, { id: "b", depends_on: ["a"] }] })
            .state,
        "b",
        "b has not run yet.",
      ],
      [
        "a waiting stage",
        implementWaiting,
        "implement",
        "Implement waits for approval: `/approve implement`.",
      ],
      [
        "a cancelled run",
        () => step(failedRun(), on.rerun("a", "m", "x", at(10))).state,
        "",
        "Nothing is failed.",
      ],
    ])("explains %s", (_, base, text, message) => {
      expect(reply(decide("retry", [base()], text))).toBe(message);
    });

    it("will not run a stage again in a cancelled run", () => {
      const cancelled = step(
        startedRun({ stages: [{ id: "a" }] }).state,
        on.cancel("m", at(9)),
      ).state;
      expect(reply(decide("retry", [cancelled], "a"))).toBe(
        `Run \`${RUN_ID}\` was cancelled; start a new one with \`/specify\`.`,
      );
    });
  });

  describe("cancel, hold and unhold", () => {
    it("act on a run in progress", () => {
      const run = implementWaiting();
      expect(decide("cancel", [run])).toMatchObject({
        kind: "apply",
        event: { type: "cancel", by: "maintainer" },
      });
      expect(decide("hold", [run])).toMatchObject({
        event: { type: "hold", by: "maintainer" },
      });
      const held = step(run, on.hold("lead", at(20))).state;
      expect(reply(decide("hold", [held]))).toBe(
        `Run \`${RUN_ID}\` is already on hold (by @lead); \`/unhold\` to go on.`,
      );
      expect(decide("unhold", [held])).toMatchObject({
        event: { type: "unhold", by: "maintainer" },
      });
      expect(reply(decide("unhold", [run]))).toBe(
        `Run \`${RUN_ID}\` is not on hold.`,
      );
    });

    it("explain that an ended run cannot be cancelled or held", () => {
      expect(reply(decide("cancel", [failedRun()]))).toBe(
        `Run \`${RUN_ID}\` has already ended (failed).`,
      );
      expect(reply(decide("hold", [failedRun()]))).toBe(
        `Run \`${RUN_ID}\` has already ended (failed).`,
      );
    });

    it("pick the run still going over older ones", () => {
      const older = {
        ...failedRun(),
        id: "00000000-0000-4000-8000-000000000001",
      };
      const current = implementWaiting();
      expect(decide("cancel", [older, current])).toMatchObject({
        runId: RUN_ID,
      });
    });
  });

  it("/status answers with the run, which src/github/ renders (test/github/render-status-reply.test.ts)", () => {
    const run = implementWaiting();
    expect(decide("status", [run])).toStrictEqual({ kind: "status", run });
  });

  it("echoes a command's words only in code spans they cannot end", () => {
    const text = reply(decide("retry", [failedRun()], "x`@acme/admins`<!--"));
    expect(text).toBe(
      "This run's workflow has no `x'@acme/admins'<!--` stage; its stages: `a`, `b`.",
    );
  });
});

describe("helpText", () => {
  it("lists only what the person may use", () => {
    const read = helpText({ login: "r", permission: "read" }, () => "write");
    expect(read).toContain("no Specwright command allows");
    const writer = helpText(WRITER, (name) =>
      name === "cancel" ? "admin" : "write",
    );
    expect(writer).toContain("- `/retry [stage]`");
    expect(writer).not.toContain("/cancel");
  });
});

describe("a budget gate", () => {
  /** b has a gate only @lead may approve; once approved, the run's budget holds it. */
  function heldAfterGate(): RunState {
    const { state } = startedRun(
      {
        stages: [
          { id: "a" },
          { id: "b", depends_on: ["a"], gate: { approvers: ["lead"] } },
        ],
      },
      { settings: settingsFor({ budgets: { run: { cost_usd: 1 } } }) },
    );
    const done = finishStage(
      state,
      "a",
      committed(sha(0xc1), BASE_SHA, { usage: { cost_usd: 1.2 } }),
      at(5),
    ).state;
    return step(done, on.approve("b", "lead", at(6))).state;
  }

  it("is approved with the command's permission, not the workflow gate's approvers", () => {
    const state = heldAfterGate();
    expect(state.stages[1]?.budget_gate?.decision).toBeNull();
    expect(decide("approve", [state], "b")).toStrictEqual({
      kind: "apply",
      runId: RUN_ID,
      event: { type: "approve", stage: "b", by: "maintainer", at: NOW },
    });
    expect(decide("reject", [state], "b")).toMatchObject({
      kind: "apply",
      event: { type: "reject", stage: "b", by: "maintainer" },
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { BRANCH, RUN } from "../support/flow.js";
import { requestLog } from "../support/github.js";
import {
  commentPayload,
  workflowJobPayload,
  workflowRunPayload,
} from "../support/payloads.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

/**
 * Deliveries of runs and jobs Specwright does not own are the most frequent
 * on a busy installation: they are dropped on what the payload says, before
 * any store query and without a GitHub request.
 */
describe("deliveries Specwright ignores", () => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let app: TestApp;
  let queries: string[];
  let recording = false;

  /** The store, with every method call recorded while `recording`. */
  function watched(store: Store): Store {
    return new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (recording) queries.push(String(name));
          return value.apply(target, args);
        };
      },
    });
  }

  beforeAll(async () => {
    test = await openTestStore("pglite");
  });
  afterAll(async () => {
    await test.close();
  });
  beforeEach(async () => {
    await test.reset();
    app = await createTestApp(watched(test.store));
    await app.deps.runner.idle();
    queries = [];
    recording = true;
  });

  const stageRun = (action: "requested" | "in_progress" | "completed") =>
    workflowRunPayload(action, {
      id: 101,
      runId: RUN,
      stage: "specify",
      branch: BRANCH,
    });

  /** A workflow run with `change` applied to a stage run's payload. */
  function otherRun(
    action: "requested" | "in_progress" | "completed",
    change: (run: Record<string, unknown>) => void,
  ) {
    const payload = stageRun(action);
    change(payload.workflow_run as unknown as Record<string, unknown>);
    return payload;
  }

  const person = { login: "alice", type: "User" };

  async function expectIgnored(name: string, payload: unknown) {
    const before = requestLog.length;
    await app.receive(name, payload);
    expect(queries).toEqual([]);
    expect(requestLog.slice(before)).toEqual([]);
  }

  it("drops another workflow's runs, pushed by a person, before the store", async () => {
    for (const action of ["requested", "in_progress", "completed"] as const) {
      await expectIgnored(
        "workflow_run",
        otherRun(action, (run) => {
          Object.assign(run, {
            event: "push",
            path: ".github/workflows/ci.yml",
            display_title: "Fix the footer's colour",
            actor: person,
            triggering_actor: person,
          });
        }),
      );
    }
  });

  it("drops a dispatch by a person, even one whose title copies a run's key", async () => {
    await expectIgnored(
      "workflow_run",
      otherRun("requested", (run) => {
        Object.assign(run, { actor: person, triggering_actor: person });
      }),
    );
  });

  it("drops a bot's dispatch whose run-name carries no key", async () => {
    await expectIgnored(
      "workflow_run",
      otherRun("completed", (run) => {
        run.display_title = "Nightly release";
      }),
    );
  });

  it("drops another event's runs, and actions it does not act on", async () => {
    await expectIgnored(
      "workflow_run",
      otherRun("completed", (run) => {
        run.event = "schedule";
      }),
    );
    const payload = stageRun("completed");
    Object.assign(payload, { action: "unknown_action" });
    await expectIgnored("workflow_run", payload);
  });

  it("drops jobs a person started, jobs without a branch, and jobs' ends", async () => {
    const byPerson = workflowJobPayload("in_progress", 101);
    Object.assign(byPerson.sender, person);
    await expectIgnored("workflow_job", byPerson);
    const noBranch = workflowJobPayload("in_progress", 101);
    noBranch.workflow_job.head_branch = null;
    await expectIgnored("workflow_job", noBranch);
    // A bot's job that ends without the step naming the bundle.
    await expectIgnored("workflow_job", workflowJobPayload("completed", 101));
  });

  it("takes a job's named bundle from the payload alone, into memory", async () => {
    const named = workflowJobPayload("completed", 101);
    named.workflow_job.steps.push({
      name: "Specwright bundle 777",
      status: "completed",
      conclusion: "success",
      number: named.workflow_job.steps.length + 1,
      started_at: "2026-11-21T10:04:00.000Z",
      completed_at: "2026-11-21T10:04:00.000Z",
    });
    await expectIgnored("workflow_job", named);
    expect(app.deps.runner.memory.bundleOf("acme/web", 101)).toBe(777);
  });

  it("drops the App's own comments", async () => {
    await expectIgnored(
      "issue_comment",
      commentPayload("/specify again", { login: "specwright[bot]", bot: true }),
    );
  });

  it("still looks up a stage's own run and job in the store", async () => {
    await app.receive("workflow_run", stageRun("in_progress"));
    expect(queries).toContain("findAttemptByWorkflowRun");
    queries = [];
    await app.receive("workflow_job", workflowJobPayload("in_progress", 101));
    expect(queries).toEqual(["findAttemptByWorkflowRun"]);
  });
});

import { describe, expect, it } from "vitest";
import { expressionScope } from "../../src/engine/expression-scope.js";
import type { RunState } from "../../src/engine/run-state.js";
import {
  BRANCH,
  FEATURE,
  finishStage,
  makeRun,
  RUN_ID,
  startedRun,
  succeeded,
} from "./fixtures.js";

const WORKFLOW = {
  name: "Scoped",
  description: "Reads everything",
  env: { MODE: "full", REGION: "eu" },
  parameters: { depth: { type: "number" } },
  stages: [
    { id: "a", outputs: { critical: { type: "number" } } },
    { id: "b", depends_on: ["a"] },
  ],
};

describe("expressionScope", () => {
  it("gives a queued run's parameters, stages, run, workflow and env", () => {
    const state = makeRun(WORKFLOW, { parameters: { depth: 3, tags: ["x"] } });

    expect(expressionScope(state)).toStrictEqual({
      parameters: { depth: 3, tags: ["x"] },
      stages: {
        a: { status: "pending", outputs: {} },
        b: { status: "pending", outputs: {} },
      },
      run: {
        id: RUN_ID,
        feature: FEATURE,
        issue: 42,
        repository: "acme/web",
        branch: BRANCH,
        base_branch: "main",
        spec_dir: null,
        actor: "octocat",
        started_at: null,
      },
      workflow: { name: "Scoped", description: "Reads everything" },
      env: { MODE: "full", REGION: "eu" },
    });
  });

  it("reads stage statuses and the outputs of succeeded stages as the run goes", () => {
    const started = startedRun(WORKFLOW).state;
    const state: RunState = finishStage(
      started,
      "a",
      succeeded({ outputs: { critical: 2 }, spec_dir: "specs/001-x" }),
    ).state;

    const scope = expressionScope(state);
    expect(scope.stages).toStrictEqual({
      a: { status: "succeeded", outputs: { critical: 2 } },
      b: { status: "dispatched", outputs: {} },
    });
    expect(scope.run).toMatchObject({
      spec_dir: "specs/001-x",
      started_at: state.started_at,
    });
  });

  it.each([
    { name: "no issue", issue: null, expected: null },
    {
      name: "an issue",
      issue: { number: 7, title: "t", body: "", url: "u" },
      expected: 7,
    },
  ])("gives run.issue for $name", ({ issue, expected }) => {
    const scope = expressionScope(makeRun(WORKFLOW, { issue }));
    expect(scope.run).toMatchObject({ issue: expected });
  });

  it("gives a null workflow.description when the workflow has none", () => {
    const scope = expressionScope(makeRun({ stages: [{ id: "a" }] }));
    expect(scope.workflow).toStrictEqual({
      name: "Custom workflow",
      description: null,
    });
    expect(scope.env).toStrictEqual({});
    expect(scope.parameters).toStrictEqual({});
  });
});

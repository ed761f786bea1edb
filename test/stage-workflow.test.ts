import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BACKENDS } from "../action/src/agents/backends.js";
import { bundleArtifactIdOf } from "../src/contracts/bundle-step.js";
import {
  correlationKey,
  type StageRequest,
} from "../src/contracts/stage-request.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../src/workflow/default-workflow.js";
import {
  evaluateTemplate,
  parseTemplate,
} from "../src/workflow/expressions/parse-template.js";
import { toText, type Value } from "../src/workflow/expressions/values.js";
import { AGENT_BACKENDS } from "../src/workflow/schema.js";
import { startedRun } from "./engine/fixtures.js";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Job {
  name: string;
  "runs-on": string;
  "timeout-minutes": string;
  env: Record<string, string>;
  steps: Step[];
}
interface WorkflowFile {
  "run-name": string;
  on: {
    workflow_dispatch: {
      inputs: Record<string, { required: boolean; type: string }>;
    };
  };
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const workflow = parse(
  readFileSync(".github/workflows/specwright.yml", "utf8"),
) as WorkflowFile;
const action = parse(readFileSync("action/action.yml", "utf8")) as {
  inputs: Record<string, { required?: boolean }>;
};
const [job] = Object.values(workflow.jobs) as [Job];
const actionStep = job.steps.find((s) => s.uses?.includes("/action@"));

/** The request the App sends for the first stage of the default workflow. */
function firstRequest(): StageRequest {
  const effect = startedRun(DEFAULT_WORKFLOW_SOURCE).effects.find(
    (e) => e.kind === "dispatch_stage",
  );
  if (effect?.kind !== "dispatch_stage") throw new Error("no dispatch");
  return effect.request;
}

/** Evaluates a workflow value as GitHub Actions would, for this dispatch. */
function evaluate(
  text: string,
  request: StageRequest,
  steps: Record<string, Value> = {},
): string {
  const scope: Record<string, Value> = {
    inputs: { request: JSON.stringify(request) },
    vars: {},
    github: { ref_name: request.branch },
    steps,
  };
  return toText(evaluateTemplate(parseTemplate(text), scope));
}

describe("the stage workflow (.github/workflows/specwright.yml)", () => {
  const request = firstRequest();

  it("takes the stage request as its one workflow_dispatch input", () => {
    expect(Object.keys(workflow.on)).toEqual(["workflow_dispatch"]);
    expect(workflow.on.workflow_dispatch.inputs).toEqual({
      request: expect.objectContaining({ required: true, type: "string" }),
    });
  });

  it("names each run with the key the App recognises it by", () => {
    expect(evaluate(workflow["run-name"], request)).toBe(
      correlationKey(request.run_id, request.stage, request.attempt),
    );
  });

  it("checks out the dispatched commit, without keeping the token", () => {
    const checkout = job.steps.find((s) =>
      s.uses?.startsWith("actions/checkout@"),
    );
    expect(evaluate(checkout?.with?.ref ?? "", request)).toBe(request.base_sha);
    expect(checkout?.with?.["persist-credentials"]).toBe(false);
  });

  it("bounds the job by the request's limit, one attempt per stage at a time", () => {
    expect(evaluate(job["timeout-minutes"], request)).toBe(
      String(request.job_timeout_minutes),
    );
    expect(evaluate(workflow.concurrency.group, request)).toBe(
      `specwright-${request.run_id}-${request.stage}`,
    );
    expect(evaluate(job.name, request)).toBe("Specify");
  });

  it("can read the repository and write nothing", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(
      Object.values(workflow.jobs).every((j) => !("permissions" in j)),
    ).toBe(true);
  });

  it("installs every built-in backend's CLI", () => {
    const install = job.steps.find((s) =>
      s.run?.includes("npm install --global"),
    );
    for (const backend of AGENT_BACKENDS.filter((b) => b !== "command")) {
      expect(install?.run, backend).toMatch(
        new RegExp(`^\\s+${backend}\\) package=@`, "m"),
      );
    }
  });

  it("gives the action the request and every backend's credential, from secrets only", () => {
    expect(actionStep?.with?.request).toBe("${{ inputs.request }}");
    const credentials = new Set<string>(
      Object.values(BACKENDS).flatMap((b) => b.credentials.map((c) => c.input)),
    );
    for (const [name, value] of Object.entries(actionStep?.with ?? {})) {
      expect(Object.keys(action.inputs), name).toContain(name);
      if (credentials.has(name)) {
        expect(value, name).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      }
    }
    for (const name of credentials)
      expect(Object.keys(actionStep?.with ?? {})).toContain(name);
    for (const [name, input] of Object.entries(action.inputs)) {
      if (input.required)
        expect(Object.keys(actionStep?.with ?? {})).toContain(name);
    }
  });

  it("names the uploaded bundle's artifact id in its last step, which always runs", () => {
    expect(actionStep?.id).toBe("stage");
    const last = job.steps.at(-1);
    expect(last?.if).toBe("always()");
    expect(last?.run).toBe("true");
    const name = last?.name ?? "";
    const named = (outputs: Record<string, string>) =>
      bundleArtifactIdOf([
        { name: evaluate(name, request, { stage: { outputs } }) },
      ]);
    expect(named({ "artifact-id": "4242" })).toBe(4242);
    // A dry run, or a job that ended before the upload: no id, the App lists.
    expect(named({})).toBeUndefined();
    // GitHub shows a step that never ran under its unevaluated name.
    expect(bundleArtifactIdOf([{ name }])).toBeUndefined();
  });

  it.each([".github/workflows/specwright.yml", ".github/workflows/ci.yml"])(
    "%s: no expression in a shell script, every other action pinned by SHA, every job bounded",
    (path) => {
      const file = parse(readFileSync(path, "utf8")) as WorkflowFile;
      for (const [id, j] of Object.entries(file.jobs)) {
        expect(j["timeout-minutes"], id).toBeDefined();
        for (const step of j.steps) {
          // Expressions in `run:` are spliced into the script: an injection.
          if (step.run) expect(step.run).not.toContain("${{");
          if (
            step.uses &&
            !step.uses.startsWith("./") &&
            !step.uses.startsWith("specwright/")
          ) {
            expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
          }
        }
      }
    },
  );
});

import { describe, expect, it } from "vitest";
import {
  MAX_REQUEST_LENGTH,
  PROMPT_PACK_VERSION,
  StageRequest,
} from "../../src/contracts/stage-request.js";
import { buildStageRequest } from "../../src/engine/build-stage-request.js";
import type { RunState } from "../../src/engine/run-state.js";
import type { Value } from "../../src/workflow/expressions/values.js";
import {
  BASE_SHA,
  BRANCH,
  FEATURE,
  ISSUE,
  makeRun,
  RUN_ID,
  type RunOptions,
  settingsFor,
  sha,
  stageOf,
} from "./fixtures.js";

type Built = ReturnType<typeof buildStageRequest>;

interface BuildOptions extends RunOptions {
  /** The stage to build for (default: the workflow's first). */
  stage?: string;
  attempt?: number;
  /** Fields of the run to set, as if earlier events had set them. */
  run?: Partial<Pick<RunState, "head_sha" | "spec_dir">>;
  /** Outputs of succeeded stages, by stage id. */
  outputs?: Record<string, Record<string, Value>>;
}

/** Builds the request for one stage of an in-progress run of `raw`. */
function build(raw: unknown, options: BuildOptions = {}): Built {
  const state: RunState = {
    ...makeRun(raw, options),
    status: "in_progress",
    base_sha: BASE_SHA,
    head_sha: BASE_SHA,
    ...options.run,
  };
  for (const [id, outputs] of Object.entries(options.outputs ?? {})) {
    const stage = stageOf(state, id);
    stage.status = "succeeded";
    stage.outputs = outputs;
  }
  const id = options.stage ?? state.workflow.stages[0]?.id;
  const def = state.workflow.stages.find((s) => s.id === id);
  if (def === undefined) throw new Error(`no stage ${id}`);
  return buildStageRequest(state, def, options.attempt ?? 1);
}

/** The request, which must also satisfy the StageRequest contract. */
function requestOf(built: Built): StageRequest {
  if ("error" in built) throw new Error(`unexpected error: ${built.error}`);
  expect(StageRequest.safeParse(built.request).error).toBeUndefined();
  return built.request;
}

function errorOf(built: Built): string {
  if (!("error" in built)) throw new Error("expected an error");
  return built.error;
}

describe("buildStageRequest", () => {
  it("builds the full request for the default workflow's first stage", () => {
    const built = build(
      {
        name: "Spec Kit",
        stages: [
          {
            id: "specify",
            name: "Specify",
            skill: "speckit",
            outputs: {
              spec: {
                type: "file",
                path: "specs/*/spec.md",
                must_change: true,
                description: "The feature specification",
              },
            },
          },
        ],
      },
      { attempt: 1 },
    );

    expect(requestOf(built)).toStrictEqual({
      version: 1,
      run_id: RUN_ID,
      stage: "specify",
      stage_name: "Specify",
      attempt: 1,
      repository: "acme/web",
      base_branch: "main",
      branch: BRANCH,
      base_sha: BASE_SHA,
      feature: { text: FEATURE, issue: ISSUE },
      spec_dir: null,
      agent: {
        backend: "claude",
        args: [],
        timeout_minutes: 30,
        prompt_via: "stdin",
      },
      job_timeout_minutes: 45,
      skill: {
        id: "speckit",
        is_speckit: true,
        allowlisted: true,
        fallback: true,
        health_check: null,
      },
      prompt_pack_version: PROMPT_PACK_VERSION,
      prompt: null,
      outputs: [
        {
          name: "spec",
          type: "file",
          path: "specs/*/spec.md",
          must_change: true,
          required: true,
          description: "The feature specification",
        },
      ],
      inputs: {},
      parameters: {},
      env: {},
      artifact: {
        name: `specwright-${RUN_ID}-specify-1`,
        retention_days: 30,
      },
    });
  });

  it("carries the run's head, spec_dir, parameters, env, prompt and a stage without a name", () => {
    const request = requestOf(
      build(
        {
          env: { MODE: "full" },
          stages: [{ id: "draft", prompt: "Write {{ feature }}" }],
        },
        {
          issue: null,
          parameters: { depth: 2, tags: ["ui"] },
          run: { head_sha: sha(0xc0ffee), spec_dir: "specs/001-dark-mode" },
        },
      ),
    );

    expect(request).toMatchObject({
      stage: "draft",
      stage_name: "draft",
      base_sha: sha(0xc0ffee),
      spec_dir: "specs/001-dark-mode",
      feature: { text: FEATURE, issue: null },
      parameters: { depth: 2, tags: ["ui"] },
      env: { MODE: "full" },
      prompt: "Write {{ feature }}",
    });
  });

  it("names the artifact after the run, stage and attempt and keeps it as configured", () => {
    const request = requestOf(
      build(
        { stages: [{ id: "plan" }] },
        { attempt: 3, settings: settingsFor({ artifact_retention_days: 14 }) },
      ),
    );

    expect(request.attempt).toBe(3);
    expect(request.artifact).toStrictEqual({
      name: `specwright-${RUN_ID}-plan-3`,
      retention_days: 14,
    });
  });

  describe("agent", () => {
    const codex = {
      agent: {
        backend: "codex",
        model: "gpt-5-codex",
        args: ["--sandbox", "workspace-write"],
        max_turns: 30,
      },
    };

    it.each<{
      name: string;
      config: Record<string, unknown>;
      stage: Record<string, unknown>;
      parameters?: Record<string, unknown>;
      expected: StageRequest["agent"];
    }>([
      {
        name: "the repository default",
        config: {},
        stage: {},
        expected: {
          backend: "claude",
          args: [],
          timeout_minutes: 30,
          prompt_via: "stdin",
        },
      },
      {
        name: "the repository's agent",
        config: codex,
        stage: {},
        expected: {
          backend: "codex",
          model: "gpt-5-codex",
          args: ["--sandbox", "workspace-write"],
          max_turns: 30,
          timeout_minutes: 30,
          prompt_via: "stdin",
        },
      },
      {
        name: "a stage overriding model, arguments and turns",
        config: codex,
        stage: { agent: { model: "o4", args: [], max_turns: 5 } },
        expected: {
          backend: "codex",
          model: "o4",
          args: [],
          max_turns: 5,
          timeout_minutes: 30,
          prompt_via: "stdin",
        },
      },
      {
        name: "a stage switching backend (model and arguments dropped)",
        config: codex,
        stage: { agent: { backend: "claude" } },
        expected: {
          backend: "claude",
          args: [],
          max_turns: 30,
          timeout_minutes: 30,
          prompt_via: "stdin",
        },
      },
      {
        name: "a command backend",
        config: {
          agent: {
            backend: "command",
            command: "./bin/agent --json",
            prompt_via: "file",
          },
        },
        stage: {},
        expected: {
          backend: "command",
          args: [],
          timeout_minutes: 30,
          command: "./bin/agent --json",
          prompt_via: "file",
        },
      },
      {
        name: "a stage leaving the command backend (no command sent)",
        config: { agent: { backend: "command", command: "./bin/agent" } },
        stage: { agent: { backend: "gemini" } },
        expected: {
          backend: "gemini",
          args: [],
          timeout_minutes: 30,
          prompt_via: "stdin",
        },
      },
      {
        name: "a stage switching to the command backend",
        config: { agent: { command: "./bin/agent" } },
        stage: { agent: { backend: "command" } },
        expected: {
          backend: "command",
          args: [],
          timeout_minutes: 30,
          command: "./bin/agent",
          prompt_via: "stdin",
        },
      },
      {
        name: "a model and arguments with expressions",
        config: {},
        stage: {
          agent: {
            model: "${{ parameters.model }}",
            args: ["--branch=${{ run.branch }}", "${{ parameters.depth }}"],
          },
        },
        parameters: { model: "opus", depth: 3 },
        expected: {
          backend: "claude",
          model: "opus",
          args: [`--branch=${BRANCH}`, "3"],
          timeout_minutes: 30,
          prompt_via: "stdin",
        },
      },
    ])("resolves $name", ({ config, stage, parameters, expected }) => {
      const request = requestOf(
        build(
          { stages: [{ id: "a", ...stage }] },
          { settings: settingsFor(config), parameters: parameters ?? {} },
        ),
      );
      expect(request.agent).toStrictEqual(expected);
    });

    // The agent's limit to the second (at least one); the job's in whole
    // minutes, with 15 more to install, check out and upload.
    it.each([
      { timeout: undefined, minutes: 30, job: 45 },
      { timeout: "1ms", minutes: 1 / 60, job: 16 },
      { timeout: "30s", minutes: 0.5, job: 16 },
      { timeout: "90s", minutes: 1.5, job: 17 },
      { timeout: "45m", minutes: 45, job: 60 },
      { timeout: "1h30m", minutes: 90, job: 105 },
      { timeout: "2h", minutes: 120, job: 135 },
    ])(
      "gives timeout_minutes $minutes and job_timeout_minutes $job for error_policy.timeout $timeout",
      ({ timeout, minutes, job }) => {
        const error_policy = timeout === undefined ? {} : { timeout };
        const request = requestOf(
          build({ stages: [{ id: "a", error_policy }] }),
        );
        expect(request.agent.timeout_minutes).toBe(minutes);
        expect(request.job_timeout_minutes).toBe(job);
      },
    );
  });

  describe("skill", () => {
    const catalog = {
      skills: {
        catalog: [
          {
            id: "superpowers",
            supported_stages: ["a"],
            health_check: "superpowers --version",
          },
          { id: "house", supported_stages: ["a"], is_speckit: true },
        ],
      },
    };
    const noFallback = { skills: { fallback: false } };

    it.each<{
      name: string;
      config?: Record<string, unknown>;
      stage: Record<string, unknown>;
      expected: StageRequest["skill"];
    }>([
      {
        name: "no skill: the direct prompt only",
        stage: {},
        expected: {
          id: "none",
          is_speckit: false,
          allowlisted: false,
          fallback: false,
          health_check: null,
        },
      },
      {
        name: "skill none, even with fallback asked for",
        stage: { skill: "none", fallback: true },
        expected: {
          id: "none",
          is_speckit: false,
          allowlisted: false,
          fallback: false,
          health_check: null,
        },
      },
      {
        name: "speckit with the repository's fallback",
        stage: { skill: "speckit" },
        expected: {
          id: "speckit",
          is_speckit: true,
          allowlisted: true,
          fallback: true,
          health_check: null,
        },
      },
      {
        name: "speckit with the stage turning fallback off",
        stage: { skill: "speckit", fallback: false },
        expected: {
          id: "speckit",
          is_speckit: true,
          allowlisted: true,
          fallback: false,
          health_check: null,
        },
      },
      {
        name: "speckit with the repository turning fallback off",
        config: noFallback,
        stage: { skill: "speckit" },
        expected: {
          id: "speckit",
          is_speckit: true,
          allowlisted: true,
          fallback: false,
          health_check: null,
        },
      },
      {
        name: "speckit with the stage turning fallback back on",
        config: noFallback,
        stage: { skill: "speckit", fallback: true },
        expected: {
          id: "speckit",
          is_speckit: true,
          allowlisted: true,
          fallback: true,
          health_check: null,
        },
      },
      {
        name: "a catalog entry with a health check",
        config: catalog,
        stage: { skill: "superpowers" },
        expected: {
          id: "superpowers",
          is_speckit: false,
          allowlisted: true,
          fallback: true,
          health_check: "superpowers --version",
        },
      },
      {
        name: "a Spec Kit catalog entry without a health check",
        config: catalog,
        stage: { skill: "house" },
        expected: {
          id: "house",
          is_speckit: true,
          allowlisted: true,
          fallback: true,
          health_check: null,
        },
      },
    ])("selects $name", ({ config, stage, expected }) => {
      const request = requestOf(
        build(
          { stages: [{ id: "a", ...stage }] },
          { settings: settingsFor(config ?? {}) },
        ),
      );
      expect(request.skill).toStrictEqual(expected);
    });
  });

  describe("inputs", () => {
    const upstream: Record<string, Value> = {
      summary: "Toggle in settings",
      count: 3,
      files: ["web/a.ts", "web/b.ts"],
      meta: { risk: "low" },
    };

    it.each<{ name: string; input: unknown; expected: Value }>([
      {
        name: "a lone expression keeps its number",
        input: "${{ stages.a.outputs.count }}",
        expected: 3,
      },
      {
        name: "a lone expression keeps its array",
        input: "${{ stages.a.outputs.files }}",
        expected: ["web/a.ts", "web/b.ts"],
      },
      {
        name: "text with an expression is text",
        input: "Summary: ${{ stages.a.outputs.summary }} (${{ run.issue }})",
        expected: "Summary: Toggle in settings (42)",
      },
      {
        name: "plain text",
        input: "no expressions here",
        expected: "no expressions here",
      },
      {
        name: "a typed number",
        input: { source: "${{ stages.a.outputs.count }}", type: "number" },
        expected: 3,
      },
      {
        name: "a typed object",
        input: { source: "${{ stages.a.outputs.meta }}", type: "object" },
        expected: { risk: "low" },
      },
      {
        name: "an optional input that is null",
        input: { source: "${{ stages.a.outputs.absent }}", required: false },
        expected: null,
      },
      {
        name: "a parameter",
        input: "${{ parameters.depth }}",
        expected: 2,
      },
      {
        name: "a stage status",
        input: "${{ stages.a.status }}",
        expected: "succeeded",
      },
      {
        name: "a function of env and run",
        input: "${{ format('{0}-{1}', env.MODE, run.base_branch) }}",
        expected: "full-main",
      },
    ])("resolves $name", ({ input, expected }) => {
      const request = requestOf(
        build(
          {
            env: { MODE: "full" },
            stages: [
              { id: "a" },
              { id: "b", depends_on: ["a"], inputs: { x: input } },
            ],
          },
          { stage: "b", parameters: { depth: 2 }, outputs: { a: upstream } },
        ),
      );
      expect(request.inputs).toStrictEqual({ x: expected });
    });

    it.each<{ name: string; input: unknown; error: string }>([
      {
        name: "a required input that gives null",
        input: "${{ stages.a.outputs.absent }}",
        error:
          "input 'x' is required, but its source '${{ stages.a.outputs.absent }}' gave nothing",
      },
      {
        name: "an input of the wrong type",
        input: { source: "${{ stages.a.outputs.summary }}", type: "number" },
        error: "input 'x' must be number, but its source gave string",
      },
      {
        name: "an array where an object is wanted",
        input: { source: "${{ stages.a.outputs.files }}", type: "object" },
        error: "input 'x' must be object, but its source gave array",
      },
      {
        name: "text reading a null value (even when optional)",
        input: {
          source: "see ${{ stages.a.outputs.absent }}",
          required: false,
        },
        error:
          "input 'x' 'see ${{ stages.a.outputs.absent }}' reads a value that is not known yet (null)",
      },
      {
        name: "an unknown name",
        input: "${{ nope.value }}",
        error: "expression error: unknown name 'nope'",
      },
      {
        name: "a function used wrongly",
        input: "${{ length(stages.a.outputs.count) }}",
        error:
          "expression error: length: expected a string, array or object, got a number",
      },
      {
        name: "an unclosed expression",
        input: "${{ stages.a.outputs.count",
        error: "expression error: '${{' is never closed: expected '}}'",
      },
    ])("fails for $name", ({ input, error }) => {
      const built = build(
        {
          stages: [
            { id: "a" },
            { id: "b", depends_on: ["a"], inputs: { x: input } },
          ],
        },
        { stage: "b", outputs: { a: upstream } },
      );
      expect(errorOf(built)).toBe(error);
    });
  });

  describe("outputs", () => {
    it.each<{
      name: string;
      output: Record<string, unknown>;
      expected: StageRequest["outputs"][number];
    }>([
      {
        name: "a file with a fixed path",
        output: { type: "file", path: "docs/x.md" },
        expected: {
          name: "x",
          type: "file",
          path: "docs/x.md",
          must_change: false,
          required: true,
        },
      },
      {
        name: "a glob",
        output: { type: "file", path: "specs/*/spec.md", must_change: true },
        expected: {
          name: "x",
          type: "file",
          path: "specs/*/spec.md",
          must_change: true,
          required: true,
        },
      },
      {
        name: "a path under the spec directory",
        output: { type: "file", path: "${{ run.spec_dir }}/plan.md" },
        expected: {
          name: "x",
          type: "file",
          path: "specs/001-dark-mode/plan.md",
          must_change: false,
          required: true,
        },
      },
      {
        name: "a path from a parameter",
        output: { type: "file", path: "${{ parameters.dir }}/x.md" },
        expected: {
          name: "x",
          type: "file",
          path: "out/x.md",
          must_change: false,
          required: true,
        },
      },
      {
        name: "an optional value with a description",
        output: { type: "number", required: false, description: "Findings" },
        expected: {
          name: "x",
          type: "number",
          must_change: false,
          required: false,
          description: "Findings",
        },
      },
    ])("expects $name", ({ output, expected }) => {
      const request = requestOf(
        build(
          { stages: [{ id: "a", outputs: { x: output } }] },
          {
            parameters: { dir: "out" },
            run: { spec_dir: "specs/001-dark-mode" },
          },
        ),
      );
      expect(request.outputs).toStrictEqual([expected]);
    });

    it("keeps the outputs in declaration order", () => {
      const request = requestOf(
        build({
          stages: [
            {
              id: "a",
              outputs: {
                report: { type: "string" },
                critical: { type: "number" },
                spec: { type: "file", path: "spec.md" },
              },
            },
          ],
        }),
      );
      expect(request.outputs.map((o) => o.name)).toStrictEqual([
        "report",
        "critical",
        "spec",
      ]);
    });

    it.each<{
      name: string;
      path: string;
      parameters?: Record<string, unknown>;
      error: string;
    }>([
      {
        name: "the spec directory before it is known",
        path: "${{ run.spec_dir }}/plan.md",
        error:
          "output 'x' path '${{ run.spec_dir }}/plan.md' reads a value that is not known yet (null)",
      },
      {
        name: "a lone expression that gives nothing",
        path: "${{ run.spec_dir }}",
        error: "output 'x' path '': the path is empty",
      },
      {
        name: "a '..' segment",
        path: "../x.md",
        error: "output 'x' path '../x.md': the path has a '..' segment",
      },
      {
        name: "a '..' from a parameter",
        path: "${{ parameters.dir }}/x.md",
        parameters: { dir: "../up" },
        error: "output 'x' path '../up/x.md': the path has a '..' segment",
      },
      {
        name: "an absolute path",
        path: "/etc/passwd",
        error: "output 'x' path '/etc/passwd': the path is absolute",
      },
      {
        name: "a path inside .git",
        path: ".git/config",
        error: "output 'x' path '.git/config': the path is inside .git",
      },
    ])("fails for $name", ({ path, parameters, error }) => {
      const built = build(
        { stages: [{ id: "a", outputs: { x: { type: "file", path } } }] },
        { parameters: parameters ?? {} },
      );
      expect(errorOf(built)).toBe(error);
    });
  });

  describe("size", () => {
    const workflow = { stages: [{ id: "a" }] };
    const emptyLength = JSON.stringify(
      requestOf(build(workflow, { feature: "" })),
    ).length;

    it("accepts a request of exactly MAX_REQUEST_LENGTH characters", () => {
      const feature = "x".repeat(MAX_REQUEST_LENGTH - emptyLength);
      const request = requestOf(build(workflow, { feature }));
      expect(JSON.stringify(request).length).toBe(MAX_REQUEST_LENGTH);
    });

    it.each([1, 10_000])(
      "refuses a request %i character(s) over MAX_REQUEST_LENGTH",
      (over) => {
        const feature = "x".repeat(MAX_REQUEST_LENGTH - emptyLength + over);
        expect(errorOf(build(workflow, { feature }))).toBe(
          `the stage request is ${MAX_REQUEST_LENGTH + over} characters, over the ${MAX_REQUEST_LENGTH} GitHub allows in dispatch inputs; shorten the issue text or the stage's inputs`,
        );
      },
    );
  });
});

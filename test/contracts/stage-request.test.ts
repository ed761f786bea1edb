import { describe, expect, it } from "vitest";
import {
  bundleArtifactName,
  correlationKey,
  MAX_REQUEST_LENGTH,
  parseCorrelationKey,
  StageRequest,
} from "../../src/contracts/stage-request.js";
import { listIssues } from "./list-issues.js";

const RUN_ID = "6f1c2a9e-4b7d-4e8a-9c3f-2d5e8a1b7c40";
const SHA = "0123456789abcdef0123456789abcdef01234567";

/** A request as the App would send it for the `plan` stage. */
function request(): Record<string, unknown> {
  return {
    version: 1,
    run_id: RUN_ID,
    stage: "plan",
    stage_name: "Plan",
    attempt: 1,
    repository: "acme/web-app.v2",
    base_branch: "main",
    branch: "speckit/20261121/k3x9",
    base_sha: SHA,
    feature: {
      text: "Add dark mode",
      issue: {
        number: 42,
        title: "Dark mode",
        body: "Please add dark mode. /approve",
        url: "https://github.com/acme/web-app.v2/issues/42",
      },
    },
    spec_dir: "specs/001-dark-mode",
    agent: {
      backend: "claude",
      model: "claude-sonnet-4-5",
      args: ["--verbose"],
      max_turns: 40,
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
    prompt_pack_version: "1",
    prompt: null,
    outputs: [
      {
        name: "plan_file",
        type: "file",
        path: "specs/001-dark-mode/plan.md",
        must_change: true,
        required: true,
        description: "The implementation plan",
      },
      { name: "summary", type: "string", must_change: false, required: false },
    ],
    inputs: { spec: "specs/001-dark-mode/spec.md" },
    parameters: { depth: 2 },
    env: { NODE_ENV: "test" },
    artifact: {
      name: bundleArtifactName(RUN_ID, "plan", 1),
      retention_days: 7,
    },
  };
}

/** The request with `patch` applied on top (a key set to undefined is removed). */
function requestWith(patch: Record<string, unknown>): Record<string, unknown> {
  const value = { ...request(), ...patch };
  for (const [key, entry] of Object.entries(patch)) {
    if (entry === undefined) delete value[key];
  }
  return value;
}

describe("StageRequest", () => {
  it("accepts a full request", () => {
    expect(listIssues(StageRequest, request())).toEqual([]);
    expect(StageRequest.parse(request())).toEqual(request());
  });

  it.each<[string, Record<string, unknown>]>([
    ["no issue and no spec_dir yet", { feature: { text: "x", issue: null } }],
    ["spec_dir null", { spec_dir: null }],
    [
      "the minimum agent",
      {
        agent: {
          backend: "command",
          args: [],
          timeout_minutes: 1,
          command: "./run-agent.sh",
          prompt_via: "file",
        },
      },
    ],
    ["a stage id with '-' and '_'", { stage: "_review-2" }],
    ["a later attempt", { attempt: 3 }],
    ["retention of 90 days", { artifact: { name: "a", retention_days: 90 } }],
    ["a prompt of its own", { prompt: "Plan {{feature.text}}" }],
    ["no outputs", { outputs: [] }],
    [
      "a time limit of a fraction of a minute",
      {
        agent: {
          backend: "claude",
          args: [],
          timeout_minutes: 0.05,
          prompt_via: "stdin",
        },
      },
    ],
  ])("accepts %s", (_, patch) => {
    expect(listIssues(StageRequest, requestWith(patch))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ["version 2", { version: 2 }, ["version: Invalid input: expected 1"]],
    [
      "a run id that is not a uuid",
      { run_id: "run-1" },
      ["run_id: Invalid UUID"],
    ],
    [
      "a stage id with a space",
      { stage: "my stage" },
      [
        "stage: must start with a letter or '_' and contain only letters, digits, '-' and '_'",
      ],
    ],
    [
      "attempt 0",
      { attempt: 0 },
      ["attempt: Too small: expected number to be >=1"],
    ],
    [
      "a fractional attempt",
      { attempt: 1.5 },
      ["attempt: Invalid input: expected int, received number"],
    ],
    [
      "a repository without owner",
      { repository: "web-app" },
      ["repository: expected owner/repo"],
    ],
    [
      "a repository with a path",
      { repository: "acme/web/app" },
      ["repository: expected owner/repo"],
    ],
    [
      "an empty branch",
      { branch: "" },
      ["branch: Too small: expected string to have >=1 characters"],
    ],
    [
      "a short base_sha",
      { base_sha: "0123456" },
      ["base_sha: expected a commit SHA"],
    ],
    [
      "an upper-case base_sha",
      { base_sha: SHA.toUpperCase() },
      ["base_sha: expected a commit SHA"],
    ],
    [
      "an unknown agent backend",
      {
        agent: {
          backend: "gpt",
          args: [],
          timeout_minutes: 30,
          prompt_via: "stdin",
        },
      },
      [
        'agent.backend: Invalid option: expected one of "claude"|"codex"|"gemini"|"copilot"|"command"',
      ],
    ],
    [
      "a missing feature",
      { feature: undefined },
      ["feature: Invalid input: expected object, received undefined"],
    ],
    [
      "an issue number 0",
      {
        feature: {
          text: "x",
          issue: { number: 0, title: "t", body: "b", url: "u" },
        },
      },
      ["feature.issue.number: Too small: expected number to be >=1"],
    ],
    [
      "an unknown key",
      { token: "ghs_secret" },
      [': Unrecognized key: "token"'],
    ],
    [
      "an unknown output type",
      {
        outputs: [
          { name: "x", type: "image", must_change: false, required: false },
        ],
      },
      [
        'outputs.0.type: Invalid option: expected one of "file"|"string"|"number"|"boolean"|"object"|"array"',
      ],
    ],
    [
      "a non-string env value",
      { env: { DEBUG: true } },
      ["env.DEBUG: Invalid input: expected string, received boolean"],
    ],
    [
      "retention over 90 days",
      { artifact: { name: "a", retention_days: 91 } },
      ["artifact.retention_days: Too big: expected number to be <=90"],
    ],
  ])("refuses %s", (_, patch, issues) => {
    expect(listIssues(StageRequest, requestWith(patch))).toEqual(issues);
  });

  it("leaves room under GitHub's 65,535-character input limit", () => {
    expect(MAX_REQUEST_LENGTH).toBeLessThan(65_535);
    expect(JSON.stringify(request()).length).toBeLessThan(MAX_REQUEST_LENGTH);
  });
});

describe("bundleArtifactName", () => {
  it.each<[string, string, number, string]>([
    [RUN_ID, "plan", 1, `specwright-${RUN_ID}-plan-1`],
    [RUN_ID, "code-review", 12, `specwright-${RUN_ID}-code-review-12`],
    [RUN_ID, "_x", 2, `specwright-${RUN_ID}-_x-2`],
  ])("names %s %s attempt %d", (runId, stage, attempt, name) => {
    expect(bundleArtifactName(runId, stage, attempt)).toBe(name);
  });
});

describe("correlationKey", () => {
  it.each<[string, number]>([
    ["specify", 1],
    ["plan", 2],
    ["code-review", 10],
    ["_private_stage", 99],
    ["Implement", 1],
  ])("round-trips stage %s attempt %d", (stage, attempt) => {
    const key = correlationKey(RUN_ID, stage, attempt);
    expect(key).toBe(`specwright ${RUN_ID} ${stage} ${attempt}`);
    expect(parseCorrelationKey(key)).toEqual({ runId: RUN_ID, stage, attempt });
  });

  it.each<[string, string]>([
    ["inside a longer run-name", `Stage: specwright ${RUN_ID} plan 2 (#42)`],
    ["at the end of a run-name", `acme/web · specwright ${RUN_ID} plan 2`],
  ])("is found %s", (_, title) => {
    expect(parseCorrelationKey(title)).toEqual({
      runId: RUN_ID,
      stage: "plan",
      attempt: 2,
    });
  });

  it.each<[string, string]>([
    ["an empty title", ""],
    ["an ordinary run-name", "CI on main"],
    ["a key without attempt", `specwright ${RUN_ID} plan`],
    ["a key without stage", `specwright ${RUN_ID} 1`],
    ["a short run id", "specwright 6f1c2a9e-4b7d plan 1"],
    ["an upper-case run id", `specwright ${RUN_ID.toUpperCase()} plan 1`],
    ["a stage starting with a digit", `specwright ${RUN_ID} 1plan 1`],
    ["a negative attempt", `specwright ${RUN_ID} plan -1`],
    ["another prefix", `speckit ${RUN_ID} plan 1`],
    ["tabs for spaces", `specwright\t${RUN_ID}\tplan\t1`],
  ])("refuses %s", (_, title) => {
    expect(parseCorrelationKey(title)).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { parseInputs, type RawInputs } from "../../action/src/inputs.js";
import request from "../fixtures/dry-run-request.json" with { type: "json" };

const raw = (patch: Partial<RawInputs> = {}): RawInputs => ({
  request: JSON.stringify(request),
  "anthropic-api-key": undefined,
  "claude-code-oauth-token": undefined,
  "openai-api-key": undefined,
  "gemini-api-key": undefined,
  "copilot-token": undefined,
  "working-directory": undefined,
  "agent-isolation": undefined,
  "dry-run": undefined,
  ...patch,
});

describe("parseInputs", () => {
  it("parses the request and fills in the defaults", () => {
    const parsed = parseInputs(raw({ "openai-api-key": "sk-openai" }));
    expect(parsed.inputs).toEqual({
      request: JSON.stringify(request),
      "openai-api-key": "sk-openai",
      "working-directory": ".",
      "agent-isolation": "user",
      "dry-run": false,
    });
    expect(parsed.request).toEqual(request);
  });

  it("treats an empty input as not given, as the runner passes unset ones", () => {
    const { inputs } = parseInputs(
      raw({ "anthropic-api-key": "", "working-directory": "", "dry-run": "" }),
    );
    expect(inputs).not.toHaveProperty("anthropic-api-key");
    expect(inputs["working-directory"]).toBe(".");
    expect(inputs["dry-run"]).toBe(false);
  });

  it.each<[string, boolean]>([
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["false", false],
    ["False", false],
    ["FALSE", false],
  ])("reads dry-run %s as a YAML boolean", (value, dryRun) => {
    expect(parseInputs(raw({ "dry-run": value })).inputs["dry-run"]).toBe(
      dryRun,
    );
  });

  it.each<[string, Partial<RawInputs>, string]>([
    [
      "a dry-run that is not a boolean",
      { "dry-run": "yes" },
      "invalid inputs: dry-run: dry-run must be true or false",
    ],
    [
      "no request",
      { request: undefined },
      "invalid inputs: request: the request input is required: the stage workflow passes ${{ inputs.request }}",
    ],
    [
      "a request that is not JSON",
      { request: "{'version': 1}" },
      "the request input is not JSON: the stage workflow must pass the App's request unchanged",
    ],
    [
      "a request that is not an object",
      { request: "[]" },
      "the request input is not a valid stage request: Invalid input: expected object, received array",
    ],
    [
      "a request with wrong fields, each named",
      {
        request: JSON.stringify({
          ...request,
          attempt: 0,
          agent: { ...request.agent, timeout_minutes: -1 },
        }),
      },
      "the request input is not a valid stage request: attempt: Too small: expected number to be >=1; agent.timeout_minutes: Too small: expected number to be >0",
    ],
    [
      "a request from a newer App, saying to update the action",
      { request: JSON.stringify({ ...request, review_window: 3 }) },
      `the request input is not a valid stage request: Unrecognized key: "review_window" (the App sent fields this version of the action does not know: update the action's version in the stage workflow's uses:)`,
    ],
  ])("refuses %s, saying why", (_, patch, message) => {
    expect(() => parseInputs(raw(patch))).toThrow(message);
  });
});

import { describe, expect, it } from "vitest";
import { agentEnvironment } from "../../action/src/agents/agent-environment.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import type { AgentBackend } from "../../src/workflow/schema.js";

const request = (
  backend: AgentBackend,
  patch: Partial<StageRequest> = {},
): StageRequest =>
  ({
    run_id: "22222222-2222-4222-8222-222222222222",
    stage: "plan",
    spec_dir: "specs/003-dark-mode",
    env: { TARGET: "web" },
    agent: { backend, args: [], timeout_minutes: 1, prompt_via: "stdin" },
    ...patch,
  }) as StageRequest;

const runner = {
  PATH: "/usr/bin",
  GITHUB_SHA: "abc",
  GITHUB_TOKEN: "ghs_x",
  ACTIONS_RUNTIME_TOKEN: "rt",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc",
  ACTIONS_ID_TOKEN_REQUEST_URL: "https://oidc.test/",
  RUNNER_TOKEN: "registration",
  GITHUB_OUTPUT: "/runner/_temp/_runner_file_commands/set_output_1",
  GITHUB_ENV: "/runner/_temp/_runner_file_commands/set_env_1",
  GITHUB_PATH: "/runner/_temp/_runner_file_commands/add_path_1",
  GITHUB_STATE: "/runner/_temp/_runner_file_commands/save_state_1",
  GITHUB_STEP_SUMMARY: "/runner/_temp/_runner_file_commands/step_summary_1",
  GITHUB_WORKSPACE: "/runner/work/web/web",
  "INPUT_OPENAI-API-KEY": "sk-openai",
  ANTHROPIC_API_KEY: "sk-ant-from-env",
  OPENAI_API_KEY: "sk-openai-from-env",
};
const credentials = {
  "anthropic-api-key": "sk-ant",
  "openai-api-key": "sk-openai",
  "gemini-api-key": "g-key",
  "copilot-token": "github_pat_x",
};

const environment = (backend: AgentBackend, root = false) =>
  agentEnvironment({
    request: request(backend),
    env: runner,
    credentials,
    root,
  });

describe("agentEnvironment", () => {
  it.each<[AgentBackend, Record<string, string>]>([
    ["claude", { ANTHROPIC_API_KEY: "sk-ant" }],
    // `codex exec` sends CODEX_API_KEY; with OPENAI_API_KEY alone it sends none.
    ["codex", { CODEX_API_KEY: "sk-openai", OPENAI_API_KEY: "sk-openai" }],
    ["gemini", { GEMINI_API_KEY: "g-key" }],
    ["copilot", { COPILOT_GITHUB_TOKEN: "github_pat_x" }],
  ])(
    "gives %s its own credential, under every name its CLI reads",
    (backend, own) => {
      const env = environment(backend);
      expect(env).toMatchObject(own);
      const keys = [
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "CODEX_API_KEY",
        "GEMINI_API_KEY",
        "COPILOT_GITHUB_TOKEN",
      ];
      for (const key of keys.filter((k) => !(k in own)))
        expect(env[key], key).toBeUndefined();
      for (const key of [
        "GITHUB_TOKEN",
        "ACTIONS_RUNTIME_TOKEN",
        "INPUT_OPENAI-API-KEY",
      ])
        expect(env[key], key).toBeUndefined();
    },
  );

  it("withholds the runner's tokens and its command files, which would let the agent set the step's outputs and the later steps' environment", () => {
    const env = environment("command");
    for (const name of [
      "GITHUB_TOKEN",
      "ACTIONS_RUNTIME_TOKEN",
      "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
      "ACTIONS_ID_TOKEN_REQUEST_URL",
      "RUNNER_TOKEN",
      "GITHUB_OUTPUT",
      "GITHUB_ENV",
      "GITHUB_PATH",
      "GITHUB_STATE",
      "GITHUB_STEP_SUMMARY",
    ])
      expect(env[name], name).toBeUndefined();
    expect(env.GITHUB_WORKSPACE).toBe("/runner/work/web/web");
    expect(env.PATH).toBe("/usr/bin");
  });

  it("tells the Spec Kit scripts the feature: its folder (1.x) and its name (classic)", () => {
    expect(environment("claude")).toMatchObject({
      SPECIFY_FEATURE_DIRECTORY: "specs/003-dark-mode",
      SPECIFY_FEATURE: "003-dark-mode",
      SPECWRIGHT_STAGE: "plan",
      TARGET: "web",
    });
    const env = agentEnvironment({
      request: request("claude", { spec_dir: null }),
      env: runner,
      credentials,
      root: false,
    });
    expect(env.SPECIFY_FEATURE).toBeUndefined();
    expect(env.SPECIFY_FEATURE_DIRECTORY).toBeUndefined();
  });

  it("lets Claude Code skip its permission prompts as root, where it refuses to otherwise", () => {
    expect(environment("claude", true).IS_SANDBOX).toBe("1");
    expect(environment("claude", false).IS_SANDBOX).toBeUndefined();
    expect(environment("claude").CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe(
      "1",
    );
  });

  it("trusts the checkout for Gemini CLI, and hides GITHUB_SHA, which strips its shell commands' environment", () => {
    const env = environment("gemini");
    expect(env.GEMINI_CLI_TRUST_WORKSPACE).toBe("true");
    expect(env.GITHUB_SHA).toBeUndefined();
    expect(environment("claude").GITHUB_SHA).toBe("abc");
  });
});

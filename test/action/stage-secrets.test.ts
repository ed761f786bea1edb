import { describe, expect, it } from "vitest";
import { stageSecrets } from "../../action/src/stage/stage-secrets.js";

describe("stageSecrets", () => {
  it("takes the credential inputs, and every token or key in the runner's environment", () => {
    const secrets = stageSecrets({
      credentials: { "anthropic-api-key": "sk-ant-0123", "openai-api-key": "" },
      env: {
        PATH: "/usr/bin:/bin",
        HOME: "/home/runner",
        ACTIONS_RUNTIME_TOKEN: "runtime-token-0123",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc-request-token-0123",
        ACTIONS_RESULTS_URL: "https://results.test/",
        GITHUB_TOKEN: "ghs_0123456789",
        GH_TOKEN: "gho_0123456789",
        RUNNER_TOKEN: "runner-registration-0123",
        "INPUT_COPILOT-TOKEN": "github_pat_0123",
        GEMINI_API_KEY: "gemini-key-from-env",
        NPM_TOKEN: "npm_0123456789",
        AWS_SECRET_ACCESS_KEY: "aws/secret/0123",
        MY_AGENT_APIKEY: "agent-key-0123",
        GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
        GITHUB_PATH: "/home/runner/work/_temp/_runner_file_commands/add_path",
        TOKENIZERS_PARALLELISM: "false-but-long",
        // Too short to be a secret worth masking everywhere.
        DEPLOY_TOKEN: "x",
      },
    });
    expect(secrets.sort()).toEqual(
      [
        "sk-ant-0123",
        "runtime-token-0123",
        "oidc-request-token-0123",
        "ghs_0123456789",
        "gho_0123456789",
        "runner-registration-0123",
        "github_pat_0123",
        "gemini-key-from-env",
        "npm_0123456789",
        "aws/secret/0123",
        "agent-key-0123",
      ].sort(),
    );
  });
});

import type { StageRequest } from "../../../src/contracts/stage-request.js";
import type { AgentBackend } from "../../../src/workflow/schema.js";
import { splitCommand } from "../../../src/workflow/split-command.js";

/** An action input holding a credential, and the variables the agent reads it from. */
export interface Credential {
  input:
    | "anthropic-api-key"
    | "claude-code-oauth-token"
    | "openai-api-key"
    | "gemini-api-key"
    | "copilot-token";
  /** The CLI reads the first; the others are set too, for its tools. */
  env: string[];
  /** The repository secret the stage workflow passes to the input. */
  secret: string;
}

export interface Invocation {
  executable: string;
  args: string[];
  /** Given on standard input. */
  stdin?: string;
  /** Written to a file whose path is the last argument. */
  promptFile?: string;
}

/**
 * How the CLI is held to the request's `max_turns`: its own flag (Claude
 * Code's `--max-turns`), its own setting (Gemini CLI's
 * `model.maxSessionTurns`), the events its output streams (Copilot CLI's
 * `assistant.turn_start`), the model requests the credential proxy
 * forwards (codex), or not at all (a command: its turns are not known).
 */
export type TurnLimit = "flag" | "settings" | "output" | "proxy" | "unknown";

export interface BackendSpec {
  executable: string;
  turnLimit: TurnLimit;
  /** Any one of these is enough. */
  credentials: Credential[];
  /** Arguments a caller's own arguments can replace (permission and sandbox flags). */
  unattended: { flags: string[]; unless: string[] };
  /** The arguments that make the CLI write its usage to a file (Copilot). */
  usageFile?(path: string): string[];
  /** Runner variables the CLI must not see (they change how it behaves). */
  hidden?: string[];
  /** Variables the CLI needs to run unattended in a job (no secrets). */
  environment?(context: { root: boolean }): Record<string, string>;
  /**
   * The command line for a prompt; `extra` are the invocation's own
   * arguments (Copilot's `--agent`), placed before the caller's.
   */
  build(
    prompt: string,
    agent: StageRequest["agent"],
    extra?: readonly string[],
  ): Invocation;
}

function withDefaults(
  extra: readonly string[],
  unattended: BackendSpec["unattended"],
): string[] {
  const replaced = extra.some((arg) =>
    unattended.unless.some(
      (flag) => arg === flag || arg.startsWith(`${flag}=`),
    ),
  );
  return replaced ? [...extra] : [...extra, ...unattended.flags];
}

/**
 * How each agent CLI runs a prompt unattended (GitHub Spec Kit's
 * `build_exec_args`): the prompt, then the caller's arguments, then model
 * and output flags. Each gets the flags it needs to edit files without
 * asking, unless the caller's arguments set their own.
 */
export const BACKENDS: Readonly<Record<AgentBackend, BackendSpec>> = {
  claude: {
    executable: "claude",
    turnLimit: "flag",
    credentials: [
      {
        input: "anthropic-api-key",
        env: ["ANTHROPIC_API_KEY"],
        secret: "ANTHROPIC_API_KEY",
      },
      {
        input: "claude-code-oauth-token",
        env: ["CLAUDE_CODE_OAUTH_TOKEN"],
        secret: "CLAUDE_CODE_OAUTH_TOKEN",
      },
    ],
    unattended: {
      flags: ["--dangerously-skip-permissions"],
      unless: [
        "--dangerously-skip-permissions",
        "--permission-mode",
        "--allowedTools",
        "--allowed-tools",
      ],
    },
    // Claude Code refuses --dangerously-skip-permissions as root unless it
    // is told it runs in a sandbox, which a job's runner is.
    // Nothing but the model API: no telemetry, error reports or updates.
    environment: ({ root }) => ({
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      ...(root ? { IS_SANDBOX: "1" } : {}),
    }),
    build(prompt, agent, extra = []) {
      return {
        executable: "claude",
        args: [
          "-p",
          prompt,
          ...extra,
          ...withDefaults(agent.args, this.unattended),
          ...(agent.model ? ["--model", agent.model] : []),
          ...(agent.max_turns ? ["--max-turns", String(agent.max_turns)] : []),
          "--output-format",
          "json",
        ],
      };
    },
  },
  codex: {
    executable: "codex",
    turnLimit: "proxy",
    // `codex exec` sends CODEX_API_KEY; OPENAI_API_KEY alone sends none.
    credentials: [
      {
        input: "openai-api-key",
        env: ["CODEX_API_KEY", "OPENAI_API_KEY"],
        secret: "OPENAI_API_KEY",
      },
    ],
    unattended: {
      flags: ["--sandbox", "workspace-write"],
      unless: [
        "--sandbox",
        "-s",
        "--full-auto",
        "--dangerously-bypass-approvals-and-sandbox",
        "--yolo",
      ],
    },
    build(prompt, agent, extra = []) {
      return {
        executable: "codex",
        args: [
          "exec",
          prompt,
          ...extra,
          ...withDefaults(agent.args, this.unattended),
          ...(agent.model ? ["--model", agent.model] : []),
          // The checkout is the job's own; codex refuses a directory it
          // does not trust without this (a checkout in a container may not
          // look like a repository to it).
          "--skip-git-repo-check",
          "--json",
        ],
      };
    },
  },
  gemini: {
    executable: "gemini",
    turnLimit: "settings",
    credentials: [
      {
        input: "gemini-api-key",
        env: ["GEMINI_API_KEY"],
        secret: "GEMINI_API_KEY",
      },
    ],
    unattended: {
      flags: ["--yolo"],
      unless: ["--yolo", "-y", "--approval-mode"],
    },
    // Without trust Gemini CLI exits 55, and downgrades --yolo silently.
    environment: () => ({ GEMINI_CLI_TRUST_WORKSPACE: "true" }),
    // Seeing GITHUB_SHA, Gemini CLI gives its shell commands only a short
    // list of variables: Spec Kit's scripts would lose
    // SPECIFY_FEATURE_DIRECTORY. The action has already removed what the
    // agent must not hold.
    hidden: ["GITHUB_SHA", "SURFACE"],
    build(prompt, agent, extra = []) {
      return {
        executable: "gemini",
        args: [
          "-p",
          prompt,
          ...extra,
          ...withDefaults(agent.args, this.unattended),
          ...(agent.model ? ["-m", agent.model] : []),
          "--output-format",
          "json",
        ],
      };
    },
  },
  copilot: {
    executable: "copilot",
    turnLimit: "output",
    credentials: [
      {
        input: "copilot-token",
        env: ["COPILOT_GITHUB_TOKEN"],
        secret: "COPILOT_GITHUB_TOKEN",
      },
    ],
    unattended: {
      flags: ["--yolo"],
      unless: ["--yolo", "--allow-all-tools", "--allow-tool"],
    },
    build(prompt, agent, extra = []) {
      return {
        executable: "copilot",
        args: [
          "-p",
          prompt,
          ...extra,
          ...withDefaults(agent.args, this.unattended),
          ...(agent.model ? ["--model", agent.model] : []),
          // A question would go unanswered: it decides on its own instead.
          "--no-ask-user",
          "--output-format",
          "json",
        ],
      };
    },
    // Its JSON output has no token counts; this file has.
    usageFile: (path) => ["--usage-output-file", path],
  },
  command: {
    executable: "",
    turnLimit: "unknown",
    credentials: [],
    unattended: { flags: [], unless: [] },
    build(prompt, agent, extra = []) {
      const [executable = "", ...fixed] = splitCommand(agent.command ?? "");
      const base = { executable, args: [...fixed, ...extra, ...agent.args] };
      return agent.prompt_via === "file"
        ? { ...base, promptFile: prompt }
        : { ...base, stdin: prompt };
    },
  },
};

import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../action/src/agents/backends.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import type { AgentBackend } from "../../src/workflow/schema.js";
import { splitCommand } from "../../src/workflow/split-command.js";

const agent = (
  backend: AgentBackend,
  patch: Partial<StageRequest["agent"]> = {},
): StageRequest["agent"] => ({
  backend,
  args: [],
  timeout_minutes: 30,
  prompt_via: "stdin",
  ...patch,
});

describe("splitCommand", () => {
  it.each<[string, string[]]>([
    ["my-agent --fast 'two words'", ["my-agent", "--fast", "two words"]],
    ["  spaced \t out\n words  ", ["spaced", "out", "words"]],
    ["", []],
    ["a\\ b c", ["a b", "c"]],
    ["'' x", ["", "x"]],
    ["a''b \"c\"d", ["ab", "cd"]],
    ["'it'\\''s'", ["it's"]],
    ["'no $expansion \\ here'", ["no $expansion \\ here"]],
    [
      '"say \\"hi\\" for \\$5 with \\` and \\\\"',
      ['say "hi" for $5 with ` and \\'],
    ],
    ['"keeps \\n and \\a"', ["keeps \\n and \\a"]],
    ["trailing\\", ["trailing\\"]],
    [
      "node agent.mjs --config 'model_reasoning_effort=\"high\"'",
      ["node", "agent.mjs", "--config", 'model_reasoning_effort="high"'],
    ],
  ])("splits %j like a shell", (line, words) => {
    expect(splitCommand(line)).toEqual(words);
  });

  it.each([
    ["my-agent 'open", "unterminated ' in `my-agent 'open`"],
    ['my-agent "open', 'unterminated " in `my-agent "open`'],
    [
      '"ends with a backslash\\',
      'unterminated " in `"ends with a backslash\\`',
    ],
  ])("refuses %j, naming the quote", (line, message) => {
    expect(() => splitCommand(line)).toThrow(message);
  });
});

describe("each backend's unattended flags", () => {
  const prompt = "/speckit-plan";

  it.each<[AgentBackend, string[], string[]]>([
    ["claude", [], ["--dangerously-skip-permissions"]],
    ["claude", ["--verbose"], ["--verbose", "--dangerously-skip-permissions"]],
    [
      "claude",
      ["--allowedTools", "Edit Write"],
      ["--allowedTools", "Edit Write"],
    ],
    ["claude", ["--allowed-tools=Edit"], ["--allowed-tools=Edit"]],
    [
      "claude",
      ["--permission-mode=acceptEdits"],
      ["--permission-mode=acceptEdits"],
    ],
    [
      "claude",
      ["--permission-mode-extra"],
      ["--permission-mode-extra", "--dangerously-skip-permissions"],
    ],
    ["codex", [], ["--sandbox", "workspace-write"]],
    ["codex", ["-s", "read-only"], ["-s", "read-only"]],
    [
      "codex",
      ["--sandbox=danger-full-access"],
      ["--sandbox=danger-full-access"],
    ],
    ["codex", ["--full-auto"], ["--full-auto"]],
    ["codex", ["--yolo"], ["--yolo"]],
    [
      "codex",
      ["--dangerously-bypass-approvals-and-sandbox"],
      ["--dangerously-bypass-approvals-and-sandbox"],
    ],
    ["gemini", [], ["--yolo"]],
    ["gemini", ["-y"], ["-y"]],
    ["gemini", ["--approval-mode=auto_edit"], ["--approval-mode=auto_edit"]],
    ["gemini", ["--approval-mode", "default"], ["--approval-mode", "default"]],
    ["copilot", [], ["--yolo"]],
    ["copilot", ["--allow-tool", "write"], ["--allow-tool", "write"]],
    ["copilot", ["--allow-all-tools"], ["--allow-all-tools"]],
  ])("%s with %j runs with %j after the prompt", (backend, args, flags) => {
    const output: Record<string, string[]> = {
      claude: ["--output-format", "json"],
      codex: ["--skip-git-repo-check", "--json"],
      gemini: ["--output-format", "json"],
      copilot: ["--no-ask-user", "--output-format", "json"],
    };
    const { args: argv } = BACKENDS[backend].build(
      prompt,
      agent(backend, { args }),
    );
    expect(argv.slice(argv.indexOf(prompt) + 1)).toEqual([
      ...flags,
      ...(output[backend] ?? []),
    ]);
  });

  it("leaves out model and turn flags it is not given", () => {
    expect(BACKENDS.claude.build(prompt, agent("claude")).args).toEqual([
      "-p",
      prompt,
      "--dangerously-skip-permissions",
      "--output-format",
      "json",
    ]);
    expect(BACKENDS.codex.build(prompt, agent("codex")).args).toEqual([
      "exec",
      prompt,
      "--sandbox",
      "workspace-write",
      "--skip-git-repo-check",
      "--json",
    ]);
  });

  it("does not change the caller's arguments", () => {
    const args = ["--verbose"];
    BACKENDS.claude.build(prompt, agent("claude", { args }));
    expect(args).toEqual(["--verbose"]);
  });
});

describe("the command backend", () => {
  it.each<[StageRequest["agent"]["prompt_via"], object]>([
    ["stdin", { stdin: "the prompt" }],
    ["file", { promptFile: "the prompt" }],
  ])(
    "gives the prompt on %s, the request's args after the command's own",
    (via, prompt) => {
      const invocation = BACKENDS.command.build(
        "the prompt",
        agent("command", {
          command: "node 'tools/my agent.mjs' --fast",
          args: ["--model", "local"],
          prompt_via: via,
        }),
      );
      expect(invocation).toEqual({
        executable: "node",
        args: ["tools/my agent.mjs", "--fast", "--model", "local"],
        ...prompt,
      });
    },
  );

  it("has no executable without a command (preflight says so)", () => {
    expect(BACKENDS.command.build("p", agent("command"))).toEqual({
      executable: "",
      args: [],
      stdin: "p",
    });
  });

  it("needs no credential and adds no flags", () => {
    expect(BACKENDS.command.credentials).toEqual([]);
    expect(
      BACKENDS.command.build(
        "p",
        agent("command", { command: "agent", args: ["--x"] }),
      ).args,
    ).toEqual(["--x"]);
  });
});

import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";

/** The located diagnostics of a file, as `line:col: message`. */
function problems(text: string): string[] {
  const result = loadConfig(text);
  if (result.ok) return [];
  return result.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);
}

const yaml = (lines: string[]) => `${lines.join("\n")}\n`;

describe("loadConfig", () => {
  it.each([
    ["an empty file", ""],
    ["only a comment", "# nothing yet\n"],
    ["an empty workflow", "workflow:\n"],
    ["a workflow: {}", "workflow: {}\n"],
  ])("gives every default for %s", (_, text) => {
    const result = loadConfig(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.usesDefaultWorkflow).toBe(true);
    expect(result.workflow.stages.map((s) => s.id)).toEqual([
      "specify",
      "plan",
      "tasks",
      "analyze",
      "implement",
    ]);
    expect(result.config).toMatchObject({
      agent: { backend: "claude", args: [], prompt_via: "stdin" },
      skills: { fallback: true, catalog: [] },
      workflow: null,
      branch_pattern: "speckit/{date}/{token}",
      pull_request: {
        draft: true,
        title_prefix: "",
        labels: [],
        request_review: true,
      },
      protected_paths: [".github/workflows/**"],
      stage_workflow: "specwright.yml",
      artifact_retention_days: 30,
      permissions: {},
    });
  });

  it("applies the SWDL defaults to a stage", () => {
    const result = loadConfig(
      yaml(["workflow:", "  stages:", "    - id: specify"]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.usesDefaultWorkflow).toBe(false);
    expect(result.workflow).toEqual({
      name: "Custom workflow",
      parameters: {},
      env: {},
      stages: [
        {
          id: "specify",
          type: "agent",
          depends_on: [],
          inputs: {},
          outputs: {},
          error_policy: {
            retry: {
              max_attempts: 2,
              initial_interval: "30s",
              backoff: 2,
              max_interval: "5m",
            },
            timeout: "30m",
            on_failure: "halt",
          },
        },
      ],
    });
  });

  it("reads JSON, which is YAML too", () => {
    const result = loadConfig(
      '{"agent": {"backend": "codex"}, "workflow": {"stages": [{"id": "plan"}]}}',
    );
    expect(result.ok && result.config.agent.backend).toBe("codex");
  });

  it.each<[string, string, string[]]>([
    [
      "a list at the top level",
      "- a\n",
      ["1:1: expected a mapping of settings at the top level"],
    ],
    [
      "an unknown top-level key",
      "agnet:\n  backend: codex\n",
      ["1:1: unknown key 'agnet' (did you mean 'agent'?)"],
    ],
    [
      "an unknown key without a close match",
      "agent:\n  colour: blue\n",
      [
        "2:3: unknown key 'colour'; expected one of: backend, model, args, max_turns, command, prompt_via",
      ],
    ],
    [
      "a misspelt enum value",
      "agent:\n  backend: gemeni\n",
      [
        "2:12: expected one of claude, codex, gemini, copilot, command; got the string \"gemeni\" (did you mean 'gemini'?)",
      ],
    ],
    [
      "a retention under a week",
      "artifact_retention_days: 3\n",
      ["1:26: must be at least 7; got 3"],
    ],
    [
      "a fractional retention",
      "artifact_retention_days: 7.5\n",
      ["1:26: expected an integer, got the number 7.5"],
    ],
    [
      "a stage workflow that is not a file name",
      "stage_workflow: .github/workflows/x.yml\n",
      [
        '1:17: expected a workflow file name such as specwright.yml; got the string ".github/workflows/x.yml"',
      ],
    ],
    [
      "a branch pattern without {token}",
      "branch_pattern: speckit/{date}/{isue}\n",
      [
        "1:17: unknown placeholder {isue} in branch_pattern; placeholders: {date}, {token}, {issue}, {slug}",
        "1:17: branch_pattern must contain {token} so that every run gets its own branch",
      ],
    ],
    [
      "a branch pattern git refuses",
      "branch_pattern: 'spec kit/{token}'\n",
      [
        "1:17: branch_pattern 'spec kit/{token}' does not make a valid git branch name",
      ],
    ],
    [
      "an unknown command in permissions",
      "permissions:\n  aprove: admin\n",
      ["2:3: unknown key 'aprove' (did you mean 'approve'?)"],
    ],
    [
      "a skill id used twice",
      yaml([
        "skills:",
        "  catalog:",
        "    - { id: review, supported_stages: [review] }",
        "    - { id: review, supported_stages: [plan] }",
      ]),
      ["4:13: skill id 'review' is already taken"],
    ],
    [
      "an agent command the runner cannot split",
      yaml([
        "agent:",
        "  backend: command",
        "  command: my-agent --name 'Dark",
      ]),
      [
        "3:12: agent.command is not a command line: unterminated ' in `my-agent --name 'Dark`",
      ],
    ],
    [
      "backend command without a command",
      yaml(["agent:", "  backend: command"]),
      [
        "2:12: agent.backend 'command' needs agent.command: the executable (and fixed arguments) to run",
      ],
    ],
    [
      "a stage on backend command without a command",
      yaml([
        "workflow:",
        "  stages:",
        "    - id: specify",
        "      agent: { backend: command }",
      ]),
      [
        "4:25: stage 'specify' uses backend 'command', which needs agent.command at the top level: the executable to run",
      ],
    ],
    [
      "a health check the runner cannot split",
      yaml([
        "skills:",
        "  catalog:",
        `    - { id: review, supported_stages: [review], health_check: 'review --name "x' }`,
      ]),
      [
        '3:63: health_check is not a command line: unterminated " in `review --name "x`',
      ],
    ],
    [
      "a stage without an id",
      yaml(["workflow:", "  stages:", "    - name: Specify"]),
      ["3:7: missing required key 'id' (a string)"],
    ],
    [
      "a workflow with no stages",
      "workflow:\n  stages: []\n",
      ["2:11: a workflow needs at least one stage"],
    ],
    [
      "an input of the wrong kind",
      yaml([
        "workflow:",
        "  stages:",
        "    - id: plan",
        "      inputs:",
        "        spec: 42",
      ]),
      ["5:15: expected a string or a mapping, got the number 42"],
    ],
    [
      "an input declaration with a misspelt key",
      yaml([
        "workflow:",
        "  stages:",
        "    - id: plan",
        "      inputs:",
        "        spec:",
        "          sorce: x",
      ]),
      [
        "5:9: missing required key 'source' (a string)",
        "6:11: unknown key 'sorce' (did you mean 'source'?)",
      ],
    ],
    [
      "a bad stage id",
      yaml(["workflow:", "  stages:", "    - id: 2nd stage"]),
      [
        "3:11: must start with a letter or '_' and contain only letters, digits, '-' and '_'; got the string \"2nd stage\"",
      ],
    ],
    [
      "problems in the settings and in the workflow at once",
      yaml([
        "agent:",
        "  backend: gpt",
        "workflow:",
        "  stages:",
        "    - id: plan",
        "      depends_on: [specify]",
      ]),
      [
        '2:12: expected one of claude, codex, gemini, copilot, command; got the string "gpt"',
        "6:20: unknown stage 'specify' in depends_on",
      ],
    ],
  ])("reports %s", (_, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  describe("syntax errors", () => {
    it("reports js-yaml's error and the others the yaml parser finds", () => {
      expect(
        problems(
          yaml([
            "workflow:",
            "  stages:",
            "    - id: a",
            "     name: x",
            '  other: "unterminated',
          ]),
        ),
      ).toEqual([
        "4:6: invalid YAML: bad indentation of a sequence entry",
        '6:1: invalid YAML: Missing closing "quote',
      ]);
    });

    it("reports a duplicate key", () => {
      expect(problems("agent: {}\nagent: {}\n")).toEqual([
        "2:1: invalid YAML: duplicated mapping key",
      ]);
    });

    it("refuses several documents", () => {
      expect(problems("agent: {}\n---\nagent: {}\n")).toEqual([
        "2:1: invalid YAML: the file must hold one document; remove the '---' separator",
      ]);
    });
  });

  describe("positions inside strings", () => {
    const stage = (condition: string) =>
      yaml([
        "workflow:",
        "  parameters:",
        "    mode: { type: string }",
        "  stages:",
        "    - id: plan",
        `      condition: ${condition}`,
      ]);

    it.each([
      ["a plain scalar", "${{ parameters.mod == 'x' }}", "6:33"],
      ["a single-quoted scalar", "'${{ parameters.mod == ''x'' }}'", "6:34"],
      ["a double-quoted scalar", "\"${{ parameters.mod == 'x' }}\"", "6:34"],
      ["a bare expression", "parameters.mod == 'x'", "6:29"],
    ])("points into %s", (_, condition, at) => {
      expect(problems(stage(condition))).toEqual([
        `${at}: undeclared parameter 'mod' (did you mean 'mode'?)`,
      ]);
    });

    it("points into a block scalar", () => {
      const text = yaml([
        "workflow:",
        "  stages:",
        "    - id: plan",
        "      prompt: |",
        "        Write the plan for {{ feature }}.",
        "        Keep {{ inputs.spec }} in mind.",
      ]);
      expect(problems(text)).toEqual([
        "6:17: prompt reads inputs.spec, which is not declared",
      ]);
    });

    it("points into a shorthand input", () => {
      const text = yaml([
        "workflow:",
        "  stages:",
        "    - id: plan",
        "      inputs:",
        "        spec: ${{ stages.specify.outputs.spec }}",
      ]);
      expect(problems(text)).toEqual(["5:26: unknown stage 'specify'"]);
    });
  });
});

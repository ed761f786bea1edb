import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { detectSpecKit, type SpecKitSetup } from "../../action/src/speckit.js";
import { speckitInvocation } from "../../action/src/speckit-invocation.js";
import type { AgentBackend } from "../../src/workflow/schema.js";

let repo: string;

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "specwright-speckit-"));
});

afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function write(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), content);
  }
}

/** What `specify init --integration <key>` leaves, for the given stages. */
function installed(
  layout: (stage: string) => string,
  stages: string[],
): Record<string, string> {
  return {
    ".specify/memory/constitution.md": "# Constitution\n",
    ...Object.fromEntries(stages.map((s) => [layout(s), `# ${s}\n`])),
  };
}

const STAGES = ["specify", "plan", "tasks", "analyze", "implement"];

describe("detectSpecKit: each agent's layout", () => {
  it.each<[string, AgentBackend, (s: string) => string]>([
    [
      "Claude Code skills (1.x)",
      "claude",
      (s) => `.claude/skills/speckit-${s}/SKILL.md`,
    ],
    [
      "Claude Code commands (0.0.90)",
      "claude",
      (s) => `.claude/commands/speckit.${s}.md`,
    ],
    [
      "Codex skills (1.x)",
      "codex",
      (s) => `.agents/skills/speckit-${s}/SKILL.md`,
    ],
    [
      "Codex prompts (0.0.90)",
      "codex",
      (s) => `.codex/prompts/speckit.${s}.md`,
    ],
    [
      "Gemini CLI TOML commands",
      "gemini",
      (s) => `.gemini/commands/speckit.${s}.toml`,
    ],
    [
      "Copilot skills (1.x default)",
      "copilot",
      (s) => `.github/skills/speckit-${s}/SKILL.md`,
    ],
    [
      "Copilot agents (--commands)",
      "copilot",
      (s) => `.github/agents/speckit.${s}.agent.md`,
    ],
    [
      "Copilot prompts (0.0.90)",
      "copilot",
      (s) => `.github/prompts/speckit.${s}.prompt.md`,
    ],
    [
      "any layout for a command agent",
      "command",
      (s) => `.gemini/commands/speckit.${s}.toml`,
    ],
  ])("finds %s", async (_, backend, layout) => {
    await write(installed(layout, ["plan", "specify", "converge", "review"]));
    expect(await detectSpecKit(repo, backend)).toEqual({
      available: true,
      integration: null,
      separator: null,
      // Whatever the layout has, in Spec Kit's order, then the others.
      stages: ["specify", "plan", "converge", "review"],
      files: {
        specify: layout("specify"),
        plan: layout("plan"),
        converge: layout("converge"),
        review: layout("review"),
      },
    });
  });

  it.each<[AgentBackend, AgentBackend]>([
    ["claude", "codex"],
    ["codex", "claude"],
    ["gemini", "copilot"],
    ["copilot", "gemini"],
  ])("does not take %s's files for %s", async (installedFor, backend) => {
    const layouts: Record<string, (s: string) => string> = {
      claude: (s) => `.claude/skills/speckit-${s}/SKILL.md`,
      codex: (s) => `.agents/skills/speckit-${s}/SKILL.md`,
      gemini: (s) => `.gemini/commands/speckit.${s}.toml`,
      copilot: (s) => `.github/skills/speckit-${s}/SKILL.md`,
    };
    await write(
      installed(layouts[installedFor] as (s: string) => string, STAGES),
    );
    expect(await detectSpecKit(repo, backend)).toMatchObject({
      available: true,
      stages: [],
      files: {},
    });
  });

  it("prefers skills where a repository has both layouts", async () => {
    await write({
      ...installed(
        (s) => `.claude/commands/speckit.${s}.md`,
        ["plan", "tasks"],
      ),
      ...installed((s) => `.claude/skills/speckit-${s}/SKILL.md`, ["plan"]),
    });
    expect((await detectSpecKit(repo, "claude")).files).toEqual({
      plan: ".claude/skills/speckit-plan/SKILL.md",
      tasks: ".claude/commands/speckit.tasks.md",
    });
  });

  it("reports agent files without .specify/ as not set up", async () => {
    await write({ ".claude/skills/speckit-plan/SKILL.md": "# plan\n" });
    expect(await detectSpecKit(repo, "claude")).toMatchObject({
      available: false,
      stages: ["plan"],
    });
  });

  it("finds nothing in an empty repository", async () => {
    expect(await detectSpecKit(repo, "claude")).toEqual({
      available: false,
      integration: null,
      separator: null,
      stages: [],
      files: {},
    });
  });
});

describe("detectSpecKit: .specify/integration.json", () => {
  it.each<[string, string, Pick<SpecKitSetup, "integration" | "separator">]>([
    [
      "skills (separator -)",
      JSON.stringify({
        integration: "claude",
        integration_settings: { claude: { invoke_separator: "-" } },
      }),
      { integration: "claude", separator: "-" },
    ],
    [
      "commands (separator .)",
      JSON.stringify({
        integration: "gemini",
        integration_settings: { gemini: { invoke_separator: "." } },
      }),
      { integration: "gemini", separator: "." },
    ],
    [
      "a separator Spec Kit does not use",
      JSON.stringify({
        integration: "claude",
        integration_settings: { claude: { invoke_separator: "/" } },
      }),
      { integration: "claude", separator: null },
    ],
    [
      "settings for another integration only",
      JSON.stringify({
        integration: "codex",
        integration_settings: { claude: { invoke_separator: "-" } },
      }),
      { integration: "codex", separator: null },
    ],
    [
      "no settings",
      JSON.stringify({ integration: "copilot" }),
      { integration: "copilot", separator: null },
    ],
    [
      "an integration that is not a name",
      JSON.stringify({
        integration: ["claude"],
        integration_settings: { claude: { invoke_separator: "-" } },
      }),
      { integration: null, separator: null },
    ],
    ["JSON null", "null", { integration: null, separator: null }],
    [
      "a broken file",
      "{ integration: claude",
      { integration: null, separator: null },
    ],
  ])("reads %s", async (_, content, expected) => {
    await write({
      ".specify/integration.json": content,
      ".claude/skills/speckit-plan/SKILL.md": "# plan\n",
    });
    expect(await detectSpecKit(repo, "claude")).toEqual({
      available: true,
      ...expected,
      stages: ["plan"],
      files: { plan: ".claude/skills/speckit-plan/SKILL.md" },
    });
  });
});

describe("speckitInvocation", () => {
  function setup(file: string): SpecKitSetup {
    return {
      available: true,
      integration: null,
      separator: null,
      stages: ["plan"],
      files: { plan: file },
    };
  }

  it.each<[AgentBackend, string, string, string[]]>([
    ["claude", ".claude/skills/speckit-plan/SKILL.md", "/speckit-plan Go", []],
    ["copilot", ".github/skills/speckit-plan/SKILL.md", "/speckit-plan Go", []],
    ["codex", ".agents/skills/speckit-plan/SKILL.md", "$speckit-plan Go", []],
    ["claude", ".claude/commands/speckit.plan.md", "/speckit.plan Go", []],
    ["gemini", ".gemini/commands/speckit.plan.toml", "/speckit.plan Go", []],
    // Copilot runs a custom agent by name, with the arguments as the prompt.
    [
      "copilot",
      ".github/agents/speckit.plan.agent.md",
      "Go",
      ["--agent", "speckit.plan"],
    ],
  ])("%s with %s → %s", async (backend, file, prompt, args) => {
    await write({ [file]: "---\ndescription: x\n---\n# Plan\n" });
    expect(
      await speckitInvocation({
        backend,
        stage: "plan",
        setup: setup(file),
        cwd: repo,
        args: "Go",
      }),
    ).toMatchObject({ prompt, args, file });
  });

  it("gives a Copilot agent a prompt when the stage has no arguments", async () => {
    const file = ".github/agents/speckit.plan.agent.md";
    await write({ [file]: "# Plan\n" });
    const invocation = await speckitInvocation({
      backend: "copilot",
      stage: "plan",
      setup: setup(file),
      cwd: repo,
      args: "",
    });
    expect(invocation.prompt).not.toBe("");
    expect(invocation.args).toEqual(["--agent", "speckit.plan"]);
  });

  it.each<[string, AgentBackend, string]>([
    // `codex exec` does not expand custom prompts.
    ["a classic Codex prompt", "codex", ".codex/prompts/speckit.plan.md"],
    [
      "a Copilot prompt file",
      "copilot",
      ".github/prompts/speckit.plan.prompt.md",
    ],
  ])(
    "inlines %s, with the arguments where it takes them",
    async (_, backend, file) => {
      await write({
        [file]:
          "---\ndescription: Plan\nscripts:\n  sh: x\n---\n## User Input\n\n```text\n$ARGUMENTS\n```\n\nWrite plan.md.\n",
      });
      const invocation = await speckitInvocation({
        backend,
        stage: "plan",
        setup: setup(file),
        cwd: repo,
        args: "Use Go",
      });
      expect(invocation.prompt).toBe(
        "## User Input\n\n```text\nUse Go\n```\n\nWrite plan.md.",
      );
      expect(invocation.args).toEqual([]);
    },
  );

  it("puts people's text into an inlined file as it is: `$&` and `$$` are no replacement patterns", async () => {
    const file = ".codex/prompts/speckit.plan.md";
    await write({ [file]: "Input: $ARGUMENTS.\n" });
    const invocation = await speckitInvocation({
      backend: "codex",
      stage: "plan",
      setup: setup(file),
      cwd: repo,
      args: "costs $$ and $& and $`",
    });
    expect(invocation.prompt).toBe("Input: costs $$ and $& and $`.");
  });

  it("appends the arguments to an inlined file that does not take them", async () => {
    const file = ".codex/prompts/speckit.plan.md";
    await write({ [file]: "Write plan.md.\n" });
    const invocation = await speckitInvocation({
      backend: "codex",
      stage: "plan",
      setup: setup(file),
      cwd: repo,
      args: "Use Go",
    });
    expect(invocation.prompt).toBe("Write plan.md.\n\nUser input:\n\nUse Go");
  });

  it("refuses a stage the layout has no command for", async () => {
    await expect(
      speckitInvocation({
        backend: "claude",
        stage: "tasks",
        setup: setup(".claude/skills/speckit-plan/SKILL.md"),
        cwd: repo,
        args: "",
      }),
    ).rejects.toThrow("no command for 'tasks'");
  });
});

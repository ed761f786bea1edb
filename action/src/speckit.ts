import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { AgentBackend } from "../../src/workflow/schema.js";
import { SPECKIT_SKILL } from "../../src/workflow/skills.js";

/** What Spec Kit has set up in the repository. */
export interface SpecKitSetup {
  /** `.specify/` exists. */
  available: boolean;
  /** The integration `.specify/integration.json` names, if any. */
  integration: string | null;
  /** How its commands are named: `/speckit.plan` (`.`) or `/speckit-plan` (`-`). */
  separator: "." | "-" | null;
  /** The stages whose command or skill files exist for this backend. */
  stages: string[];
  /** The file found for each of those stages. */
  files: Record<string, string>;
}

/** Where each agent finds Spec Kit's commands or skills (Spec Kit 0.0.90 and 1.x layouts). */
const COMMAND_FILES: Readonly<
  Record<Exclude<AgentBackend, "command">, ((cmd: string) => string)[]>
> = {
  claude: [
    (c) => `.claude/skills/speckit-${c}/SKILL.md`,
    (c) => `.claude/commands/speckit.${c}.md`,
  ],
  codex: [
    (c) => `.agents/skills/speckit-${c}/SKILL.md`,
    (c) => `.codex/prompts/speckit.${c}.md`,
  ],
  gemini: [(c) => `.gemini/commands/speckit.${c}.toml`],
  copilot: [
    (c) => `.github/skills/speckit-${c}/SKILL.md`,
    (c) => `.github/agents/speckit.${c}.agent.md`,
    (c) => `.github/prompts/speckit.${c}.prompt.md`,
  ],
};

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads `.specify/`, `.specify/integration.json` and the agent's command files. */
export async function detectSpecKit(
  cwd: string,
  backend: AgentBackend,
): Promise<SpecKitSetup> {
  const available = await exists(join(cwd, ".specify"));
  let integration: string | null = null;
  let separator: "." | "-" | null = null;
  try {
    const data = JSON.parse(
      await readFile(join(cwd, ".specify/integration.json"), "utf8"),
    ) as {
      integration?: unknown;
      integration_settings?: Record<string, { invoke_separator?: unknown }>;
    };
    integration =
      typeof data.integration === "string" ? data.integration : null;
    const configured = integration
      ? data.integration_settings?.[integration]?.invoke_separator
      : undefined;
    separator = configured === "." || configured === "-" ? configured : null;
  } catch {
    // No integration file: an older Spec Kit, or none.
  }
  const layouts =
    backend === "command"
      ? Object.values(COMMAND_FILES).flat()
      : COMMAND_FILES[backend];
  const stages: string[] = [];
  const files: Record<string, string> = {};
  for (const stage of SPECKIT_SKILL.supported_stages) {
    for (const layout of layouts) {
      const file = layout(stage);
      if (await exists(join(cwd, file))) {
        stages.push(stage);
        files[stage] = file;
        break;
      }
    }
  }
  return { available, integration, separator, stages, files };
}

/**
 * How the agent is told to run a Spec Kit command: installed as a skill,
 * `$speckit-plan` for Codex and `/speckit-plan` for the others; installed as
 * a command, `/speckit.plan`. Where the layout does not say,
 * `.specify/integration.json`'s separator does (`-` for skills), else `.`.
 */
export function speckitInvocation(
  backend: AgentBackend,
  stage: string,
  setup: SpecKitSetup,
): string {
  const file = setup.files[stage];
  // `-` is the separator Spec Kit records for skills.
  const skills =
    file === undefined ? setup.separator === "-" : file.includes("/skills/");
  if (skills)
    return backend === "codex" ? `$speckit-${stage}` : `/speckit-${stage}`;
  return `/speckit.${stage}`;
}

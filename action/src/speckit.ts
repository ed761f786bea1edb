import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { AgentBackend } from "../../src/workflow/schema.js";
import { SPECKIT_SKILL } from "../../src/workflow/skills.js";

/**
 * How Spec Kit installed a command: as a skill (`SKILL.md` in a folder), a
 * slash command file, a Copilot custom agent, or a prompt file the agent
 * cannot run by name (classic Codex prompts, Copilot prompt files).
 */
export type LayoutKind = "skill" | "command" | "agent" | "prompt";

/** What Spec Kit has set up in the repository. */
export interface SpecKitSetup {
  /** `.specify/` exists. */
  available: boolean;
  /** The integration `.specify/integration.json` names, if any. */
  integration: string | null;
  /** How its commands are named: `/speckit.plan` (`.`) or `/speckit-plan` (`-`). */
  separator: "." | "-" | null;
  /**
   * The Spec Kit commands installed for this backend, read from the layout
   * (Spec Kit's order first, then any others it has, such as `converge`).
   */
  stages: string[];
  /** The file found for each of those commands. */
  files: Record<string, string>;
}

interface Layout {
  kind: LayoutKind;
  /** The folder Spec Kit writes this layout's files into. */
  dir: string;
  /** The command a folder entry holds (`speckit-plan` → `plan`), if any. */
  command: RegExp;
  /** The file to look for in that entry. */
  file(entry: string): string;
}

const skills = (dir: string): Layout => ({
  kind: "skill",
  dir,
  command: /^speckit-([a-z][a-z0-9-]*)$/,
  file: (entry) => `${dir}/${entry}/SKILL.md`,
});
const files = (kind: LayoutKind, dir: string, suffix: string): Layout => ({
  kind,
  dir,
  command: new RegExp(
    `^speckit\\.([a-z][a-z0-9-]*)${suffix.replaceAll(".", "\\.")}$`,
  ),
  file: (entry) => `${dir}/${entry}`,
});

/**
 * Where each agent finds Spec Kit's commands (Spec Kit 1.x and the classic
 * 0.0.90 layouts), in order of preference: what `specify init
 * --integration <key>` writes.
 */
const LAYOUTS: Readonly<Record<Exclude<AgentBackend, "command">, Layout[]>> = {
  claude: [
    skills(".claude/skills"),
    files("command", ".claude/commands", ".md"),
  ],
  codex: [skills(".agents/skills"), files("prompt", ".codex/prompts", ".md")],
  gemini: [files("command", ".gemini/commands", ".toml")],
  copilot: [
    skills(".github/skills"),
    files("agent", ".github/agents", ".agent.md"),
    files("prompt", ".github/prompts", ".prompt.md"),
  ],
};

/** Spec Kit's own order of its commands (`specify init` installs these). */
const SPECKIT_ORDER: readonly string[] = SPECKIT_SKILL.supported_stages;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

async function readIntegration(
  cwd: string,
): Promise<Pick<SpecKitSetup, "integration" | "separator">> {
  try {
    const data = JSON.parse(
      await readFile(join(cwd, ".specify/integration.json"), "utf8"),
    ) as {
      integration?: unknown;
      integration_settings?: Record<string, { invoke_separator?: unknown }>;
    };
    const integration =
      typeof data.integration === "string" ? data.integration : null;
    const configured = integration
      ? data.integration_settings?.[integration]?.invoke_separator
      : undefined;
    const separator =
      configured === "." || configured === "-" ? configured : null;
    return { integration, separator };
  } catch {
    // No integration file: an older Spec Kit, or none.
    return { integration: null, separator: null };
  }
}

function layoutsFor(backend: AgentBackend): Layout[] {
  return backend === "command"
    ? Object.values(LAYOUTS).flat()
    : LAYOUTS[backend];
}

const rank = (command: string) => {
  const index = SPECKIT_ORDER.indexOf(command);
  return index === -1 ? SPECKIT_ORDER.length : index;
};

/**
 * Reads `.specify/`, `.specify/integration.json` and the commands Spec Kit
 * installed for the backend: every command the layout has, not a list of
 * ours, so newer commands (`converge`, `taskstoissues`) are found too.
 */
export async function detectSpecKit(
  cwd: string,
  backend: AgentBackend,
): Promise<SpecKitSetup> {
  const available = (
    await stat(join(cwd, ".specify")).catch(() => null)
  )?.isDirectory();
  const found: Record<string, string> = {};
  for (const layout of layoutsFor(backend)) {
    for (const entry of await entries(join(cwd, layout.dir))) {
      const command = layout.command.exec(entry)?.[1];
      if (command === undefined || command in found) continue;
      const file = layout.file(entry);
      if (await isFile(join(cwd, file))) found[command] = file;
    }
  }
  const stages = Object.keys(found).sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
  return {
    available: available === true,
    ...(await readIntegration(cwd)),
    stages,
    files: Object.fromEntries(stages.map((s) => [s, found[s] as string])),
  };
}

/** How Spec Kit installed the command in `file`. */
export function layoutKind(file: string): LayoutKind {
  for (const layout of Object.values(LAYOUTS).flat()) {
    if (file.startsWith(`${layout.dir}/`)) return layout.kind;
  }
  return "command";
}

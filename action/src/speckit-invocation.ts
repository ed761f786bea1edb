import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AgentBackend } from "../../src/workflow/schema.js";
import { type LayoutKind, layoutKind, type SpecKitSetup } from "./speckit.js";

/** How the agent is told to run a stage's Spec Kit command. */
export interface SkillInvocation {
  /** The prompt given to the agent CLI. */
  prompt: string;
  /** Arguments the invocation adds to the CLI's own (Copilot's `--agent`). */
  args: string[];
  /** How Spec Kit installed the command. */
  kind: LayoutKind;
  /** The command's file, relative to the checkout. */
  file: string;
}

/** Spec Kit's command templates take the user's input where this stands. */
const ARGUMENTS = "$ARGUMENTS";

/** A command file's body: its YAML front matter is for the agent's UI. */
function body(text: string): string {
  const match = /^---\r?\n[\s\S]*?\r?\n---\r?\n/.exec(text);
  return (match ? text.slice(match[0].length) : text).trim();
}

/**
 * A command file the agent CLI cannot run by name (classic Codex prompts:
 * `codex exec` does not expand `/prompts:…`), given as the prompt itself,
 * with the stage's arguments where the template takes them.
 */
async function inlined(cwd: string, file: string, args: string) {
  const text = body(await readFile(join(cwd, file), "utf8"));
  // A function, so `$&` or `$$` in people's text is not a replacement pattern.
  if (text.includes(ARGUMENTS)) return text.replaceAll(ARGUMENTS, () => args);
  return args ? `${text}\n\nUser input:\n\n${args}` : text;
}

/**
 * How the agent runs the stage's Spec Kit command, as Spec Kit itself
 * invokes it (`_invocation_style.py`, `build_exec_args`): a skill as
 * `/speckit-plan` (`$speckit-plan` for Codex), a command as `/speckit.plan`,
 * a Copilot custom agent as `copilot -p "<args>" --agent speckit.plan`, and
 * a prompt file the CLI cannot expand, inlined.
 */
export async function speckitInvocation(options: {
  backend: AgentBackend;
  stage: string;
  setup: SpecKitSetup;
  cwd: string;
  /** The command's arguments (the feature text for `specify`). */
  args: string;
}): Promise<SkillInvocation> {
  const { backend, stage, setup, cwd, args } = options;
  const file = setup.files[stage];
  if (file === undefined) {
    throw new Error(`Spec Kit has no command for '${stage}' here`);
  }
  const kind = layoutKind(file);
  const withArgs = (command: string) => (args ? `${command} ${args}` : command);
  switch (kind) {
    case "skill":
      return {
        prompt: withArgs(`${backend === "codex" ? "$" : "/"}speckit-${stage}`),
        args: [],
        kind,
        file,
      };
    case "command":
      return { prompt: withArgs(`/speckit.${stage}`), args: [], kind, file };
    case "agent":
      if (backend === "copilot") {
        return {
          prompt:
            args ||
            `Run the speckit.${stage} stage for the feature in this repository.`,
          args: ["--agent", `speckit.${stage}`],
          kind,
          file,
        };
      }
      return { prompt: await inlined(cwd, file, args), args: [], kind, file };
    case "prompt":
      return { prompt: await inlined(cwd, file, args), args: [], kind, file };
  }
}

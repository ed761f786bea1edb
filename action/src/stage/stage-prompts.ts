import type { StageRequest } from "../../../src/contracts/stage-request.js";
import type { PromptContext } from "../../../src/workflow/prompt-context.js";
import type { WorkerStartupProfile } from "../preflight.js";
import { fenceUntrusted } from "../prompts/fence-untrusted.js";
import { PROMPT_PACK } from "../prompts/prompt-pack.js";
import { renderPrompt } from "../prompts/render-prompt.js";
import { sanitizeUntrusted } from "../prompts/sanitize.js";
import { speckitInvocation } from "../speckit-invocation.js";

/** A prompt for the agent, and the arguments its invocation adds. */
export interface AgentPrompt {
  prompt: string;
  args: string[];
}

function promptContext(request: StageRequest): PromptContext {
  return {
    feature: request.feature.text,
    issue: request.feature.issue,
    stage: { id: request.stage, name: request.stage_name },
    inputs: request.inputs,
    parameters: request.parameters,
    outputs: request.outputs.map((o) => ({
      name: o.name,
      type: o.type,
      ...(o.path === undefined ? {} : { path: o.path }),
      ...(o.description === undefined ? {} : { description: o.description }),
    })),
    run: {
      id: request.run_id,
      repository: request.repository,
      branch: request.branch,
      base_branch: request.base_branch,
      spec_dir: request.spec_dir,
    },
  };
}

/**
 * What the stage's command is given (its `$ARGUMENTS`): for `specify`, the
 * feature request, fenced as data as on the direct path, since Spec Kit's
 * command takes whatever follows it as the user's own words.
 */
function commandArguments(request: StageRequest): string {
  switch (request.stage) {
    case "specify":
      return sanitizeUntrusted(request.feature.text) === ""
        ? ""
        : fenceUntrusted(request.feature.text, "feature request");
    case "implement":
      return "The implementation is approved: proceed through every task without asking for confirmation.";
    default:
      return "";
  }
}

/** The prompt that runs the stage's skill: Spec Kit's command, or the skill's. */
export async function skillPrompt(
  request: StageRequest,
  profile: WorkerStartupProfile,
  cwd: string,
): Promise<AgentPrompt> {
  const args = commandArguments(request);
  if (request.skill.is_speckit) {
    const invocation = await speckitInvocation({
      backend: request.agent.backend,
      stage: request.stage,
      setup: profile.speckit,
      cwd,
      args,
    });
    return { prompt: invocation.prompt, args: invocation.args };
  }
  const command = `/${request.skill.id} ${request.stage}`;
  return { prompt: args ? `${command} ${args}` : command, args: [] };
}

/** The bundled (or configured) prompt for the stage, if it has one. */
export function directPrompt(request: StageRequest): AgentPrompt | undefined {
  const template = request.prompt ?? PROMPT_PACK[request.stage];
  return template === undefined
    ? undefined
    : {
        prompt: renderPrompt(template, promptContext(request), request.outputs),
        args: [],
      };
}

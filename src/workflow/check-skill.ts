import type { Diagnostic, ValuePath } from "./diagnostic.js";
import { didYouMean } from "./did-you-mean.js";
import type { Stage } from "./schema.js";
import { NO_SKILL, PROMPT_PACK_STAGES, type SkillInfo } from "./skills.js";

/**
 * Checks an agent stage's skill: known, allowlisted, with a command for the
 * stage; and that the stage has a prompt where it may need one (no skill, or
 * a fallback on a stage the bundled prompts do not cover).
 */
export function checkSkill(
  stage: Stage,
  path: ValuePath,
  skills: ReadonlyMap<string, SkillInfo>,
): Diagnostic[] {
  const hasBundledPrompt = (PROMPT_PACK_STAGES as readonly string[]).includes(
    stage.id,
  );
  if (stage.skill === undefined || stage.skill === NO_SKILL) {
    if (stage.prompt === undefined && !hasBundledPrompt) {
      return [
        {
          message: `stage '${stage.id}' needs a skill or a prompt: the bundled prompts cover ${PROMPT_PACK_STAGES.join(", ")}`,
          path: [...path, "id"],
        },
      ];
    }
    return [];
  }
  const at = [...path, "skill"];
  const skill = skills.get(stage.skill);
  if (skill === undefined) {
    return [
      {
        message: `unknown skill '${stage.skill}'${didYouMean(stage.skill, [...skills.keys(), NO_SKILL])}; known skills: ${[...skills.keys()].join(", ")} (add others under skills.catalog)`,
        path: at,
      },
    ];
  }
  if (!skill.allowlisted) {
    return [
      {
        message: `skill '${skill.id}' is not allowlisted (skills.catalog[].allowlisted)`,
        path: at,
      },
    ];
  }
  if (!skill.stages_from_layout && !skill.supported_stages.includes(stage.id)) {
    return [
      {
        message: `skill '${skill.id}' has no command for stage '${stage.id}'; it supports: ${skill.supported_stages.join(", ")}`,
        path: at,
      },
    ];
  }
  if (
    stage.fallback === true &&
    stage.prompt === undefined &&
    !hasBundledPrompt
  ) {
    return [
      {
        message: `fallback needs a prompt: stage '${stage.id}' has none and the bundled prompts cover ${PROMPT_PACK_STAGES.join(", ")}`,
        path: [...path, "fallback"],
      },
    ];
  }
  return [];
}

import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allModelApis, TEST_MODELS } from "../support/model-api/index.js";
import { ownedTempDir } from "../support/model-api/run-cli.js";
import { type Backend, USAGE_PER_ANSWER } from "../support/model-api/script.js";
import type { ModelApi } from "../support/model-api/server.js";
import {
  FEATURE_DIR,
  PLAN,
  SPEC,
  specKitModel,
} from "../support/model-api/spec-kit-model.js";
import { standInEnvironment } from "../support/model-api/stand-in-environment.js";
import {
  type SpecKitLayout,
  specKitLayout,
} from "../support/spec-kit-fixtures.js";
import { SECRET } from "./harness.js";
import {
  layoutRepo,
  runRealStages,
  STAGES,
  STAND_IN_KEY,
} from "./real-action.js";

// The action's run() with the real, pinned agent CLIs, against the model
// API stand-in, in repositories laid out by Spec Kit's own `specify init`
// (the fixtures): each backend takes the default workflow's five stages
// to success on its skill path, the App's part (committing each stage's
// changes) done here. These run in the test process, as root when the
// tests do: the root path of each CLI (the e2e scenarios run them as the
// runner user).

let api: ModelApi;
let scratch: string;

beforeAll(async () => {
  api = await allModelApis().start();
  scratch = await ownedTempDir("specwright-real-agents-");
});

afterAll(async () => {
  await api.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** The line of the stage's Spec Kit command file that names its own hooks. */
function commandSentence(layout: SpecKitLayout, stage: string): string {
  const files: Record<string, string> = {
    claude: `.claude/skills/speckit-${stage}/SKILL.md`,
    codex: `.agents/skills/speckit-${stage}/SKILL.md`,
    gemini: `.gemini/commands/speckit.${stage}.toml`,
    copilot: `.github/skills/speckit-${stage}/SKILL.md`,
    "copilot-cmd": `.github/agents/speckit.${stage}.agent.md`,
  };
  const text = readFileSync(
    join(specKitLayout(layout), files[layout] ?? ""),
    "utf8",
  );
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.includes(`\`hooks.before_${stage}\``));
  if (!line) throw new Error(`no line naming its hooks in ${files[layout]}`);
  return line;
}

describe.each<[Backend, SpecKitLayout]>([
  ["claude", "claude"],
  ["codex", "codex"],
  ["gemini", "gemini"],
  ["copilot", "copilot"],
  ["copilot", "copilot-cmd"],
])("the real %s CLI on Spec Kit's %s layout", (backend, layout) => {
  it("runs the default workflow's stages to success on the skill path", async () => {
    const h = await layoutRepo(layout);
    const env = await standInEnvironment({
      backend,
      url: api.url,
      dir: join(scratch, `${backend}-${layout}`),
    });
    api.use(specKitModel());
    const before = api.requests.length;
    const { results, base } = await runRealStages({
      h,
      backend,
      stages: STAGES,
      env,
    });

    expect(
      results.map((r) => [
        r.stage,
        r.status,
        r.execution_path,
        r.error_message,
      ]),
    ).toEqual(STAGES.map((stage) => [stage, "succeeded", "skill", null]));
    for (const result of results) {
      // One agent run each: the skill did the job.
      expect(result.phases.map((p) => p.phase)).toEqual([
        "preflight",
        "skill",
        "bundle",
      ]);
      // The tokens the CLI reported are the stand-in's, answer by answer.
      const input = result.usage?.input_tokens ?? 0;
      expect(input).toBeGreaterThanOrEqual(USAGE_PER_ANSWER.input_tokens * 2);
      expect(input % USAGE_PER_ANSWER.input_tokens).toBe(0);
    }
    const analyze = results[3];
    expect(analyze?.outputs.critical).toBe(0);
    expect(analyze?.findings).toHaveLength(1);
    expect(base.specDir).toBe(FEATURE_DIR);
    expect(h.git("show", `HEAD:${FEATURE_DIR}/spec.md`)).toBe(SPEC.trimEnd());
    expect(h.git("show", `HEAD:${FEATURE_DIR}/plan.md`)).toBe(PLAN.trimEnd());
    expect(h.git("show", `HEAD:${FEATURE_DIR}/tasks.md`)).toContain(
      "- [X] T001",
    );
    expect(h.git("show", "HEAD:src/theme.css")).toContain("color-scheme");

    const requests = api.requests.slice(before);
    const turns = requests.filter((r) => !r.auxiliary);
    // Its own key, and never another backend's (the harness passes an
    // Anthropic key to every run).
    expect(new Set(turns.map((r) => r.credential))).toEqual(
      new Set([STAND_IN_KEY]),
    );
    expect(requests.some((r) => r.credential === SECRET)).toBe(false);
    expect(new Set(turns.map((r) => r.model))).toEqual(
      new Set([TEST_MODELS[backend]]),
    );
    expect(new Set(turns.map((r) => r.backend))).toEqual(new Set([backend]));
    // Spec Kit's command text reached the model, for every stage.
    for (const stage of STAGES) {
      expect(
        turns.some((r) => r.text.includes(commandSentence(layout, stage))),
        `${stage}: its Spec Kit command's text`,
      ).toBe(true);
    }
  }, 240_000);
});

import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StageResult } from "../../src/contracts/stage-result.js";
import {
  CLASSIC_SCRIPTS,
  classicCommands,
} from "../support/classic-spec-kit.js";
import { allModelApis } from "../support/model-api/index.js";
import { ownedTempDir } from "../support/model-api/run-cli.js";
import type { Backend, Script } from "../support/model-api/script.js";
import type { ModelApi } from "../support/model-api/server.js";
import { specKitModel } from "../support/model-api/spec-kit-model.js";
import { standInEnvironment } from "../support/model-api/stand-in-environment.js";
import { json } from "./harness.js";
import {
  commitBundle,
  layoutRepo,
  runRealStage,
  runRealStages,
  STAGES,
} from "./real-action.js";

// The paths a stage can take, with real agent CLIs: Spec Kit's classic
// layout (its scripts find the feature only through SPECIFY_FEATURE in the
// action's detached checkout), codex's classic prompt files (which
// `codex exec` does not expand), and the fall back from a skill that did
// not do the job, or that the CLI did not run, to Specwright's prompt.

let api: ModelApi;
let scratch: string;

beforeAll(async () => {
  api = await allModelApis().start();
  scratch = await ownedTempDir("specwright-real-paths-");
});

afterAll(async () => {
  await api.stop();
  await rm(scratch, { recursive: true, force: true });
});

const env = (backend: Backend, name: string) =>
  standInEnvironment({ backend, url: api.url, dir: join(scratch, name) });

describe("Spec Kit's classic layout (0.0.90)", () => {
  it("runs every stage once, on its skill: the classic scripts find the feature through SPECIFY_FEATURE", async () => {
    const h = await layoutRepo("classic", {
      ...CLASSIC_SCRIPTS,
      ...classicCommands(".claude/commands"),
    });
    api.use(specKitModel());
    const before = api.requests.length;
    const { results } = await runRealStages({
      h,
      backend: "claude",
      stages: STAGES,
      env: await env("claude", "classic"),
    });
    expect(
      results.map((r) => [
        r.stage,
        r.status,
        r.execution_path,
        r.phases.length,
      ]),
    ).toEqual(STAGES.map((stage) => [stage, "succeeded", "skill", 3]));
    // Each later stage ran the classic script, and it found the feature.
    expect(
      api.requests
        .slice(before)
        .some((r) => r.text.includes('"BRANCH":"001-feature"')),
    ).toBe(true);
    expect(
      api.requests.slice(before).some((r) => r.text.includes("ERROR:")),
    ).toBe(false);
  }, 240_000);

  it("gives codex a classic prompt file's text, which codex exec does not expand", async () => {
    const h = await layoutRepo("classic", {
      ...CLASSIC_SCRIPTS,
      ...classicCommands(".codex/prompts"),
    });
    api.use(specKitModel());
    const before = api.requests.length;
    const { results } = await runRealStages({
      h,
      backend: "codex",
      stages: ["specify", "plan"],
      env: await env("codex", "classic-codex"),
    });
    expect(results.map((r) => [r.stage, r.status, r.execution_path])).toEqual([
      ["specify", "succeeded", "skill"],
      ["plan", "succeeded", "skill"],
    ]);
    const texts = api.requests.slice(before).map((r) => r.text);
    expect(
      texts.some((t) =>
        t.includes("Classic plan command: do the plan stage for that feature."),
      ),
    ).toBe(true);
    expect(texts.some((t) => t.includes("/speckit.plan"))).toBe(false);
  }, 120_000);
});

describe("falling back to Specwright's prompt, with a real CLI", () => {
  it("runs the direct prompt after the skill left its output missing", async () => {
    const h = await layoutRepo("claude");
    api.use(specKitModel({ refuseSkillFor: ["specify"] }));
    const run = await runRealStage({
      h,
      backend: "claude",
      stage: "specify",
      base: { sha: h.git("rev-parse", "HEAD"), specDir: null },
      env: await env("claude", "fallback"),
    });
    const result = json<StageResult>(run.upload, "result.json");
    expect(result).toMatchObject({
      status: "succeeded",
      execution_path: "direct_fallback",
      selected_skill_id: "speckit",
      error_message: null,
    });
    expect(result.phases.map((p) => [p.phase, p.status])).toEqual([
      ["preflight", "succeeded"],
      ["skill", "failed"],
      ["direct_fallback", "succeeded"],
      ["bundle", "succeeded"],
    ]);
    expect(run.log).toContain(
      "specwright: the skill did not do the job (specs/*/spec.md",
    );
  }, 120_000);

  it("does not count a skill Copilot CLI said it did not have as the path taken", async () => {
    const h = await layoutRepo("copilot");
    const model = specKitModel({ loadSkills: false });
    // As the action used to invoke it: the model asks the skill tool for
    // `speckit.specify`, which the skills layout does not have; it carries
    // on without it, and Copilot CLI exits 0.
    const script: Script = (context) =>
      context.request.text.includes("/speckit-specify") &&
      !context.request.text.includes("not found")
        ? [{ skill: "speckit.specify" }]
        : model(context);
    api.use(script);
    const run = await runRealStage({
      h,
      backend: "copilot",
      stage: "specify",
      base: { sha: h.git("rev-parse", "HEAD"), specDir: null },
      env: await env("copilot", "refusal"),
    });
    const result = json<StageResult>(run.upload, "result.json");
    expect(result).toMatchObject({
      status: "succeeded",
      execution_path: "direct_fallback",
    });
    expect(run.log).toContain(
      'the copilot CLI did not run the skill (it said "Skill not found: speckit.specify")',
    );
    await commitBundle(h, run, "specify");
  }, 120_000);
});

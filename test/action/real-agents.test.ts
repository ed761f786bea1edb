import { readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Changes } from "../../src/contracts/changes.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import type { StageResult } from "../../src/contracts/stage-result.js";
import {
  allModelApis,
  CREDENTIAL_INPUTS,
  TEST_MODELS,
} from "../support/model-api/index.js";
import { CLI_BIN, ownedTempDir } from "../support/model-api/run-cli.js";
import type { Backend } from "../support/model-api/script.js";
import { USAGE_PER_ANSWER } from "../support/model-api/script.js";
import type { ModelApi } from "../support/model-api/server.js";
import {
  FEATURE_DIR,
  PLAN,
  SPEC,
  specKitModel,
} from "../support/model-api/spec-kit-model.js";
import { standInEnvironment } from "../support/model-api/stand-in-environment.js";
import {
  installSpecKit,
  type SpecKitLayout,
  specKitLayout,
} from "../support/spec-kit-fixtures.js";
import { type ActionRun, createHarness, json, SECRET } from "./harness.js";

// The action's run() with the real, pinned agent CLIs, against the model
// API stand-in, in repositories laid out by Spec Kit's own `specify init`
// (the fixtures): each backend takes the default workflow's five stages
// to success on its skill path, the App's part (committing each stage's
// changes) done here. These run in the test process, as root when the
// tests do: the root path of each CLI (the e2e scenarios run them as the
// runner user).

const KEY = "sk-stand-in-0123456789abcdef";
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

type Stage = "specify" | "plan" | "tasks" | "analyze" | "implement";
const STAGES: Stage[] = ["specify", "plan", "tasks", "analyze", "implement"];

/** The default workflow's outputs for a stage, with the feature's folder known. */
function outputsOf(stage: Stage, specDir: string | null) {
  const file = (name: string, path: string) => ({
    name,
    type: "file" as const,
    path,
    must_change: true,
    required: true,
  });
  switch (stage) {
    case "specify":
      return [file("spec", "specs/*/spec.md")];
    case "plan":
      return [file("plan", `${specDir}/plan.md`)];
    case "tasks":
    case "implement":
      return [file("tasks", `${specDir}/tasks.md`)];
    case "analyze":
      return [
        {
          name: "report",
          type: "string" as const,
          must_change: false,
          required: true,
        },
        {
          name: "critical",
          type: "number" as const,
          must_change: false,
          required: true,
        },
      ];
  }
}

/** The repository's files from the layout, committed. */
async function layoutRepo(layout: SpecKitLayout) {
  const h = await createHarness({ "README.md": "# Web\n" });
  await installSpecKit(layout, h.repo);
  h.git("add", "-A");
  h.git("commit", "-q", "-m", "specify init");
  return h;
}

/** What the App does with a succeeded stage's bundle: commit its changes. */
function commit(
  h: Awaited<ReturnType<typeof layoutRepo>>,
  run: ActionRun,
  stage: string,
) {
  const changes = json<Changes>(run.upload, "changes.json");
  h.git("reset", "-q", "--hard");
  h.git("clean", "-qfdx");
  return (async () => {
    for (const file of changes.files) {
      const path = join(h.repo, file.path);
      if ("deleted" in file) {
        await rm(path, { force: true });
        continue;
      }
      await mkdir(dirname(path), { recursive: true });
      await writeFile(
        path,
        file.encoding === "base64"
          ? Buffer.from(file.content, "base64")
          : file.content,
      );
    }
    h.git("add", "-A");
    h.git("commit", "-q", "--allow-empty", "-m", `specwright(${stage})`);
    return h.git("rev-parse", "HEAD");
  })();
}

async function runStage(
  h: Awaited<ReturnType<typeof layoutRepo>>,
  backend: Backend,
  stage: Stage,
  base: { sha: string; specDir: string | null },
  env: Record<string, string>,
) {
  const request: StageRequest = h.request({
    stage,
    stage_name: stage,
    base_sha: base.sha,
    spec_dir: base.specDir,
    agent: {
      backend,
      model: TEST_MODELS[backend],
      args: [],
      timeout_minutes: 3,
      prompt_via: "stdin",
    },
    outputs: outputsOf(stage, base.specDir),
    artifact: { name: `specwright-run-${stage}-1`, retention_days: 7 },
  });
  return h.runAction(request, {
    inputs: { [CREDENTIAL_INPUTS[backend]]: KEY },
    env: { PATH: `${CLI_BIN}:${process.env.PATH}`, ...env },
  });
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
    let base = { sha: h.baseSha, specDir: null as string | null };
    base.sha = h.git("rev-parse", "HEAD");
    for (const stage of STAGES) {
      const run = await runStage(h, backend, stage, base, env);
      const result = json<StageResult>(run.upload, "result.json");
      expect({
        stage,
        status: result.status,
        error: result.error_message,
      }).toEqual({ stage, status: "succeeded", error: null });
      expect(result.execution_path, stage).toBe("skill");
      expect(result.phases.map((p) => p.phase)).toEqual([
        "preflight",
        "skill",
        "bundle",
      ]);
      expect(result.usage?.input_tokens, stage).toBeGreaterThanOrEqual(
        USAGE_PER_ANSWER.input_tokens * 2,
      );
      expect(result.usage?.input_tokens! % USAGE_PER_ANSWER.input_tokens).toBe(
        0,
      );
      if (stage === "analyze") {
        expect(result.outputs.critical).toBe(0);
        expect(result.findings).toHaveLength(1);
      }
      base = {
        sha: await commit(h, run, stage),
        specDir: result.spec_dir,
      };
    }
    expect(base.specDir).toBe(FEATURE_DIR);
    expect(h.git("show", `HEAD:${FEATURE_DIR}/spec.md`)).toBe(SPEC.trimEnd());
    expect(h.git("show", `HEAD:${FEATURE_DIR}/plan.md`)).toBe(PLAN.trimEnd());
    expect(h.git("show", `HEAD:${FEATURE_DIR}/tasks.md`)).toContain(
      "- [X] T001",
    );
    expect(h.git("show", "HEAD:src/theme.css")).toContain("color-scheme");

    const requests = api.requests.slice(before);
    const turns = requests.filter((r) => !r.auxiliary);
    // Its own key, and never the other backends' (the harness passes an
    // Anthropic key to every run).
    expect(new Set(turns.map((r) => r.credential))).toEqual(new Set([KEY]));
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

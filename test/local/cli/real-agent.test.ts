import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { LocalRunWorld } from "../../support/local-run-world.js";
import { allModelApis, TEST_MODELS } from "../../support/model-api/index.js";
import { CLI_BIN } from "../../support/model-api/run-cli.js";
import type { ModelApi } from "../../support/model-api/server.js";
import { specKitModel } from "../../support/model-api/spec-kit-model.js";
import { standInEnvironment } from "../../support/model-api/stand-in-environment.js";
import { specKitFiles } from "../../support/spec-kit-fixtures.js";

// `specwright run` with the real, pinned Claude Code CLI against the
// model-API stand-in, in a repository laid out by Spec Kit's own
// `specify init --integration claude`: Spec Kit's commands (the skill
// path) on your machine, as the action runs them on GitHub.

let world: LocalRunWorld | undefined;
let models: ModelApi | undefined;
afterEach(async () => {
  await models?.stop();
  await world?.remove();
});

it("runs the built-in workflow with the real claude CLI through Spec Kit's commands, to succeeded", async () => {
  world = await LocalRunWorld.create({
    "README.md": "# Web\n\nA small web app.\n",
    ...specKitFiles("claude"),
    ".github/specwright.yml": `agent:\n  backend: claude\n  model: ${TEST_MODELS.claude}\n`,
  });
  models = await allModelApis().start();
  models.use(specKitModel());
  const env = {
    ...(await standInEnvironment({
      backend: "claude",
      url: models.url,
      dir: join(world.dir, "agents"),
    })),
    PATH: `${CLI_BIN}:${process.env.PATH ?? ""}`,
    ANTHROPIC_API_KEY: "sk-ant-local-real-agent",
  };

  const first = await world.specwright(
    ["run", "--feature", "Add a dark mode toggle", "--json"],
    { env },
  );
  expect(first.stderr).not.toMatch(/at .*\.ts:\d+/);
  expect(first.code).toBe(0);
  const events = first.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const runId = events[0]?.run_id as string;
  expect(events.at(-1)).toMatchObject({
    event: "gate_waiting",
    stage: "implement",
  });

  const second = await world.specwright(["approve", runId.slice(0, 8)], {
    env,
  });
  expect(second.code).toBe(0);
  const metadata = await world.metadata(runId);
  expect(metadata.status).toBe("succeeded");
  for (const stage of metadata.state.stages) {
    const attempt = stage.attempts.at(-1);
    // Spec Kit's own command for every stage, by the real CLI.
    expect(attempt, stage.id).toMatchObject({
      status: "succeeded",
      execution_path: "skill",
      selected_skill: "speckit",
    });
    expect(attempt?.agent_version).toMatch(/^2\.1\.197/);
  }
  expect((await world.runCommits(runId)).map((c) => c.stage)).toEqual([
    "specify",
    "plan",
    "tasks",
    "implement",
  ]);
  const workspace = join(world.repo, ".specwright/runs", runId, "workspace");
  expect(
    await readFile(join(workspace, "specs/001-feature/tasks.md"), "utf8"),
  ).toContain("[X]");
}, 300_000);

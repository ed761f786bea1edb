import { afterEach, describe, expect, it } from "vitest";
import {
  CLASSIC_SCRIPTS,
  classicCommands,
} from "../support/classic-spec-kit.js";
import { AGENT_KEY, World } from "../support/e2e-world.js";
import { TEST_MODELS } from "../support/model-api/index.js";
import type { Backend } from "../support/model-api/script.js";
import { FEATURE_DIR } from "../support/model-api/spec-kit-model.js";
import type { SpecKitLayout } from "../support/spec-kit-fixtures.js";

// The whole loop with each real agent CLI: the App (its own process), the
// simulated GitHub and its runner, the committed action bundle, and the
// pinned agent CLI itself — run as the unprivileged `runner` user, as on a
// GitHub-hosted runner — talking to the model-API stand-in, in a
// repository laid out by Spec Kit's own `specify init`.

const TIMEOUT = 300_000;

/** A world with the real agent, its repository, the App, and `/specify` commented. */
async function specify(
  realAgent: { backend: Backend; layout: SpecKitLayout },
  files: Record<string, string> = {},
) {
  const w = await World.create({ realAgent });
  const repo = await w.repository("acme/web", { files });
  await w.startApp();
  const issue = w.sim.openIssue(repo, {
    title: "Dark mode",
    body: "Users want a dark mode that follows the system setting.",
    user: "alice",
  });
  w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
  await w
    .until("implement to wait for approval", () => w.gateWaiting(repo), 180_000)
    .catch(async (error: unknown) => {
      await w.close();
      throw error;
    });
  return { w, repo };
}
const STAGES = ["specify", "plan", "tasks", "analyze", "implement"];

describe.each<[Backend, SpecKitLayout]>([
  ["claude", "claude"],
  ["codex", "codex"],
  ["gemini", "gemini"],
  ["copilot", "copilot"],
])("end to end with the real %s CLI (%s layout)", (backend, layout) => {
  let world: World | undefined;

  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it(
    "/specify runs every stage to the pull request; the label runs implement; the run succeeds",
    async () => {
      const { w, repo } = await specify({ backend, layout });
      world = w;
      const [pull] = w.sim.pulls(repo);
      expect(pull?.pull?.state).toBe("open");
      w.sim.label(repo, pull?.number ?? 0, "specwright:implement", "bob");
      const [run] = await (async () => {
        await w.until(
          "the run to end",
          async () =>
            w.sim
              .checkRunsOf(repo)
              .some(
                (c) =>
                  c.name === "Specwright: Implement" &&
                  c.status === "completed",
              ),
          120_000,
        );
        return w.runs();
      })();

      expect(run?.status, JSON.stringify(w.problems())).toBe("succeeded");
      expect(
        run?.stages.map((s) => [
          s.id,
          s.status,
          s.attempts.at(-1)?.execution_path,
        ]),
      ).toEqual(STAGES.map((id) => [id, "succeeded", "skill"]));
      for (const stage of run?.stages ?? []) {
        expect(
          stage.attempts.at(-1)?.usage?.input_tokens,
          stage.id,
        ).toBeGreaterThan(0);
      }
      const files = await repo.git.text([
        "ls-tree",
        "-r",
        "--name-only",
        run?.branch ?? "",
      ]);
      for (const file of ["spec.md", "plan.md", "tasks.md"])
        expect(files).toContain(`${FEATURE_DIR}/${file}`);
      expect(files).toContain("src/theme.css");

      // Only the repository's secret for this backend reached the model,
      // and only the model the configuration names was asked.
      const turns = w.models?.turns() ?? [];
      expect(turns.length).toBeGreaterThanOrEqual(STAGES.length * 3);
      expect(new Set(turns.map((r) => r.credential))).toEqual(
        new Set([AGENT_KEY]),
      );
      expect(new Set(turns.map((r) => r.model))).toEqual(
        new Set([TEST_MODELS[backend]]),
      );
      const logs = [...w.sim.workflowRuns.values()].map((r) => r.log);
      expect(logs.join("\n")).not.toContain(AGENT_KEY);
      // The step that lets codex's sandbox start runs for codex alone (the
      // simulated runner skips a step's shell; its `if:` is what counts).
      expect(
        logs.some((log) =>
          log.includes("##[debug]Skipping 'Let the codex sandbox start'"),
        ),
      ).toBe(backend !== "codex");
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );
});

describe("end to end on Spec Kit's classic layout (0.0.90), with the real claude CLI", () => {
  let world: World | undefined;

  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it(
    "runs each stage once, on its skill: the classic scripts find the feature in the job's detached checkout",
    async () => {
      const { w } = await specify(
        { backend: "claude", layout: "classic" },
        { ...CLASSIC_SCRIPTS, ...classicCommands(".claude/commands") },
      );
      world = w;
      const [run] = await w.runs();
      expect(
        run?.stages
          .slice(0, 4)
          .map((s) => [s.id, s.status, s.attempts.at(-1)?.execution_path]),
      ).toEqual([
        ["specify", "succeeded", "skill"],
        ["plan", "succeeded", "skill"],
        ["tasks", "succeeded", "skill"],
        ["analyze", "succeeded", "skill"],
      ]);
      const texts = (w.models?.requests ?? []).map((r) => r.text);
      // The scripts ran, found the feature, and never refused.
      expect(texts.some((t) => t.includes('"BRANCH":"001-feature"'))).toBe(
        true,
      );
      expect(texts.some((t) => t.includes("Not on a feature branch"))).toBe(
        false,
      );
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );
});

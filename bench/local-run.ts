// `npm run bench` (part): Specwright's own overhead per stage of a local
// run — everything but the agent's time — with a no-op agent that writes
// one file. A linear workflow of STAGES stages runs in a temporary
// repository through the real driver (engine, run folder, the action's
// stage runner, collection and commit); each stage runs alone, so in the
// run's workspace/ itself.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/load-config.js";
import { driveRun } from "../src/local/drive/drive-run.js";
import { readRunMetadata } from "../src/local/run-folder/index.js";
import { startLocalRun } from "../src/local/start/start-local-run.js";

const STAGES = 12;
const RUNS = 3;

function workflowYaml(stages: number): string {
  const lines = [
    "agent:",
    "  backend: command",
    `  command: sh -c 'echo $SPECWRIGHT_STAGE > $SPECWRIGHT_STAGE.txt'`,
    "workflow:",
    "  name: Overhead",
    "  stages:",
  ];
  for (let i = 1; i <= stages; i++) {
    lines.push(
      `    - id: s${i}`,
      ...(i > 1 ? [`      depends_on: [s${i - 1}]`] : []),
      "      prompt: Write your stage's file.",
    );
  }
  return `${lines.join("\n")}\n`;
}

async function repository(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "specwright-bench-local-"));
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "--quiet", "--initial-branch=main");
  git("config", "user.name", "Bench");
  git("config", "user.email", "bench@example.com");
  await writeFile(join(dir, "README.md"), "# bench\n");
  git("add", ".");
  git("commit", "--quiet", "-m", "init");
  return dir;
}

/** Per stage: the attempt's wall time (dispatch to collected) less the agent's own. */
export async function measureLocalOverhead(): Promise<{
  overheads: number[];
  agent: number[];
}> {
  const text = workflowYaml(STAGES);
  const checked = loadConfig(text);
  if (!checked.ok) throw new Error("benchmark workflow is invalid");
  const overheads: number[] = [];
  const agent: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const repo = await repository();
    try {
      const { paths, metadata } = await startLocalRun({
        repoRoot: repo,
        config: checked.config,
        workflow: checked.workflow,
        workflowText: text,
        feature: "Measure the overhead",
        parameters: {},
        by: "bench",
        now: new Date(),
      });
      const collected = new Map<string, number>();
      const dispatched = new Map<string, number>();
      await driveRun(
        {
          paths,
          metadata,
          concurrency: 1,
          env: process.env,
          now: () => new Date(),
          by: "bench",
          onChange: (before, after) => {
            for (const stage of after.stages) {
              const was = before?.stages.find((s) => s.id === stage.id);
              if (stage.status === "dispatched" && was?.status !== "dispatched")
                dispatched.set(stage.id, performance.now());
              if (stage.status === "succeeded" && was?.status !== "succeeded")
                collected.set(stage.id, performance.now());
            }
          },
          onNote: () => undefined,
          interrupt: new AbortController().signal,
        },
        [{ type: "start", at: new Date().toISOString() }],
      );
      const done = await readRunMetadata(paths);
      if (done.status !== "succeeded")
        throw new Error(`benchmark run ended ${done.status}`);
      for (const stage of done.state.stages) {
        const metrics = JSON.parse(
          await readFile(
            join(
              paths.steps,
              done.steps[`${stage.id}#1`] as string,
              "metrics.json",
            ),
            "utf8",
          ),
        ) as { agent_duration_ms: number };
        const agentMs = metrics.agent_duration_ms;
        const wall =
          (collected.get(stage.id) ?? 0) - (dispatched.get(stage.id) ?? 0);
        agent.push(agentMs);
        overheads.push(wall - agentMs);
      }
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  }
  return { overheads, agent };
}

// `specwright run` and `specwright runs` as people use them: the real CLI
// as its own process, in a temporary repository, with the scripted Spec Kit
// agent first on PATH. A run costs seconds, so each scenario runs once (in
// `beforeAll`) and the tests check it from every side.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROMPT_PACK_VERSION } from "../../../src/contracts/stage-request.js";
import { StageResult } from "../../../src/contracts/stage-result.js";
import type { Attempt } from "../../../src/engine/run-state.js";
import {
  formatClock,
  formatDateTime,
  formatDuration,
  type ProgressEvent,
} from "../../../src/local/progress/index.js";
import type { RunMetadata } from "../../../src/local/run-folder/index.js";
import {
  type CliResult,
  LocalRunWorld,
} from "../../support/local-run-world.js";

/** What the scripted agent reports for every stage. */
const USAGE = {
  input_tokens: 1200,
  output_tokens: 340,
  cost_usd: 0.0123,
  turns: 4,
};
const PLAIN_USAGE = "1,540 tokens, $0.0123, 4 turns";
const DETAIL_USAGE = "1,540 tokens · $0.0123 · 4 turns";
const STAGES = ["specify", "plan", "tasks", "analyze", "implement"];
/** The stages whose agent changes files, so they commit. */
const COMMITTING = ["specify", "plan", "tasks", "implement"];
const NAMES: Record<string, string> = {
  specify: "Specify",
  plan: "Plan",
  tasks: "Tasks",
  analyze: "Analyze",
  implement: "Implement",
};
const USER = userInfo().username;

/** A scenario's run: what `run` and the command that went on said. */
interface Scenario {
  id: string;
  short: string;
  feature: string;
  run: CliResult;
  approve: CliResult;
  metadata: RunMetadata;
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

function attemptOf(metadata: RunMetadata, stage: string): Attempt {
  const found = metadata.state.stages.find((s) => s.id === stage)?.attempts[0];
  if (found === undefined) throw new Error(`${stage} has no attempt`);
  return found;
}

function took(from: string | null, to: string | null): number {
  return Date.parse(to ?? "") - Date.parse(from ?? "");
}

/** The commits of a branch after main, oldest first, with every trailer. */
async function branchCommits(world: LocalRunWorld, branch: string) {
  const out = await world.git(
    "log",
    "--reverse",
    "--format=%H%x1f%s%x1f%(trailers:key=Specwright-Run,valueonly)%x1f%(trailers:key=Specwright-Stage,valueonly)%x1f%(trailers:key=Specwright-Attempt,valueonly)%x1e",
    branch,
    "^main",
  );
  return out
    .split("\x1e")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [sha, subject, run, stage, attempt] = entry
        .split("\x1f")
        .map((field) => field.trim());
      return { sha, subject, run, stage, attempt };
    });
}

/** `runs`'s table: each row's cells, read at the header's columns. */
function readTable(text: string): { header: string; rows: string[][] } {
  const [header = "", ...rows] = lines(text);
  const titles = ["ID", "STATUS", "STAGE", "STARTED", "DURATION", "FEATURE"];
  const starts = titles.map((title) => header.indexOf(title));
  return {
    header,
    rows: rows.map((row) =>
      starts.map((start, i) =>
        row.slice(start, starts[i + 1] ?? row.length).trim(),
      ),
    ),
  };
}

describe("the built-in workflow, run here without a terminal", () => {
  let world: LocalRunWorld;
  let repoRoot: string;
  let initial: string;
  let plain: Scenario;
  let json: Scenario;
  let failed: { id: string; short: string; run: CliResult };
  let failedMetadata: RunMetadata;
  let startedAt: number;
  let endedAt: number;

  async function scenario(
    feature: string,
    run: CliResult,
    approve: (short: string) => Promise<CliResult>,
    id: string,
  ): Promise<Scenario> {
    const short = id.slice(0, 8);
    const approved = await approve(short);
    return {
      id,
      short,
      feature,
      run,
      approve: approved,
      metadata: await world.metadata(id),
    };
  }

  beforeAll(async () => {
    world = await LocalRunWorld.create();
    repoRoot = (await world.git("rev-parse", "--show-toplevel")).trim();
    initial = (await world.git("rev-parse", "HEAD")).trim();
    // A third run whose agent refuses `specify`, told by its own file so
    // the other two go on as usual beside it.
    const refusing = join(world.dir, "refusing-agent.json");
    await writeFile(refusing, JSON.stringify({ "local/repo:specify": "fail" }));
    startedAt = Date.now();
    // Three runs of one repository side by side, as people start them.
    const [plainRun, jsonRun, failedRun] = await Promise.all([
      world.specwright(["run", "--feature", "Add a dark mode toggle"]),
      world.specwright([
        "run",
        "--json",
        "--feature",
        "Export invoices as CSV",
      ]),
      world.specwright(["run", "--feature", "Break the build"], {
        env: { SPECWRIGHT_E2E_AGENT: refusing },
      }),
    ]);
    const jsonId = (
      JSON.parse(lines(jsonRun.stdout)[0] ?? "{}") as ProgressEvent
    ).run_id;
    [plain, json] = await Promise.all([
      scenario(
        "Add a dark mode toggle",
        plainRun,
        (short) => world.specwright(["approve", short]),
        LocalRunWorld.runId(plainRun.stderr),
      ),
      scenario(
        "Export invoices as CSV",
        jsonRun,
        (short) => world.specwright(["approve", "--json", short]),
        jsonId,
      ),
    ]);
    const failedId = LocalRunWorld.runId(failedRun.stderr);
    failed = { id: failedId, short: failedId.slice(0, 8), run: failedRun };
    failedMetadata = await world.metadata(failedId);
    endedAt = Date.now();
  }, 120_000);

  afterAll(async () => {
    await world?.remove();
  });

  it("stops at the implement gate, exit 0, saying how to approve", () => {
    const { run, id, short } = plain;
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      [
        "specwright: no .github/specwright.yml in the repository; using the built-in workflow",
        `specwright: run ${id} in ${repoRoot}/.specwright/runs/${id}`,
        `Run ${short} is waiting for approval of implement: specwright approve ${short} implement (or specwright reject ${short} implement).`,
        "",
      ].join("\n"),
    );
  });

  it("prints one line per event, at the time the run recorded", () => {
    const { run, approve, metadata, short } = plain;
    const state = metadata.state;
    const at = (iso: string | null) => formatClock(iso ?? "");
    const stageLines = (stage: string) => {
      const attempt = attemptOf(metadata, stage);
      const commit =
        attempt.commit_sha === null
          ? ""
          : `, commit ${attempt.commit_sha.slice(0, 8)}`;
      return [
        `${at(attempt.started_at)} ${stage}: started (attempt 1)`,
        `${at(attempt.completed_at)} ${stage}: succeeded in ${formatDuration(took(attempt.started_at, attempt.completed_at))}, ${PLAIN_USAGE}${commit}`,
      ];
    };

    expect(lines(run.stdout)).toStrictEqual([
      `${at(state.started_at)} run ${short} started: Spec Kit (5 stages) on ${state.branch} — Add a dark mode toggle`,
      ...["specify", "plan", "tasks", "analyze"].flatMap(stageLines),
      // The gate waits from the moment analyze was done.
      `${at(attemptOf(metadata, "analyze").completed_at)} implement: waiting for approval — run: specwright approve ${short} implement (or: specwright reject ${short} implement)`,
    ]);
    expect(lines(approve.stdout)).toStrictEqual([
      ...stageLines("implement"),
      `${at(state.completed_at)} run succeeded in ${formatDuration(took(state.started_at, state.completed_at))}: Every stage finished`,
    ]);
  });

  it("goes on to succeeded when approved by its short id, exit 0", () => {
    const { approve, metadata, short } = plain;
    expect(approve.code).toBe(0);
    expect(approve.stderr).toBe(
      `Run ${short} succeeded: Every stage finished. Branch ${metadata.branch}, checked out in ${metadata.workspace}.\n`,
    );
    expect(metadata.state.status).toBe("succeeded");
    expect(metadata.state.result_summary).toBe("Every stage finished");
    expect(
      metadata.state.stages.map((s) => [s.id, s.status, s.attempts.length]),
    ).toStrictEqual(STAGES.map((stage) => [stage, "succeeded", 1]));
    const implement = metadata.state.stages.find((s) => s.id === "implement");
    expect(implement?.approved_by).toBe(USER);
  });

  it("keeps the run in metadata.json, field by field", () => {
    const { metadata, id } = plain;
    const created = Date.parse(metadata.created_at);

    expect(metadata).toMatchObject({
      format: 1,
      id,
      feature: "Add a dark mode toggle",
      workflow_name: "Spec Kit",
      status: "succeeded",
      parameters: {},
      agent: {
        backend: "claude",
        model: null,
        prompt_pack_version: PROMPT_PACK_VERSION,
        runtime_env: {},
      },
      repository_root: repoRoot,
      base_branch: "main",
      workspace: `${repoRoot}/.specwright/runs/${id}/workspace`,
      steps: {
        "specify#1": "01_specify",
        "plan#1": "02_plan",
        "tasks#1": "03_tasks",
        "analyze#1": "04_analyze",
        "implement#1": "05_implement",
      },
    });
    const today = new Date(metadata.created_at)
      .toISOString()
      .slice(0, 10)
      .replaceAll("-", "");
    expect(metadata.branch).toMatch(
      new RegExp(`^speckit/${today}/[0-9a-f]{6}$`),
    );
    expect(metadata.state.branch).toBe(metadata.branch);
    expect(metadata.state.base_sha).toBe(initial);
    // The run starts when it is made; it ends after its last stage, and the
    // file was written last of all.
    expect(metadata.started_at).toBe(metadata.created_at);
    expect(created).toBeGreaterThanOrEqual(startedAt);
    expect(Date.parse(metadata.completed_at ?? "")).toBeGreaterThan(created);
    expect(metadata.completed_at).toBe(metadata.state.completed_at);
    expect(Date.parse(metadata.updated_at)).toBeGreaterThanOrEqual(
      Date.parse(metadata.completed_at ?? ""),
    );
    expect(Date.parse(metadata.updated_at)).toBeLessThanOrEqual(endedAt);
  });

  it("keeps the workflow as it ran in workflow_snapshot.yml", async () => {
    const text = await readFile(
      join(repoRoot, ".specwright/runs", plain.id, "workflow_snapshot.yml"),
      "utf8",
    );
    const snapshot = parse(text) as {
      workflow: { name: string; stages: { id: string; type: string }[] };
    };

    expect(text.split("\n")[0]).toBe(
      "# The built-in workflow (no .github/specwright.yml), as this run used it.",
    );
    expect(snapshot.workflow.name).toBe("Spec Kit");
    expect(
      snapshot.workflow.stages.map((s) => `${s.id}:${s.type}`),
    ).toStrictEqual([
      "specify:agent",
      "plan:agent",
      "tasks:agent",
      "analyze:agent",
      "implement:agent",
    ]);
  });

  it("keeps each attempt's result, logs, environment and outputs in steps/", async () => {
    const { id, metadata } = plain;
    const runFolder = join(repoRoot, ".specwright/runs", id);
    const specDir = "specs/001-add-a-dark-mode";
    const outputs: Record<string, Record<string, string>> = {
      specify: { "spec.md": `${specDir}/spec.md` },
      plan: { "plan.md": `${specDir}/plan.md` },
      tasks: { "tasks.md": `${specDir}/tasks.md` },
      analyze: {},
      implement: { "tasks.md": `${specDir}/tasks.md` },
    };

    expect((await readdir(join(runFolder, "steps"))).sort()).toStrictEqual(
      Object.values(metadata.steps),
    );
    expect(metadata.state.spec_dir).toBe(specDir);
    for (const [index, stage] of STAGES.entries()) {
      const step = join(runFolder, "steps", `0${index + 1}_${stage}`);
      const result = StageResult.parse(
        JSON.parse(await readFile(join(step, "result.json"), "utf8")),
      );
      const attempt = attemptOf(metadata, stage);
      expect(result).toMatchObject({
        run_id: id,
        stage,
        attempt: 1,
        status: "succeeded",
        // No Spec Kit in the repository: the stage's own prompt ran.
        execution_path: "direct_only",
        selected_skill_id: null,
        spec_dir: specDir,
        error_message: null,
        usage: USAGE,
        agent: {
          backend: "claude",
          version: "claude 2.0.0 (Specwright e2e agent)",
        },
      });
      expect(attempt.execution_path).toBe("direct_only");
      expect(attempt.outputs).toStrictEqual(result.outputs);

      const stdout = await readFile(join(step, "stdout.log"), "utf8");
      expect(JSON.parse(stdout)).toMatchObject({
        type: "result",
        is_error: false,
        usage: { input_tokens: 1200, output_tokens: 340 },
      });
      expect(await readFile(join(step, "stderr.log"), "utf8")).toBe("");
      const environment = JSON.parse(
        await readFile(join(step, "environment.json"), "utf8"),
      ) as { agent: Record<string, unknown> };
      expect(environment.agent).toStrictEqual({
        backend: "claude",
        executable: "claude",
        path: join(world.bin, "claude"),
        version: "claude 2.0.0 (Specwright e2e agent)",
      });

      // Each file output as the stage left it in its commit.
      const files = await readdir(join(step, "outputs"));
      if (stage === "analyze") {
        expect(files.sort()).toStrictEqual(["critical.txt", "report.txt"]);
        expect(await readFile(join(step, "outputs/critical.txt"), "utf8")).toBe(
          "0\n",
        );
        continue;
      }
      expect(files).toStrictEqual(Object.keys(outputs[stage] ?? {}));
      for (const [name, path] of Object.entries(outputs[stage] ?? {})) {
        expect(await readFile(join(step, "outputs", name), "utf8")).toBe(
          await world.git("show", `${attempt.commit_sha}:${path}`),
        );
      }
    }
  });

  it("commits each stage that changed files, with the attempt in its trailers", async () => {
    const { id, metadata, feature } = plain;
    const commits = await branchCommits(world, metadata.branch);

    expect(commits.map(({ sha: _, ...rest }) => rest)).toStrictEqual(
      COMMITTING.map((stage) => ({
        subject: `specwright(${stage}): ${NAMES[stage]} for "${feature}"`,
        run: id,
        stage,
        attempt: "1",
      })),
    );
    expect(commits.map((c) => c.sha)).toStrictEqual(
      COMMITTING.map((stage) => attemptOf(metadata, stage).commit_sha),
    );
    // analyze only reports: nothing to commit.
    expect(attemptOf(metadata, "analyze").commit_sha).toBeNull();
    expect(metadata.state.head_sha).toBe(commits.at(-1)?.sha);
    expect(await world.runCommits(id)).toHaveLength(4);
  });

  it("checks the run's branch out in workspace/, a git worktree", async () => {
    const { metadata } = plain;
    const inWorkspace = (...args: string[]) =>
      world.git("-C", metadata.workspace, ...args).then((s) => s.trim());

    expect(await inWorkspace("rev-parse", "--abbrev-ref", "HEAD")).toBe(
      metadata.branch,
    );
    expect(await inWorkspace("rev-parse", "HEAD")).toBe(
      metadata.state.head_sha,
    );
    expect(
      await inWorkspace(
        "rev-parse",
        "--path-format=absolute",
        "--git-common-dir",
      ),
    ).toBe(join(repoRoot, ".git"));
    expect(await inWorkspace("status", "--porcelain")).toBe("");
    expect(
      await readFile(
        join(metadata.workspace, "specs/001-add-a-dark-mode/tasks.md"),
        "utf8",
      ),
    ).toContain("- [X] T001");
  });

  it("leaves the main worktree as it was, with .specwright/ excluded", async () => {
    expect((await world.git("rev-parse", "HEAD")).trim()).toBe(initial);
    expect((await world.git("branch", "--show-current")).trim()).toBe("main");
    expect(await world.git("status", "--porcelain")).toBe("");
    expect((await readdir(repoRoot)).sort()).toStrictEqual([
      ".git",
      ".specwright",
      "README.md",
    ]);
    const exclude = await readFile(join(repoRoot, ".git/info/exclude"), "utf8");
    expect(lines(exclude)).toContain("/.specwright/");
  });

  it("--json: one event per line, each field from the run's record", () => {
    const { run, approve, metadata, id, short } = json;
    const state = metadata.state;
    const stageEvents = (stage: string): ProgressEvent[] => {
      const attempt = attemptOf(metadata, stage);
      return [
        {
          event: "stage_started",
          run_id: id,
          at: attempt.started_at ?? "",
          stage,
          attempt: 1,
        },
        {
          event: "stage_completed",
          run_id: id,
          at: attempt.completed_at ?? "",
          stage,
          attempt: 1,
          status: "succeeded",
          duration_ms: took(attempt.started_at, attempt.completed_at),
          commit: attempt.commit_sha,
          usage: USAGE,
        },
      ];
    };
    const before: ProgressEvent[] = [
      {
        event: "run_started",
        run_id: id,
        at: state.started_at ?? "",
        feature: "Export invoices as CSV",
        workflow: "Spec Kit",
        branch: state.branch,
        stages: STAGES,
      },
      ...["specify", "plan", "tasks", "analyze"].flatMap(stageEvents),
      {
        event: "gate_waiting",
        run_id: id,
        at: attemptOf(metadata, "analyze").completed_at ?? "",
        stage: "implement",
        approve: `specwright approve ${short} implement`,
        reject: `specwright reject ${short} implement`,
      },
    ];
    const after: ProgressEvent[] = [
      ...stageEvents("implement"),
      {
        event: "run_completed",
        run_id: id,
        at: state.completed_at ?? "",
        status: "succeeded",
        summary: "Every stage finished",
        duration_ms: took(state.started_at, state.completed_at),
      },
    ];

    expect(run.code).toBe(0);
    expect(approve.code).toBe(0);
    expect(run.stdout.endsWith("\n")).toBe(true);
    expect(lines(run.stdout).map((l) => JSON.parse(l))).toStrictEqual(before);
    expect(lines(approve.stdout).map((l) => JSON.parse(l))).toStrictEqual(
      after,
    );
    // The same keys in the same order on every line, for diffable logs.
    expect(lines(run.stdout)).toStrictEqual(
      before.map((e) => JSON.stringify(e)),
    );
    expect(lines(approve.stdout)).toStrictEqual(
      after.map((e) => JSON.stringify(e)),
    );
    // The commits named are the branch's, a stage that changed nothing none.
    expect(
      before
        .filter((e) => e.event === "stage_completed")
        .map((e) => e.commit === null),
    ).toStrictEqual([false, false, false, true]);
    // Nothing for people on stderr but the configuration in use.
    expect(run.stderr).toBe(
      "specwright: no .github/specwright.yml in the repository; using the built-in workflow\n",
    );
    expect(approve.stderr).toBe("");
  });

  it("a refused stage fails the run, exit 1, and says where to look", () => {
    const { run, short } = failed;
    const specify = failedMetadata.state.stages[0];

    expect(run.code).toBe(1);
    expect(lines(run.stderr).at(-1)).toBe(
      `Run ${short} failed: ${failedMetadata.state.result_summary}. \`specwright runs ${short} --logs\` shows what happened; \`specwright resume ${short}\` runs what did not finish again.`,
    );
    expect(failedMetadata.status).toBe("failed");
    expect(specify?.attempts.map((a) => a.status)).toStrictEqual(["failed"]);
    expect(specify?.attempts[0]?.error_message).toContain(
      "the model refused the specify stage",
    );
    expect(failedMetadata.state.stages.map((s) => s.status)).toStrictEqual([
      "failed",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
    ]);
  });

  describe("specwright runs", () => {
    let list: CliResult;
    let listJson: CliResult;
    let onlyFailed: CliResult;
    let detail: CliResult;
    let planLogs: CliResult;

    beforeAll(async () => {
      [list, listJson, onlyFailed, detail, planLogs] = await Promise.all([
        world.specwright(["runs"]),
        world.specwright(["runs", "--json"]),
        world.specwright(["runs", "--status", "failed"]),
        world.specwright(["runs", plain.short]),
        world.specwright(["runs", plain.short, "--logs", "--stage", "plan"]),
      ]);
    }, 60_000);

    /** The three runs, newest first. */
    function newestFirst(): RunMetadata[] {
      return [plain.metadata, json.metadata, failedMetadata].sort(
        (a, b) =>
          Date.parse(b.created_at) - Date.parse(a.created_at) ||
          a.id.localeCompare(b.id),
      );
    }

    const lastStage = (run: RunMetadata) =>
      run.status === "failed" ? "specify" : "implement";

    it("lists every run in a table, newest first", () => {
      const table = readTable(list.stdout);

      expect(list.code).toBe(0);
      expect(list.stderr).toBe("");
      expect(table.header.split(/\s+/)).toStrictEqual([
        "ID",
        "STATUS",
        "STAGE",
        "STARTED",
        "DURATION",
        "FEATURE",
      ]);
      expect(table.rows).toStrictEqual(
        newestFirst().map((run) => [
          run.id.slice(0, 8),
          run.status,
          lastStage(run),
          formatDateTime(run.started_at ?? ""),
          formatDuration(took(run.started_at, run.completed_at)),
          run.feature,
        ]),
      );
    });

    it("--json: every run with its branch and workspace", () => {
      expect(listJson.code).toBe(0);
      expect(JSON.parse(listJson.stdout)).toStrictEqual(
        newestFirst().map((run) => ({
          id: run.id,
          feature: run.feature,
          workflow_name: "Spec Kit",
          status: run.status,
          created_at: run.created_at,
          started_at: run.started_at,
          completed_at: run.completed_at,
          stage: lastStage(run),
          branch: run.branch,
          workspace: run.workspace,
        })),
      );
    });

    it("--status failed: only the failed run", () => {
      expect(onlyFailed.code).toBe(0);
      expect(readTable(onlyFailed.stdout).rows).toStrictEqual([
        [
          failed.short,
          "failed",
          "specify",
          formatDateTime(failedMetadata.started_at ?? ""),
          formatDuration(
            took(failedMetadata.started_at, failedMetadata.completed_at),
          ),
          "Break the build",
        ],
      ]);
    });

    it("<id>: the run, each stage and attempt, and the step folders", () => {
      const { metadata, id } = plain;
      const state = metadata.state;
      const folder = `${repoRoot}/.specwright/runs/${id}`;
      const attemptLine = (stage: string) => {
        const attempt = attemptOf(metadata, stage);
        const commit =
          attempt.commit_sha === null
            ? ""
            : `  commit ${attempt.commit_sha.slice(0, 8)}`;
        return `    attempt 1  succeeded  via the direct prompt  ${formatDuration(took(attempt.started_at, attempt.completed_at))}  ${DETAIL_USAGE}${commit}`;
      };

      expect(detail.code).toBe(0);
      expect(detail.stdout).toBe(
        [
          `Run ${id}`,
          "  Feature:   Add a dark mode toggle",
          "  Workflow:  Spec Kit",
          "  Status:    succeeded — Every stage finished",
          `  Branch:    ${state.branch}`,
          `  Started:   ${formatDateTime(state.started_at ?? "", true)}`,
          `  Duration:  ${formatDuration(took(state.started_at, state.completed_at))}`,
          `  Folder:    ${folder}`,
          "",
          "Stages",
          ...STAGES.flatMap((stage, i) => [
            `  ✓ ${stage}  succeeded${stage === "implement" ? ` — approved by ${USER}` : ""}`,
            attemptLine(stage),
            `      steps: ${folder}/steps/0${i + 1}_${stage}`,
          ]),
          "",
        ].join("\n"),
      );
    });

    it("<id> --logs --stage plan: the detail, then only plan's logs", async () => {
      const step = join(
        repoRoot,
        ".specwright/runs",
        plain.id,
        "steps/02_plan",
      );
      const log = async (name: string) =>
        (await readFile(join(step, name), "utf8")).trimEnd();

      expect(planLogs.code).toBe(0);
      expect(planLogs.stdout).toBe(
        [
          detail.stdout,
          "==> steps/02_plan/specwright.log <==\n",
          `${await log("specwright.log")}\n\n`,
          "==> steps/02_plan/stdout.log <==\n",
          `${await log("stdout.log")}\n\n`,
        ].join(""),
      );
      expect(await log("specwright.log")).toContain("plan attempt 1");
    });
  });
});

describe("a diamond workflow: the middle stages run side by side", () => {
  let world: LocalRunWorld;
  /** Each agent invocation: run id, stage, start and end in ns. */
  let times: { run: string; stage: string; start: bigint; end: bigint }[];
  let side: { id: string; run: CliResult; metadata: RunMetadata };
  let single: { id: string; run: CliResult; metadata: RunMetadata };

  beforeAll(async () => {
    world = await LocalRunWorld.create();
    const log = join(world.dir, "agent-times.log");
    const marks = join(world.dir, "marks");
    // b and c each wait (a bounded while) for the other to start before
    // they work a moment: side by side they overlap however slowly the
    // machine starts them; one at a time the first gives up waiting.
    await world.program(
      "stage-agent",
      `start=$(date +%s%N)
cat > /dev/null
mkdir -p "${marks}"
case "$SPECWRIGHT_STAGE" in
  b|c)
    touch "${marks}/$SPECWRIGHT_RUN_ID-$SPECWRIGHT_STAGE"
    other=b; [ "$SPECWRIGHT_STAGE" = b ] && other=c
    tries=0
    while [ ! -e "${marks}/$SPECWRIGHT_RUN_ID-$other" ] && [ $tries -lt "\${AGENT_WAIT_TRIES:-100}" ]; do
      sleep 0.05; tries=$((tries + 1))
    done
    sleep 0.3
    ;;
esac
echo "made by $SPECWRIGHT_STAGE" > "$SPECWRIGHT_STAGE.txt"
echo "$SPECWRIGHT_RUN_ID $SPECWRIGHT_STAGE $start $(date +%s%N)" >> "${log}"
echo "done with $SPECWRIGHT_STAGE"`,
    );
    await world.write(
      ".github/specwright.yml",
      `agent:
  backend: command
  command: stage-agent
workflow:
  name: Diamond
  stages:
    - id: a
      prompt: Lay the ground for {{ feature }}
    - id: b
      depends_on: [a]
      prompt: Build one side
    - id: c
      depends_on: [a]
      prompt: Build the other side
    - id: d
      depends_on: [b, c]
      prompt: Join the sides
`,
    );
    // A run refuses a working tree with uncommitted changes.
    await world.commit("Add a diamond workflow");

    // The two runs go side by side too: each agent logs its run's id.
    const [sideRun, singleRun] = await Promise.all([
      world.specwright(["run", "--concurrency", "2", "--feature", "Fan out"]),
      world.specwright(
        ["run", "--concurrency", "1", "--feature", "One by one"],
        { env: { AGENT_WAIT_TRIES: "6" } },
      ),
    ]);
    const sideId = LocalRunWorld.runId(sideRun.stderr);
    const singleId = LocalRunWorld.runId(singleRun.stderr);
    side = { id: sideId, run: sideRun, metadata: await world.metadata(sideId) };
    single = {
      id: singleId,
      run: singleRun,
      metadata: await world.metadata(singleId),
    };
    times = lines(await readFile(log, "utf8")).map((line) => {
      const [run = "", stage = "", start = "0", end = "0"] = line.split(" ");
      return { run, stage, start: BigInt(start), end: BigInt(end) };
    });
  }, 120_000);

  afterAll(async () => {
    await world?.remove();
  });

  function interval(run: string, stage: string) {
    const found = times.filter((t) => t.run === run && t.stage === stage);
    expect(found, `${stage} ran once in ${run}`).toHaveLength(1);
    return found[0] as { start: bigint; end: bigint };
  }

  it("--concurrency 2: b and c overlap; d starts after both ended", () => {
    const [a, b, c, d] = ["a", "b", "c", "d"].map((s) =>
      interval(side.id, s),
    ) as [
      { start: bigint; end: bigint },
      { start: bigint; end: bigint },
      { start: bigint; end: bigint },
      { start: bigint; end: bigint },
    ];

    expect(side.run.code).toBe(0);
    expect(side.metadata.status).toBe("succeeded");
    expect(a.end < b.start && a.end < c.start).toBe(true);
    expect(b.start < c.end && c.start < b.end).toBe(true);
    expect(d.start > b.end && d.start > c.end).toBe(true);
    // The progress says so too: both started before either finished.
    const said = lines(side.run.stdout).map((l) => l.slice(9));
    const index = (text: string) => said.indexOf(text);
    expect(said[0]).toMatch(/^run [0-9a-f]{8} started: Diamond \(4 stages\)/);
    expect(
      Math.max(
        index("b: started (attempt 1)"),
        index("c: started (attempt 1)"),
      ),
    ).toBeLessThan(
      Math.min(
        said.findIndex((l) => l.startsWith("b: succeeded")),
        said.findIndex((l) => l.startsWith("c: succeeded")),
      ),
    );
  });

  it("--concurrency 1: b and c take turns", () => {
    const b = interval(single.id, "b");
    const c = interval(single.id, "c");

    expect(single.run.code).toBe(0);
    expect(single.metadata.status).toBe("succeeded");
    expect(b.end < c.start || c.end < b.start).toBe(true);
  });

  it("commits each stage's file once, d on top of both sides", async () => {
    const { metadata, id } = side;
    const commits = await world.runCommits(id);
    const shas = (await branchCommits(world, metadata.branch)).map(
      (c) => c.sha,
    );
    const attempt = (stage: string) => attemptOf(metadata, stage);

    expect(metadata.steps).toStrictEqual({
      "a#1": "01_a",
      "b#1": "02_b",
      "c#1": "03_c",
      "d#1": "04_d",
    });
    expect(commits[0]).toStrictEqual({
      subject: 'specwright(a): a for "Fan out"',
      stage: "a",
      attempt: "1",
    });
    expect(
      commits
        .slice(1, 3)
        .map((c) => c.stage)
        .sort(),
    ).toStrictEqual(["b", "c"]);
    expect(commits[3]?.stage).toBe("d");
    for (const stage of ["a", "b", "c", "d"])
      expect(attempt(stage).changed_paths).toStrictEqual([`${stage}.txt`]);
    // b and c both started from a's commit; d from the later of theirs.
    expect(attempt("b").base_sha).toBe(shas[0]);
    expect(attempt("c").base_sha).toBe(shas[0]);
    expect(attempt("d").base_sha).toBe(shas[2]);
    expect(attempt("d").commit_sha).toBe(shas[3]);
    for (const stage of ["a", "b", "c", "d"])
      expect(
        await readFile(join(metadata.workspace, `${stage}.txt`), "utf8"),
      ).toBe(`made by ${stage}\n`);
  });
});

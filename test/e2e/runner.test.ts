import { execFileSync } from "node:child_process";
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  vi,
} from "vitest";
import { readResultBundle } from "../../src/contracts/read-result-bundle.js";
import {
  correlationKey,
  type StageRequest,
} from "../../src/contracts/stage-request.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import { startedRun } from "../engine/fixtures.js";
import {
  type ArtifactService,
  startArtifactService,
} from "../support/artifact-service.js";
import {
  runName,
  runStageJob,
  type StageJob,
} from "../support/simulator/runner.js";

const WORKFLOW_FILE = ".github/workflows/specwright.yml";
const FAKE_AGENT = resolve("test/fixtures/fake-agent.mjs");
const SECRET = "sk-ant-runner-test-0123456789abcdef";
const SPEC = "specs/001-dark-mode/spec.md";
// Long enough for nothing but the runner to end it.
const FOREVER_MS = 600_000;

const stageWorkflow = await readFile(WORKFLOW_FILE, "utf8");

/** The request the App sends for the first stage of the default workflow. */
function firstRequest(): StageRequest {
  const effect = startedRun(DEFAULT_WORKFLOW_SOURCE).effects.find(
    (e) => e.kind === "dispatch_stage",
  );
  if (effect?.kind !== "dispatch_stage") throw new Error("no dispatch");
  return effect.request;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

/** Processes still running with this test's fake-agent log in their environment. */
async function agentProcesses(logFile: string): Promise<number[]> {
  const marker = `FAKE_AGENT_LOG=${logFile}`;
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, "latin1");
      if (environ.split("\0").includes(marker)) pids.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await delay(20);
}

describe.runIf(process.platform === "linux")(
  "the simulated runner (test/support/simulator/runner.ts)",
  () => {
    let root: string;
    let bare: string;
    let head: string;
    /** main, one commit ahead of the run's branch. */
    let mainHead: string;
    let bin: string;
    let service: ArtifactService | undefined;
    const base = firstRequest();
    let jobCount = 0;

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), "specwright-runner-"));
      // As a runner's disk: the agent, as its own user, passes through.
      await chmod(root, 0o755);
      // The repository as the App leaves it: the stage workflow committed,
      // the run's branch at that commit; main has moved on by one since.
      const work = join(root, "work");
      await mkdir(dirname(join(work, WORKFLOW_FILE)), { recursive: true });
      await writeFile(join(work, WORKFLOW_FILE), stageWorkflow);
      await writeFile(join(work, "README.md"), "# Web\n");
      git(work, "init", "-q", "-b", "main");
      git(work, "config", "user.email", "test@example.com");
      git(work, "config", "user.name", "Test");
      git(work, "add", "-A");
      git(work, "commit", "-q", "-m", "base");
      git(work, "branch", base.branch);
      head = git(work, "rev-parse", "HEAD");
      await writeFile(join(work, "CHANGELOG.md"), "# Changes\n");
      git(work, "add", "-A");
      git(work, "commit", "-q", "-m", "later");
      mainHead = git(work, "rev-parse", "HEAD");
      bare = join(root, "web.git");
      git(root, "clone", "-q", "--bare", work, bare);
      bin = join(root, "bin");
      await mkdir(bin);
      for (const name of ["claude", "codex", "gemini", "copilot"])
        await symlink(FAKE_AGENT, join(bin, name));
    });

    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    afterEach(async () => {
      vi.unstubAllEnvs();
      await service?.close();
      service = undefined;
    });

    /** A job of the stage workflow for `request`, the fake agent doing `plan`. */
    async function stageJob(
      request: StageRequest,
      plan: unknown[],
      patch: Partial<StageJob> = {},
    ) {
      service = await startArtifactService({ firstId: 7000 });
      const dir = join(root, `job-${++jobCount}`);
      await mkdir(dir);
      const agentLog = join(dir, "agent-log.jsonl");
      const planFile = join(dir, "plan.json");
      // The fake agent, as its own user, appends what it was given.
      await writeFile(agentLog, "", { mode: 0o666 });
      await chmod(agentLog, 0o666);
      await writeFile(planFile, JSON.stringify({ steps: plan }));
      const job: StageJob = {
        workflow: stageWorkflow,
        inputs: { request: JSON.stringify(request) },
        secrets: { ANTHROPIC_API_KEY: SECRET },
        vars: {},
        cloneUrl: bare,
        ref: request.branch,
        sha: head,
        repository: request.repository,
        runId: 4200 + jobCount,
        runAttempt: 1,
        serverUrl: "https://github.com",
        apiUrl: "https://api.github.com",
        resultsUrl: service.url,
        runtimeToken: service.runtimeToken,
        actionDir: resolve("action"),
        path: [bin],
        env: { FAKE_AGENT_PLAN: planFile, FAKE_AGENT_LOG: agentLog },
        workDir: join(dir, "runner"),
        ...patch,
      };
      return { job, agentLog, service };
    }

    const request = (patch: Partial<StageRequest> = {}): StageRequest => ({
      ...base,
      base_sha: head,
      ...patch,
    });

    it("names the run with the key the App recognises it by", () => {
      const r = request();
      expect(runName(stageWorkflow, { request: JSON.stringify(r) })).toBe(
        correlationKey(r.run_id, r.stage, r.attempt),
      );
    });

    it("refuses a run-name it cannot give", () => {
      const withoutRunName = stageWorkflow.replace(/^run-name:.*$/m, "");
      expect(() => runName(withoutRunName, { request: "{}" })).toThrow(
        "simulated runner: the workflow has no run-name",
      );
      expect(() => runName(stageWorkflow, { request: "not json" })).toThrow(
        /cannot evaluate run-name .*fromJSON: not valid JSON/,
      );
    });

    it("runs a stage: checks out the dispatched commit, runs the bundled action, which uploads a bundle the App accepts", async () => {
      const r = request();
      const { job, agentLog, service } = await stageJob(r, [
        {
          write: { [SPEC]: "# Dark mode\n" },
          message: "Wrote the spec (key $SECRET)",
        },
      ]);

      const result = await runStageJob(job);

      expect(service.problems).toEqual([]);
      expect(result.conclusion, result.log).toBe("success");
      expect(result.name).toBe("Specify");
      expect(result.timeoutMinutes).toBe(r.job_timeout_minutes);
      expect(result.outputs).toEqual({
        status: "succeeded",
        "execution-path": expect.stringMatching(/^direct_/),
        "selected-skill": "",
        "artifact-name": r.artifact.name,
        "artifact-id": "7000",
      });
      expect(result.summary).toContain(r.stage);
      // GitHub's steps, the last one's name evaluated when it started: it
      // tells the App the bundle's artifact id (workflow_job.steps[]).
      expect(result.steps.map((s) => [s.number, s.name, s.conclusion])).toEqual(
        [
          [1, "Set up job", "success"],
          [2, expect.stringMatching(/^Run actions\/checkout@/), "success"],
          [3, expect.stringMatching(/^Run actions\/setup-node@/), "success"],
          [4, "Install the agent CLI", "success"],
          [5, "Let the codex sandbox start", "skipped"],
          [6, "Run specwright/specwright/action@v0", "success"],
          [7, "Specwright bundle 7000", "success"],
          [8, "Complete job", "success"],
        ],
      );
      for (const step of result.steps) {
        expect(step).toMatchObject({
          status: "completed",
          started_at: expect.any(String),
          completed_at: expect.any(String),
        });
      }

      // The secret never shows, whether the runner or the action masked it.
      expect(result.log).not.toContain(SECRET);
      expect(result.log).toContain("  anthropic-api-key: ***");
      expect(result.log).not.toContain("::add-mask::");
      expect(result.log).toContain(
        'skipped in the simulator: case "$BACKEND" in',
      );
      expect(result.log).toContain(
        `uploaded the result bundle ${r.artifact.name}`,
      );

      const invocations = (await readFile(agentLog, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { name: string; env: object });
      expect(invocations.map((i) => i.name)).toEqual(["claude"]);
      // The agent ran isolated: its key stayed in the action's proxy.
      expect(invocations[0]?.env).toEqual({
        ANTHROPIC_API_KEY: expect.stringMatching(/^specwright-proxy-/),
        SPECWRIGHT_RUN_ID: r.run_id,
        SPECWRIGHT_STAGE: r.stage,
      });
      expect(result.log).toContain(
        "the agent runs as its own user specwright-agent",
      );

      const [artifact] = service.artifacts;
      expect(artifact?.name).toBe(r.artifact.name);
      const bundle = await readResultBundle(artifact?.zip ?? new Uint8Array(), {
        run_id: r.run_id,
        stage: r.stage,
        attempt: r.attempt,
        base_sha: head,
        protected_paths: [".github/workflows/**"],
      });
      expect(bundle.result.status).toBe("succeeded");
      expect(bundle.changes.files).toEqual([
        {
          path: SPEC,
          mode: "100644",
          encoding: "utf8",
          content: "# Dark mode\n",
        },
      ]);
    }, 60_000);

    it("fails the job when the agent fails, after the action uploaded the failed bundle", async () => {
      const r = request();
      const { job, service } = await stageJob(r, [
        { exit: 1, stderr: "the agent fell over" },
      ]);

      const result = await runStageJob(job);

      expect(result.conclusion, result.log).toBe("failure");
      expect(result.outputs.status).toBe("failed");
      expect(result.log).toMatch(/^::error::specwright: stage specify failed/m);
      expect(service.artifacts.map((a) => a.name)).toEqual([r.artifact.name]);
    }, 60_000);

    it("fails the job, running nothing after it, when the dispatched commit cannot be checked out", async () => {
      const missing = "1234567890abcdef1234567890abcdef12345678";
      const { job, agentLog, service } = await stageJob(
        request({ base_sha: missing }),
        [],
      );

      const result = await runStageJob(job);

      expect(result.conclusion).toBe("failure");
      expect(result.log).toContain(`not our ref ${missing}`);
      expect(result.log).toContain(
        "##[error]The process 'git' failed with exit code 128",
      );
      expect(result.outputs).toEqual({});
      expect(await readFile(agentLog, "utf8")).toBe("");
      expect(service.artifacts).toEqual([]);
      // The last step still runs (if: always()), naming no artifact.
      expect(result.steps.at(-2)).toMatchObject({
        name: "Specwright bundle ",
        conclusion: "success",
      });
      expect(result.steps.at(-3)).toMatchObject({ conclusion: "skipped" });
    }, 60_000);

    it("cancels the job while the agent works, killing every process it started", async () => {
      const { job, agentLog } = await stageJob(request(), [
        { sleepMs: FOREVER_MS },
      ]);
      const controller = new AbortController();

      const running = runStageJob(job, controller.signal);
      // The fake agent logs its call, then sleeps.
      await waitFor(async () => (await readFile(agentLog, "utf8")) !== "");
      expect(await agentProcesses(agentLog)).not.toEqual([]);
      controller.abort();
      const result = await running;

      expect(result.conclusion).toBe("cancelled");
      expect(result.log).toMatch(/##\[error\]The operation was canceled\.$/);
      expect(await agentProcesses(agentLog)).toEqual([]);
    }, 60_000);

    it("stops the job at its time limit, killing every process it started", async () => {
      const { job, agentLog } = await stageJob(
        request(),
        [{ sleepMs: FOREVER_MS }],
        { timeoutMsOverride: 3_000 },
      );

      const result = await runStageJob(job);

      expect(result.conclusion).toBe("timed_out");
      expect(result.timeoutMinutes).toBe(base.job_timeout_minutes);
      expect(result.log).toContain(
        "##[error]The job has exceeded the maximum execution time of 0m3s",
      );
      expect(await agentProcesses(agentLog)).toEqual([]);
    }, 60_000);

    describe("with a probe action that reports what it was given", () => {
      const PROBE_WORKFLOW = `
name: Probe
run-name: probe for \${{ inputs.who }}
on:
  workflow_dispatch:
    inputs:
      who: { type: string, required: true }
      fail: { type: boolean, default: false }
env:
  WORKFLOW_LEVEL: w
jobs:
  probe:
    name: Probe \${{ inputs.who }}
    runs-on: ubuntu-latest
    timeout-minutes: 5
    env:
      JOB_LEVEL: \${{ inputs.who }}-job
    steps:
      - uses: actions/checkout@v5
      - name: Only when failing
        if: inputs.fail
        run: echo "asked to fail"
      - id: probe
        uses: ./action
        env:
          STEP_LEVEL: s
        with:
          password: \${{ vars.PASSWORD }}
          token: \${{ secrets.TOKEN }}
          greeting: hello \${{ env.JOB_LEVEL }}
          exit: \${{ inputs.fail && '1' || '0' }}
      - if: failure()
        run: echo "after a failure"
      - if: steps.probe.outputs.plain == 'a=b' && env.FROM_STEP == 'set by the probe'
        run: echo "read the outputs"
`;
      const PROBE_ACTION = `
name: Probe
inputs:
  password: { required: true }
  token: { required: true }
  greeting: { required: true }
  exit: { default: "0" }
  with space: { default: "\${{ github.repository }} spaced" }
runs:
  using: node24
  main: main.mjs
`;
      const PROBE_MAIN = `
import { execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";
const env = process.env;
const git = (...args) => execFileSync("git", args, { encoding: "utf8" }).trim();
const out = (name, value) => appendFileSync(env.GITHUB_OUTPUT, \`\${name}<<EOF\\n\${value}\\nEOF\\n\`);
console.log(\`before the mask: \${env.INPUT_PASSWORD}\`);
console.log(\`::add-mask::\${env.INPUT_PASSWORD}\`);
console.log(\`the password is \${env.INPUT_PASSWORD}\`);
console.log("::group::Details");
console.error(\`to stderr: \${env.INPUT_GREETING}\`);
console.log("::endgroup::");
appendFileSync(env.GITHUB_OUTPUT, "plain=a=b\\nmulti<<DELIM\\nline 1\\nline 2\\nDELIM\\n");
out("env", JSON.stringify(Object.keys(env).sort()));
out("inputs", JSON.stringify(Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("INPUT_")))));
out("head", git("rev-parse", "HEAD"));
out("branch", git("rev-parse", "--abbrev-ref", "HEAD"));
out("cwd", process.cwd());
appendFileSync(env.GITHUB_STEP_SUMMARY, \`# Probe for \${env.INPUT_PASSWORD}\\n\`);
appendFileSync(env.GITHUB_ENV, "FROM_STEP=set by the probe\\n");
process.exitCode = Number(env.INPUT_EXIT);
`;
      const PASSWORD = "hunter2-from-vars";
      const TOKEN = "token-from-secrets-42";

      async function probeJob(inputs: Record<string, string>) {
        const actionDir = join(root, "probe-action");
        await mkdir(actionDir, { recursive: true });
        await writeFile(join(actionDir, "action.yml"), PROBE_ACTION);
        await writeFile(join(actionDir, "main.mjs"), PROBE_MAIN);
        const { job } = await stageJob(request(), [], {
          workflow: PROBE_WORKFLOW,
          inputs,
          secrets: { TOKEN },
          vars: { PASSWORD },
          actionDir,
        });
        return job;
      }

      it("names the run from its own run-name", () => {
        expect(runName(PROBE_WORKFLOW, { who: "alice" })).toBe(
          "probe for alice",
        );
      });

      it("gives a JavaScript action the runner's environment and nothing of this process's, and reads what it writes", async () => {
        vi.stubEnv("SPECWRIGHT_RUNNER_TEST_LEAK", "must not reach the step");
        const job = await probeJob({ who: "alice" });

        const result = await runStageJob(job);

        expect(result.conclusion, result.log).toBe("success");
        expect(result.name).toBe("Probe alice");
        expect(result.timeoutMinutes).toBe(5);
        const { outputs } = result;
        expect(outputs.plain).toBe("a=b");
        expect(outputs.multi).toBe("line 1\nline 2");
        expect(outputs.head).toBe(head);
        expect(outputs.branch).toBe(base.branch);
        expect(outputs.cwd).toBe(join(job.workDir, "work", "web", "web"));
        expect(JSON.parse(outputs.inputs ?? "")).toEqual({
          INPUT_PASSWORD: PASSWORD,
          INPUT_TOKEN: TOKEN,
          INPUT_GREETING: "hello alice-job",
          INPUT_EXIT: "0",
          INPUT_WITH_SPACE: "acme/web spaced",
        });
        const names = JSON.parse(outputs.env ?? "") as string[];
        expect(names).not.toContain("SPECWRIGHT_RUNNER_TEST_LEAK");
        expect(
          names.filter(
            (n) =>
              !/^(GITHUB|RUNNER|ACTIONS|INPUT)_/.test(n) &&
              !["CI", "HOME", "PATH"].includes(n),
          ),
        ).toEqual([
          "FAKE_AGENT_LOG",
          "FAKE_AGENT_PLAN",
          "JOB_LEVEL",
          "STEP_LEVEL",
          "WORKFLOW_LEVEL",
        ]);
        for (const name of [
          "GITHUB_WORKSPACE",
          "GITHUB_REPOSITORY",
          "GITHUB_REF",
          "GITHUB_REF_NAME",
          "GITHUB_SHA",
          "GITHUB_RUN_ID",
          "GITHUB_RUN_ATTEMPT",
          "GITHUB_EVENT_NAME",
          "GITHUB_SERVER_URL",
          "GITHUB_API_URL",
          "GITHUB_OUTPUT",
          "GITHUB_STEP_SUMMARY",
          "GITHUB_ENV",
          "GITHUB_PATH",
          "GITHUB_ACTIONS",
          "RUNNER_TEMP",
          "RUNNER_OS",
          "RUNNER_ARCH",
          "RUNNER_NAME",
          "RUNNER_ENVIRONMENT",
          "ACTIONS_RUNTIME_TOKEN",
          "ACTIONS_RESULTS_URL",
        ])
          expect(names).toContain(name);

        // Masks apply from the ::add-mask:: on; secrets from the start.
        const { log } = result;
        expect(log).toContain(`before the mask: ${PASSWORD}`);
        expect(log).toContain("the password is ***");
        expect(log).not.toContain("::add-mask::");
        expect(log).not.toContain(TOKEN);
        expect(log).toContain("  token: ***");
        // stdout and stderr are two pipes: their lines interleave as they come.
        const lines = log.split("\n");
        expect(lines).toContain("::group::Details");
        expect(lines).toContain("to stderr: hello alice-job");
        expect(lines).toContain("::endgroup::");
        expect(result.summary).toBe("# Probe for ***\n");

        // `if:` without ${{ }}, success() by default, steps and GITHUB_ENV.
        expect(log).not.toContain(
          'skipped in the simulator: echo "asked to fail"',
        );
        expect(log).not.toContain(
          'skipped in the simulator: echo "after a failure"',
        );
        expect(log).toContain(
          'skipped in the simulator: echo "read the outputs"',
        );
      }, 60_000);

      it("fails the job on a non-zero exit, then runs only what asks for failure()", async () => {
        const job = await probeJob({ who: "bob", fail: "true" });

        const result = await runStageJob(job);

        expect(result.conclusion).toBe("failure");
        expect(result.outputs.plain).toBe("a=b");
        expect(result.log).toContain(
          'skipped in the simulator: echo "asked to fail"',
        );
        expect(result.log).toContain(
          'skipped in the simulator: echo "after a failure"',
        );
        expect(result.log).not.toContain(
          'skipped in the simulator: echo "read the outputs"',
        );
      }, 60_000);

      it("fails the job, saying why, for a step it cannot run", async () => {
        const job = await probeJob({ who: "carol" });
        const result = await runStageJob({
          ...job,
          workflow: PROBE_WORKFLOW.replace(
            "uses: ./action",
            "uses: docker://alpine:3",
          ),
        });
        expect(result.conclusion).toBe("failure");
        expect(result.log).toContain(
          "##[error]simulated runner: cannot run 'uses: docker://alpine:3'",
        );
      }, 60_000);
    });

    describe("with a small action that reports the checkout", () => {
      const REPORT_MAIN = `
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
const git = (...args) => execFileSync("git", args, { encoding: "utf8" }).trim();
appendFileSync(process.env.GITHUB_OUTPUT, [
  \`head=\${git("rev-parse", "HEAD")}\`,
  \`branch=\${git("rev-parse", "--abbrev-ref", "HEAD")}\`,
  \`shallow=\${git("rev-parse", "--is-shallow-repository")}\`,
].join("\\n") + "\\n");
if (process.env.INPUT_LEAVE === "true") {
  spawn("sleep", ["600"], { detached: true, stdio: "ignore" }).unref();
}
`;

      async function reportJob(checkoutWith: string, leave = false) {
        const actionDir = join(root, "report-action");
        await mkdir(actionDir, { recursive: true });
        await writeFile(
          join(actionDir, "action.yml"),
          "name: Report\ninputs:\n  leave: {}\nruns:\n  using: node24\n  main: main.mjs\n",
        );
        await writeFile(join(actionDir, "main.mjs"), REPORT_MAIN);
        const workflow = [
          "name: Report",
          "on: workflow_dispatch",
          "jobs:",
          "  report:",
          "    runs-on: ubuntu-latest",
          "    steps:",
          "      - uses: actions/checkout@v5",
          `        with: ${checkoutWith}`,
          "      - uses: acme/tools/action@v1",
          `        with: { leave: ${leave} }`,
        ].join("\n");
        return stageJob(request(), [], { workflow, inputs: {}, actionDir });
      }

      it.each([
        {
          with: "{ ref: main }",
          head: () => mainHead,
          branch: "main",
          shallow: "true",
        },
        {
          with: `{ ref: refs/heads/${base.branch} }`,
          head: () => head,
          branch: base.branch,
          shallow: "true",
        },
        {
          with: "{ ref: '${{ github.sha }}', fetch-depth: 0 }",
          head: () => head,
          branch: "HEAD",
          shallow: "false",
        },
      ])(
        "checks out $with as actions/checkout does",
        async (c) => {
          const { job } = await reportJob(c.with);
          const result = await runStageJob(job);
          expect(result.conclusion, result.log).toBe("success");
          expect(result.name).toBe("report");
          expect(result.timeoutMinutes).toBe(360);
          expect(result.outputs).toEqual({
            head: c.head(),
            branch: c.branch,
            shallow: c.shallow,
          });
        },
        60_000,
      );

      it("fails the checkout of a ref the repository does not have", async () => {
        const { job } = await reportJob("{ ref: no-such-branch }");
        const result = await runStageJob(job);
        expect(result.conclusion).toBe("failure");
        expect(result.log).toContain(
          "##[error]The process 'git' failed with exit code 1",
        );
        expect(result.outputs).toEqual({});
      }, 60_000);

      it("kills what a step left running when the job ends", async () => {
        const { job, agentLog } = await reportJob("{}", true);
        const result = await runStageJob(job);
        expect(result.conclusion, result.log).toBe("success");
        expect(result.log).toMatch(
          /^Cleaning up orphan processes\nTerminate orphan process: pid \(\d+\) \(sleep\)$/m,
        );
        expect(await agentProcesses(agentLog)).toEqual([]);
      }, 60_000);
    });
  },
);

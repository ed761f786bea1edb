import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readResultBundle } from "../../src/contracts/read-result-bundle.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import {
  type ArtifactService,
  startArtifactService,
} from "../support/artifact-service.js";
import { createHarness, RUN_ID, SECRET } from "./harness.js";

const DIST = resolve("action/dist/index.js");
const SPEC = "specs/001-dark-mode/spec.md";

interface Step {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
}

/**
 * Runs the committed bundle as the runner runs a node24 action: a process
 * with the inputs as INPUT_* variables and the runner's files and tokens,
 * and nothing of this test process's environment but PATH and HOME.
 */
async function runDist(
  h: Awaited<ReturnType<typeof createHarness>>,
  request: StageRequest,
  env: Record<string, string>,
  plan: unknown[] = [],
): Promise<Step> {
  const output = join(h.root, "github-output");
  await writeFile(output, "");
  await writeFile(join(h.root, "plan.json"), JSON.stringify({ steps: plan }));
  await writeFile(join(h.root, "agent-log.jsonl"), "");
  const child = spawn(process.execPath, [DIST], {
    cwd: h.repo,
    env: {
      PATH: `${h.bin}:${process.env.PATH}`,
      HOME: h.root,
      RUNNER_TEMP: h.temp,
      GITHUB_OUTPUT: output,
      GITHUB_WORKSPACE: h.repo,
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_REF_NAME: request.branch,
      INPUT_REQUEST: JSON.stringify(request),
      "INPUT_ANTHROPIC-API-KEY": SECRET,
      "INPUT_WORKING-DIRECTORY": h.repo,
      // The fake agent writes its log beside the harness (hostile-agent.test.ts isolates).
      "INPUT_AGENT-ISOLATION": "none",
      FAKE_AGENT_PLAN: join(h.root, "plan.json"),
      FAKE_AGENT_LOG: join(h.root, "agent-log.jsonl"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((done) =>
    child.on("close", done),
  );
  // The runner consumes mask commands; the job log never shows them.
  stdout = stdout.replace(/^::add-mask::.*\n/gm, "");
  const outputs: Record<string, string> = {};
  const text = await readFile(output, "utf8");
  for (const match of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[match[1] ?? ""] = match[3] ?? "";
  }
  return { code, stdout, outputs };
}

describe("the bundled action (action/dist/index.js)", () => {
  let service: ArtifactService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it("runs a stage and uploads, with @actions/artifact, a bundle the App accepts", async () => {
    service = await startArtifactService({ firstId: 4100 });
    const h = await createHarness();
    const request = h.request({
      skill: {
        id: "none",
        is_speckit: false,
        allowlisted: false,
        fallback: false,
        health_check: null,
      },
    });
    const step = await runDist(
      h,
      request,
      {
        ACTIONS_RUNTIME_TOKEN: service.runtimeToken,
        ACTIONS_RESULTS_URL: service.url,
      },
      [{ write: { [SPEC]: "# Dark mode\n" } }],
    );

    expect(service.problems).toEqual([]);
    expect(step.code, step.stdout).toBe(0);
    expect(step.outputs).toEqual({
      status: "succeeded",
      "execution-path": "direct_only",
      "selected-skill": "",
      "artifact-name": `specwright-${RUN_ID}-specify-1`,
      "artifact-id": "4100",
    });
    expect(step.stdout).toContain(
      `uploaded the result bundle specwright-${RUN_ID}-specify-1 (artifact 4100)`,
    );
    expect(step.stdout).not.toContain(SECRET);

    const [artifact] = service.artifacts;
    expect(artifact?.name).toBe(`specwright-${RUN_ID}-specify-1`);
    // retention_days 30 from the request, as an expiry about 30 days out.
    const days =
      (Date.parse(artifact?.expiresAt ?? "") - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    const bundle = await readResultBundle(artifact?.zip ?? new Uint8Array(), {
      run_id: RUN_ID,
      stage: "specify",
      attempt: 1,
      base_sha: h.baseSha,
      protected_paths: [".github/workflows/**"],
    });
    expect(bundle.result.status).toBe("succeeded");
    expect(bundle.result.outputs).toEqual({ spec: SPEC });
    expect(bundle.changes.files).toEqual([
      {
        path: SPEC,
        mode: "100644",
        encoding: "utf8",
        content: "# Dark mode\n",
      },
    ]);
    expect([...bundle.files.keys()].sort()).toEqual([
      "diff-summary.txt",
      "environment.json",
      "metrics.json",
      "stderr.log",
      "stdout.log",
    ]);
  });

  it("in a dry run, as CI runs it, checks the request and uploads nothing", async () => {
    service = await startArtifactService();
    const h = await createHarness();
    const fixture = JSON.parse(
      await readFile("test/fixtures/dry-run-request.json", "utf8"),
    ) as StageRequest;
    const step = await runDist(
      h,
      { ...fixture, base_sha: h.baseSha },
      {
        ACTIONS_RUNTIME_TOKEN: service.runtimeToken,
        ACTIONS_RESULTS_URL: service.url,
        "INPUT_DRY-RUN": "true",
        GITHUB_EVENT_NAME: "push",
        GITHUB_REF_NAME: "main",
      },
    );
    expect(step.code, step.stdout).toBe(0);
    expect(step.outputs).toMatchObject({
      status: "dry-run",
      "execution-path": "direct_only",
    });
    expect(step.stdout).toContain(
      "specwright: dry run: direct_only: node with a",
    );
    expect(service.artifacts).toEqual([]);
    expect(await readFile(join(h.root, "agent-log.jsonl"), "utf8")).toBe("");
  });

  it("fails the step, saying why, when the results service refuses the upload", async () => {
    service = await startArtifactService();
    const h = await createHarness();
    const step = await runDist(
      h,
      h.request({
        skill: {
          id: "none",
          is_speckit: false,
          allowlisted: false,
          fallback: false,
          health_check: null,
        },
      }),
      { ACTIONS_RUNTIME_TOKEN: "not-a-jwt", ACTIONS_RESULTS_URL: service.url },
      [{ write: { [SPEC]: "# Dark mode\n" } }],
    );
    expect(step.code).toBe(1);
    expect(step.outputs.status).toBe("failed");
    expect(step.stdout).toContain(
      `::error::specwright: could not upload the result bundle specwright-${RUN_ID}-specify-1, so the App cannot take the stage's work: Invalid token specified`,
    );
    expect(service.artifacts).toEqual([]);
  });
});

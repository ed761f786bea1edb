import { chmod, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
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
import {
  type Backend,
  type Script,
  USAGE_PER_ANSWER,
} from "../support/model-api/script.js";
import type { ModelApi } from "../support/model-api/server.js";
import { standInEnvironment } from "../support/model-api/stand-in-environment.js";
import { type ActionRun, createHarness, json } from "./harness.js";
import { STAND_IN_KEY } from "./real-action.js";

// The action holds the real, pinned agent CLIs to the stage's limits,
// against the model-API stand-in: each backend is stopped at its turn
// limit (Claude Code and Gemini CLI by their own setting, codex by the
// credential proxy counting its model requests, Copilot CLI by the turns
// its output streams), a real CLI and a command at their time limit, and
// tokens while the agent runs (the proxy reads each answer's usage) or
// when it ends (the usage it reports). Each result says which limit
// stopped it, and the work done before is in the bundle.

// Top-level files: Copilot CLI's create tool makes no folders.
const SPEC = "first-turn.md";
const LATER = "second-turn.md";

/** Writes the spec in its first turn, another file in its second, then is done. */
const threeTurns: Script = ({ turn }) =>
  turn === 0
    ? [{ write: SPEC, content: "# Dark mode\n" }]
    : turn === 1
      ? [{ write: LATER, content: "later\n" }]
      : [{ say: "Done." }];

/** For a CLI stopped from its output: enough turns that a late stop still shows. */
const sixTurns: Script = ({ turn }) =>
  turn === 0
    ? [{ write: SPEC, content: "# Dark mode\n" }]
    : turn < 5
      ? [{ write: LATER, content: `later ${turn}\n` }]
      : [{ say: "Done." }];

let api: ModelApi;
let scratch: string;

beforeAll(async () => {
  api = await allModelApis().start();
  scratch = await ownedTempDir("specwright-limits-");
  await chmod(scratch, 0o755);
});

afterAll(async () => {
  await api.stop();
  await rm(scratch, { recursive: true, force: true });
});

const DIRECT_ONLY: StageRequest["skill"] = {
  id: "none",
  is_speckit: false,
  allowlisted: false,
  fallback: true,
  health_check: null,
};

/** One stage's direct prompt with a real CLI (or a command), and what it handed back. */
async function runLimited(options: {
  backend: Backend | "command";
  agent: Partial<StageRequest["agent"]>;
  isolation?: "user" | "none";
  name: string;
}): Promise<{
  run: ActionRun;
  result: StageResult;
  changes: Changes;
  calls: number;
}> {
  const h = await createHarness();
  const { backend } = options;
  const env =
    backend === "command"
      ? {}
      : await standInEnvironment({
          backend,
          url: api.url,
          dir: join(scratch, options.name),
        });
  const before = api.turns().length;
  const run = await h.runAction(
    h.request({
      agent: {
        backend,
        ...(backend === "command" ? {} : { model: TEST_MODELS[backend] }),
        args: [],
        timeout_minutes: 3,
        prompt_via: "stdin",
        ...options.agent,
      },
      skill: DIRECT_ONLY,
    }),
    {
      inputs: {
        ...(backend === "command"
          ? {}
          : { [CREDENTIAL_INPUTS[backend]]: STAND_IN_KEY }),
        "agent-isolation": options.isolation ?? "none",
      },
      env: { PATH: `${CLI_BIN}:${process.env.PATH}`, ...env },
    },
  );
  return {
    run,
    result: json<StageResult>(run.upload, "result.json"),
    changes: json<Changes>(run.upload, "changes.json"),
    calls: api.turns().length - before,
  };
}

const paths = (changes: Changes) => changes.files.map((f) => f.path).sort();

describe.each<[Backend, "user" | "none", string]>([
  ["claude", "none", "its own --max-turns"],
  ["codex", "user", "the credential proxy's count of its model requests"],
  ["gemini", "none", "its own model.maxSessionTurns"],
  ["copilot", "none", "the turns its output streams"],
])("the real %s CLI (agent-isolation: %s)", (backend, isolation, how) => {
  it(`is stopped at its turn limit by ${how}, and its work so far is kept`, async () => {
    api.use(backend === "copilot" ? sixTurns : threeTurns);
    const { run, result, changes, calls } = await runLimited({
      backend,
      agent: { max_turns: 1 },
      isolation,
      name: `turns-${backend}`,
    });

    expect(result.status, run.log).toBe("failed");
    // Claude Code counts the turn it stopped at; the others, those done.
    expect(result.stopped_by).toEqual({
      limit: "turns",
      max: 1,
      used: backend === "claude" ? result.usage?.turns : 1,
    });
    expect(result.error_message).toBe(
      "the agent was stopped at its turn limit (1 turn)",
    );
    expect(run.failed).toContain(
      "the agent was stopped at its turn limit (1 turn)",
    );
    // The first turn's work travels in the bundle, and no fallback ran.
    if (backend === "copilot") {
      // Stopped as its last allowed turn ends, from its output: the next
      // model request may already be on its way (nothing proxies it), and
      // on a busy machine the one after it; never the six it asks for.
      expect(calls).toBeLessThanOrEqual(3);
      expect(paths(changes)).toContain(SPEC);
    } else {
      // The second turn never reached the model.
      expect(calls).toBe(1);
      expect(paths(changes)).toEqual([SPEC]);
    }
    expect(result.phases.map((p) => p.phase)).toEqual([
      "preflight",
      "direct_only",
      "bundle",
    ]);
    // Gemini CLI's settings folder of the run's own is gone.
    expect(
      (await readdir("/run")).filter((f) => f.startsWith("specwright-gemini-")),
    ).toEqual([]);
  }, 180_000);
});

describe("the time limit", () => {
  it("stops a real CLI whose tool runs past it, and says so", async () => {
    api.use(({ turn }) =>
      turn === 0
        ? [{ write: SPEC, content: "# Dark mode\n" }, { shell: "sleep 120" }]
        : [{ say: "Done." }],
    );
    const { result, changes } = await runLimited({
      backend: "claude",
      agent: { timeout_minutes: 0.5 },
      name: "time-claude",
    });
    expect(result.stopped_by).toMatchObject({ limit: "time", max: 0.5 });
    expect(result.error_message).toBe(
      "the agent was stopped at its time limit (30s)",
    );
    expect(paths(changes)).toEqual([SPEC]);
  }, 120_000);

  it("stops a command past it, and says its turns are not known", async () => {
    const { run, result } = await runLimited({
      backend: "command",
      agent: { command: "sleep 60", timeout_minutes: 0.02, max_turns: 5 },
      name: "time-command",
    });
    expect(result.stopped_by).toMatchObject({ limit: "time", max: 0.02 });
    expect(result.error_message).toBe(
      "the agent was stopped at its time limit (1s)",
    );
    expect(run.log).toContain(
      "a command's turns are not known: its time limit holds it, not its 5 turns",
    );
  }, 60_000);
});

describe("the token limit", () => {
  // Less than one answer's.
  const limit = 1_000;

  it("is checked at the end from the usage the CLI reports, when nothing saw it sooner", async () => {
    api.use(threeTurns);
    const { result, changes } = await runLimited({
      backend: "claude",
      agent: { max_tokens: limit },
      name: "tokens-end",
    });
    const used =
      (result.usage?.input_tokens ?? 0) + (result.usage?.output_tokens ?? 0);
    expect(used).toBe(
      3 * (USAGE_PER_ANSWER.input_tokens + USAGE_PER_ANSWER.output_tokens),
    );
    expect(result.stopped_by).toEqual({ limit: "tokens", max: limit, used });
    expect(result.error_message).toBe(
      `the agent went past its token limit (${limit.toLocaleString("en-US")} tokens; it used ${used.toLocaleString("en-US")} tokens, reported when it ended)`,
    );
    expect(paths(changes)).toEqual([SPEC, LATER]);
  }, 180_000);

  it("checks cost at the end, where the CLI reports one", async () => {
    api.use(threeTurns);
    const { result } = await runLimited({
      backend: "claude",
      agent: { max_cost_usd: 0.001 },
      name: "cost-end",
    });
    const cost = result.usage?.cost_usd ?? 0;
    expect(cost).toBeGreaterThan(0.001);
    expect(result.stopped_by).toEqual({
      limit: "cost",
      max: 0.001,
      used: cost,
    });
    expect(result.error_message).toMatch(
      /^the agent went past its cost limit \(\$0\.0010; it used \$0\.\d{2,4}, reported when it ended\)$/,
    );
  }, 180_000);

  it("stops the agent while it runs when the credential proxy reads the answers' usage", async () => {
    api.use(threeTurns);
    const { result, changes, calls } = await runLimited({
      backend: "claude",
      agent: { max_tokens: limit },
      isolation: "user",
      name: "tokens-live",
    });
    // Stopped at the first answer (Claude Code may ask for a title on the
    // side, which costs tokens too): the second turn never reached the model.
    const perAnswer =
      USAGE_PER_ANSWER.input_tokens + USAGE_PER_ANSWER.output_tokens;
    const used = result.stopped_by?.used ?? 0;
    expect(result.stopped_by).toMatchObject({ limit: "tokens", max: limit });
    expect(used).toBeGreaterThan(limit);
    expect(used % perAnswer).toBe(0);
    expect(result.error_message).toBe(
      `the agent was stopped at its token limit (${limit.toLocaleString("en-US")} tokens; it used ${used.toLocaleString("en-US")} tokens)`,
    );
    expect(calls).toBe(1);
    expect(paths(changes)).not.toContain(LATER);
  }, 180_000);
});

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  openaiResponsesAdapter,
  refusingResponsesAdapter,
} from "../support/model-api/openai-responses.js";
import {
  type CliRun,
  chownTree,
  ownedTempDir,
  runCli,
  runnerUser,
  type UserIds,
} from "../support/model-api/run-cli.js";
import { type Script, USAGE_PER_ANSWER } from "../support/model-api/script.js";
import { ModelApi } from "../support/model-api/server.js";
import { SPEC_KIT_FIXTURES } from "../support/spec-kit-fixtures.js";

/**
 * The real codex CLI (0.171.0), run as the action runs it —
 * `codex exec <prompt> --json --sandbox workspace-write --model M
 * --skip-git-repo-check` in a git checkout — as the unprivileged `runner`
 * user when the tests run as root, against a local stand-in for the OpenAI
 * Responses API.
 */

const FIXTURES = SPEC_KIT_FIXTURES;
const KEY = "sk-specwright-test-key";
const user: UserIds | undefined = runnerUser();
const dirs: string[] = [];

/** A sentence only the speckit-specify SKILL.md contains. */
const SKILL_SENTENCE =
  "The text the user typed after `$speckit-specify` in the triggering message **is** the feature description.";

interface Sandbox {
  home: string;
  codexHome: string;
  tmp: string;
  repo: string;
}

/**
 * A fresh HOME (with CODEX_HOME = HOME/.codex), TMPDIR and checkout owned
 * by the user codex runs as. codex refuses to set up its sandbox helper
 * (`codex-linux-sandbox`) when CODEX_HOME is inside the temporary
 * directory, so TMPDIR is a separate directory.
 */
async function sandbox(layout: string | undefined): Promise<Sandbox> {
  const home = await ownedTempDir("codex-home-", user);
  const tmp = await ownedTempDir("codex-tmp-", user);
  const repo = await ownedTempDir("codex-repo-", user);
  dirs.push(home, tmp, repo);
  const codexHome = join(home, ".codex");
  await mkdir(codexHome);
  if (layout) await cp(join(FIXTURES, layout), repo, { recursive: true });
  await writeFile(join(repo, "README.md"), "# Demo\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "safe.directory=*", ...args], {
      cwd: repo,
      stdio: "ignore",
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git(
    "-c",
    "user.name=Specwright Test",
    "-c",
    "user.email=test@example.invalid",
    "commit",
    "-q",
    "-m",
    "init",
  );
  return { home, codexHome, tmp, repo };
}

/** A custom model provider: no WebSocket attempts, the key from CODEX_API_KEY. */
function standInProvider(url: string, retries = true): string {
  return [
    'model_provider = "specwright-test"',
    "",
    "[model_providers.specwright-test]",
    'name = "Specwright test stand-in"',
    `base_url = "${url}/v1"`,
    'env_key = "CODEX_API_KEY"',
    'wire_api = "responses"',
    "supports_websockets = false",
    ...(retries ? [] : ["stream_max_retries = 0", "request_max_retries = 0"]),
    "",
  ].join("\n");
}

async function codex(
  box: Sandbox,
  options: {
    prompt: string;
    model?: string;
    config: string;
    env?: NodeJS.ProcessEnv;
  },
): Promise<CliRun> {
  await writeFile(join(box.codexHome, "config.toml"), options.config);
  chownTree(box.home, user);
  chownTree(box.repo, user);
  return runCli({
    executable: "codex",
    args: [
      "exec",
      options.prompt,
      "--json",
      "--sandbox",
      "workspace-write",
      "--skip-git-repo-check",
      ...(options.model ? ["--model", options.model] : []),
    ],
    cwd: box.repo,
    env: {
      HOME: box.home,
      CODEX_HOME: box.codexHome,
      TMPDIR: box.tmp,
      ...(options.env ?? { CODEX_API_KEY: KEY }),
    },
    user,
    timeoutMs: 90_000,
  });
}

interface JsonEvent {
  type: string;
  usage?: { input_tokens: number; output_tokens: number };
  item?: {
    type: string;
    text?: string;
    command?: string;
    status?: string;
    changes?: { path: string; kind: string }[];
  };
  error?: { message: string };
  message?: string;
}

function events(stdout: string): JsonEvent[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as JsonEvent);
}

const SPEC = "specs/001-photo-albums/spec.md";

/** Three answers: write a file and run a command, edit the file, finish. */
const specScript: Script = ({ turn }) => {
  if (turn === 0)
    return [
      {
        write: SPEC,
        content: "# Feature: Photo albums\n\nStatus: draft\n",
      },
      { shell: "echo ran > shell-marker.txt" },
    ];
  if (turn === 1)
    return [{ edit: SPEC, find: "Status: draft", replace: "Status: ready" }];
  return [{ say: "Spec ready." }];
};

describe("codex 0.171.0 (real CLI) against the OpenAI Responses stand-in", () => {
  const api = new ModelApi([openaiResponsesAdapter]);

  beforeAll(async () => {
    await api.start();
  });

  afterAll(async () => {
    await api.stop();
    await Promise.all(
      dirs.map((dir) => rm(dir, { recursive: true, force: true })),
    );
  });

  afterEach(() => {
    api.requests.length = 0;
    api.unanswered.length = 0;
  });

  it("runs $speckit-specify with a code-mode model: the SKILL.md is inlined, apply_patch writes and edits, exec_command runs", {
    timeout: 120_000,
  }, async () => {
    const box = await sandbox("codex");
    api.use(specScript);
    const run = await codex(box, {
      prompt: "$speckit-specify Build a photo album organizer",
      model: "gpt-6.2-astra",
      config: standInProvider(api.url),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(api.unanswered).toEqual([]);

    expect(await readFile(join(box.repo, SPEC), "utf8")).toBe(
      "# Feature: Photo albums\n\nStatus: ready\n",
    );
    expect(await readFile(join(box.repo, "shell-marker.txt"), "utf8")).toBe(
      "ran\n",
    );

    const turns = api.turns("codex");
    expect(turns.map((r) => r.turn)).toEqual([0, 1, 2]);
    for (const request of turns) {
      expect(request.credential).toBe(KEY);
      expect(request.model).toBe("gpt-6.2-astra");
      expect(request.stream).toBe(true);
      expect(request.path).toBe("/v1/responses");
    }
    const first = turns[0];
    // `$speckit-specify` makes codex inline the whole SKILL.md as a
    // `<skill>` user message: the model does not have to read it.
    expect(first?.text).toContain(SKILL_SENTENCE);
    expect(first?.text).toContain("<name>speckit-specify</name>");
    expect(first?.text).toContain(
      "$speckit-specify Build a photo album organizer",
    );
    expect(first?.tools).toEqual(
      expect.arrayContaining([
        "exec",
        "tools.apply_patch",
        "tools.exec_command",
      ]),
    );

    const out = events(run.stdout);
    expect(out[0]?.type).toBe("thread.started");
    const files = out.filter(
      (e) => e.type === "item.completed" && e.item?.type === "file_change",
    );
    expect(files.map((e) => e.item?.status)).toEqual([
      "completed",
      "completed",
    ]);
    const commands = out.filter(
      (e) =>
        e.type === "item.completed" && e.item?.type === "command_execution",
    );
    expect(commands[0]?.item?.command).toContain("shell-marker.txt");
    expect(out.at(-2)?.item).toMatchObject({
      type: "agent_message",
      text: "Spec ready.",
    });
    // Usage is the sum over every request of the run.
    expect(out.at(-1)).toMatchObject({
      type: "turn.completed",
      usage: {
        input_tokens: 3 * USAGE_PER_ANSWER.input_tokens,
        output_tokens: 3 * USAGE_PER_ANSWER.output_tokens,
      },
    });
  });

  it("drives the classic tool set (gpt-5.5: apply_patch and exec_command as top-level tools)", {
    timeout: 120_000,
  }, async () => {
    const box = await sandbox("codex");
    api.use(specScript);
    const run = await codex(box, {
      prompt: "$speckit-specify Build a photo album organizer",
      model: "gpt-5.5",
      config: standInProvider(api.url),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(api.unanswered).toEqual([]);
    expect(await readFile(join(box.repo, SPEC), "utf8")).toBe(
      "# Feature: Photo albums\n\nStatus: ready\n",
    );
    expect(existsSync(join(box.repo, "shell-marker.txt"))).toBe(true);
    const turns = api.turns("codex");
    expect(turns.map((r) => r.turn)).toEqual([0, 1, 2]);
    expect(turns[0]?.model).toBe("gpt-5.5");
    expect(turns[0]?.tools).toEqual(
      expect.arrayContaining(["apply_patch", "exec_command"]),
    );
    expect(turns[0]?.text).toContain(SKILL_SENTENCE);
  });

  it("with the built-in provider and openai_base_url, sends CODEX_API_KEY as a bearer token (OPENAI_API_KEY alone is not sent)", {
    timeout: 120_000,
  }, async () => {
    const box = await sandbox(undefined);
    api.use(() => [{ say: "Hello." }]);
    const config = `openai_base_url = "${api.url}/v1"\n`;
    // The built-in provider tries a Responses WebSocket first (the
    // stand-in refuses the upgrade), then falls back to HTTP.
    const withCodexKey = await codex(box, {
      prompt: "Say hello.",
      model: "gpt-6.2-sol",
      config,
      env: { CODEX_API_KEY: KEY },
    });
    expect(withCodexKey.code, withCodexKey.stderr).toBe(0);
    expect(api.turns("codex").map((r) => r.credential)).toEqual([KEY]);
    expect(api.turns("codex")[0]?.model).toBe("gpt-6.2-sol");
    api.requests.length = 0;

    const withOpenAiKey = await codex(box, {
      prompt: "Say hello.",
      config,
      env: { OPENAI_API_KEY: KEY },
    });
    expect(withOpenAiKey.code, withOpenAiKey.stderr).toBe(0);
    expect(api.turns("codex").map((r) => r.credential)).toEqual([null]);
  });

  it("does not expand custom prompts or unknown skills in exec mode: the action must inline the command text", {
    timeout: 120_000,
  }, async () => {
    const box = await sandbox("classic");
    const body =
      "Plan the feature. CLASSIC-PLAN-COMMAND-BODY. Arguments: $ARGUMENTS\n";
    await mkdir(join(box.repo, ".codex", "prompts"), { recursive: true });
    await writeFile(join(box.repo, ".codex/prompts/speckit.plan.md"), body);
    await mkdir(join(box.codexHome, "prompts"), { recursive: true });
    await writeFile(join(box.codexHome, "prompts/speckit.plan.md"), body);
    api.use(() => [{ say: "OK." }]);

    for (const prompt of [
      "/prompts:speckit.plan use SQLite",
      "/speckit.plan use SQLite",
      "$speckit-plan use SQLite",
    ]) {
      const run = await codex(box, {
        prompt,
        config: standInProvider(api.url),
      });
      expect(run.code, run.stderr).toBe(0);
      const [request] = api.turns("codex");
      expect(request?.text).toContain(prompt);
      expect(request?.text).not.toContain("CLASSIC-PLAN-COMMAND-BODY");
      api.requests.length = 0;
    }

    const inlined = await codex(box, {
      prompt: body.replace("$ARGUMENTS", "use SQLite"),
      config: standInProvider(api.url),
    });
    expect(inlined.code, inlined.stderr).toBe(0);
    expect(api.turns("codex")[0]?.text).toContain(
      "CLASSIC-PLAN-COMMAND-BODY. Arguments: use SQLite",
    );
  });
});

describe("codex 0.171.0 (real CLI) with a wrong key", () => {
  const api = new ModelApi([refusingResponsesAdapter(401)]);

  beforeAll(async () => {
    await api.start();
  });

  afterAll(async () => {
    await api.stop();
  });

  it("exits 1 with turn.failed carrying the API's 401 message", {
    timeout: 120_000,
  }, async () => {
    const box = await sandbox("codex");
    const run = await codex(box, {
      prompt: "$speckit-specify Build a photo album organizer",
      config: standInProvider(api.url, false),
      env: { CODEX_API_KEY: "sk-wrong" },
    });
    expect(run.code).toBe(1);
    expect(api.requests.map((r) => r.credential)).toEqual(["sk-wrong"]);
    const out = events(run.stdout);
    expect(out.at(-1)).toMatchObject({
      type: "turn.failed",
      error: {
        message: expect.stringContaining(
          "401 Unauthorized: Incorrect API key provided: sk-wrong.",
        ),
      },
    });
    expect(out.some((e) => e.type === "turn.completed")).toBe(false);
  });
});

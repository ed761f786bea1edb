import { execFileSync } from "node:child_process";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { geminiAdapter } from "../support/model-api/gemini.js";
import {
  chownTree,
  ownedTempDir,
  runCli,
  runnerUser,
} from "../support/model-api/run-cli.js";
import { type Script, USAGE_PER_ANSWER } from "../support/model-api/script.js";
import { type Adapter, ModelApi } from "../support/model-api/server.js";
import { specKitLayout } from "../support/spec-kit-fixtures.js";

// gemini-cli 0.61, the real one, against a local stand-in for the Gemini
// API: it must run a Spec Kit command from `.gemini/commands/*.toml` and do
// the work with its own tools (write_file, run_shell_command, replace).

const LAYOUT = specKitLayout("gemini");
const MODEL = "gemini-2.5-pro";
const KEY = "gemini-test-key";
const user = runnerUser();

/** A distinctive sentence of `speckit.specify.toml`'s prompt. */
const SPECIFY_SENTENCE =
  "The text the user typed after `/speckit.specify` in the triggering message **is** the feature description.";

const SPEC = "specs/001-dark-mode/spec.md";

/** Write the spec, run a shell command, edit the spec, then answer. */
const specifyScript: Script = ({ turn }) => {
  if (turn === 0)
    return [
      { write: SPEC, content: "# Dark mode\n\nStatus: draft\n" },
      { shell: "id -un | tee shell-ran.txt" },
    ];
  if (turn === 1)
    return [{ edit: SPEC, find: "Status: draft", replace: "Status: ready" }];
  return [{ say: "Specification written." }];
};

/**
 * `security.auth.selectedType` is needed because GOOGLE_GEMINI_BASE_URL
 * alone selects the "gateway" auth type, which headless mode refuses
 * (exit 41). Usage statistics off: they would go to play.googleapis.com.
 */
const SETTINGS = {
  security: { auth: { selectedType: "gemini-api-key" } },
  privacy: { usageStatisticsEnabled: false },
};

let api: ModelApi | undefined;
const made: string[] = [];

afterEach(async () => {
  await api?.stop();
  api = undefined;
  for (const dir of made.splice(0))
    await rm(dir, { recursive: true, force: true });
});

async function standIn(adapter: Adapter = geminiAdapter): Promise<ModelApi> {
  api = await new ModelApi([adapter]).start();
  return api;
}

/** A fresh HOME with gemini-cli's user settings, and a checkout of the layout. */
async function workspace(options: {
  settings?: object;
  remove?: string[];
}): Promise<{ home: string; repo: string }> {
  const home = await ownedTempDir("gemini-home-", user);
  made.push(home);
  await mkdir(join(home, ".gemini"));
  // gemini-cli writes its error reports to TMPDIR: keep them in here.
  await mkdir(join(home, "tmp"));
  await writeFile(
    join(home, ".gemini", "settings.json"),
    JSON.stringify(options.settings ?? SETTINGS),
  );
  chownTree(home, user);
  const repo = await ownedTempDir("gemini-repo-", user);
  made.push(repo);
  await cp(LAYOUT, repo, { recursive: true });
  execFileSync("chmod", ["-R", "u+w", repo]);
  for (const path of options.remove ?? [])
    execFileSync("rm", [join(repo, path)]);
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", `safe.directory=${repo}`, ...args], {
      cwd: repo,
      encoding: "utf8",
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git(
    "-c",
    "user.name=Specwright Test",
    "-c",
    "user.email=test@example.invalid",
    "commit",
    "-qm",
    "Spec Kit layout",
  );
  chownTree(repo, user);
  return { home, repo };
}

function gemini(
  prompt: string,
  ws: { home: string; repo: string },
  url: string,
  options: { trust?: boolean; key?: string } = {},
) {
  return runCli({
    executable: "gemini",
    args: [
      "-p",
      prompt,
      "--yolo",
      ...(options.trust === false ? [] : ["--skip-trust"]),
      "-m",
      MODEL,
      "--output-format",
      "json",
    ],
    cwd: ws.repo,
    env: {
      HOME: ws.home,
      TMPDIR: join(ws.home, "tmp"),
      GEMINI_API_KEY: options.key ?? KEY,
      GOOGLE_GEMINI_BASE_URL: url,
    },
    user,
    timeoutMs: 90_000,
  });
}

/** `git status --porcelain` of the checkout (as root the repo is runner's). */
function changedFiles(repo: string): string[] {
  return execFileSync(
    "git",
    ["-c", `safe.directory=${repo}`, "status", "--porcelain", "-uall"],
    { cwd: repo, encoding: "utf8" },
  )
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => line.slice(3))
    .sort();
}

describe("gemini-cli (real) against the Gemini API stand-in", () => {
  it("runs /speckit.specify from the TOML command and works with its own tools", {
    timeout: 120_000,
  }, async () => {
    const stand = await standIn();
    stand.use(specifyScript);
    const ws = await workspace({});

    const run = await gemini("/speckit.specify Add dark mode", ws, stand.url);

    expect(run.code, run.stderr).toBe(0);
    expect(stand.unanswered).toEqual([]);
    // write_file wrote it, replace edited it.
    expect(await readFile(join(ws.repo, SPEC), "utf8")).toBe(
      "# Dark mode\n\nStatus: ready\n",
    );
    // run_shell_command ran, as the unprivileged user when we are root.
    expect(
      (await readFile(join(ws.repo, "shell-ran.txt"), "utf8")).trim(),
    ).toBe(
      user
        ? "runner"
        : execFileSync("id", ["-un"], { encoding: "utf8" }).trim(),
    );
    // Nothing else lands in the checkout (no .gemini/ state).
    expect(changedFiles(ws.repo)).toEqual(["shell-ran.txt", SPEC].sort());

    const turns = stand.turns("gemini");
    expect(turns.map((t) => t.turn)).toEqual([0, 1, 2]);
    // With -m there is no routing classifier and no other side request.
    expect(stand.requests).toHaveLength(3);
    for (const request of turns) {
      expect(request.credential).toBe(KEY);
      expect(request.headers["x-goog-api-key"]).toBe(KEY);
      expect(request.model).toBe(MODEL);
      expect(request.path).toBe(
        `/v1beta/models/${MODEL}:streamGenerateContent`,
      );
      expect(request.stream).toBe(true);
      expect(request.tools).toEqual(
        expect.arrayContaining(["write_file", "replace", "run_shell_command"]),
      );
    }
    // The TOML command's prompt, with {{args}} filled in, reached the model.
    const first = turns[0]?.text ?? "";
    expect(first).toContain(SPECIFY_SENTENCE);
    expect(first).toContain("Add dark mode");
    expect(first).not.toContain("{{args}}");
    expect(first).not.toContain("/speckit.specify Add dark mode");
    // Tool results came back to the model.
    expect(turns[1]?.text).toContain(
      "Successfully created and wrote to new file",
    );
    expect(turns[1]?.text).toContain(`Output: ${user ? "runner" : "root"}`);

    // Usage: what the stand-in reported, per answer.
    const out = JSON.parse(run.stdout) as {
      response: string;
      stats: {
        models: Record<
          string,
          { tokens: { input: number; candidates: number; total: number } }
        >;
        tools: {
          totalCalls: number;
          byName: Record<string, { count: number }>;
        };
      };
    };
    expect(out.response).toBe("Specification written.");
    expect(Object.keys(out.stats.models)).toEqual([MODEL]);
    expect(out.stats.models[MODEL]?.tokens).toMatchObject({
      input: 3 * USAGE_PER_ANSWER.input_tokens,
      candidates: 3 * USAGE_PER_ANSWER.output_tokens,
      total:
        3 * (USAGE_PER_ANSWER.input_tokens + USAGE_PER_ANSWER.output_tokens),
    });
    expect(out.stats.tools.totalCalls).toBe(3);
    expect(Object.keys(out.stats.tools.byName).sort()).toEqual([
      "replace",
      "run_shell_command",
      "write_file",
    ]);
  });

  it("sends an unknown slash command to the model as plain text and exits 0", {
    timeout: 120_000,
  }, async () => {
    const stand = await standIn();
    stand.use(() => [{ say: "No such command." }]);
    const ws = await workspace({
      remove: [".gemini/commands/speckit.converge.toml"],
    });

    const run = await gemini("/speckit.converge Tidy up", ws, stand.url);

    expect(run.code, run.stderr).toBe(0);
    const turns = stand.turns("gemini");
    expect(turns).toHaveLength(1);
    const body = turns[0]?.body as
      | { contents: { parts: { text?: string }[] }[] }
      | undefined;
    const contents = body?.contents ?? [];
    expect(contents.at(-1)?.parts.at(-1)?.text).toBe(
      "/speckit.converge Tidy up",
    );
    expect(JSON.parse(run.stdout)).toMatchObject({
      response: "No such command.",
    });
  });

  it("fails with the HTTP status as its exit code when the key is refused", {
    timeout: 120_000,
  }, async () => {
    // The stand-in answers 401 to a wrong key, like a gateway would.
    const refusing: Adapter = {
      backend: "gemini",
      matches: geminiAdapter.matches,
      handle(exchange) {
        if (exchange.req.headers["x-goog-api-key"] === KEY)
          return geminiAdapter.handle(exchange);
        exchange.answer({
          api: "gemini",
          credential: String(exchange.req.headers["x-goog-api-key"] ?? ""),
          model: null,
          stream: false,
          text: "",
          tools: [],
          turn: 0,
          auxiliary: true,
        });
        exchange.res.writeHead(401, { "content-type": "application/json" });
        exchange.res.end(
          JSON.stringify({
            error: {
              code: 401,
              message: "Request had invalid authentication credentials.",
              status: "UNAUTHENTICATED",
            },
          }),
        );
      },
    };
    const stand = await standIn(refusing);
    const ws = await workspace({});

    const run = await gemini("/speckit.specify Add dark mode", ws, stand.url, {
      key: "wrong-key",
    });

    // 401 & 0xff: gemini-cli exits with the HTTP status, truncated.
    expect(run.code).toBe(401 & 0xff);
    expect(run.stdout).toBe("");
    expect(stand.requests.map((r) => r.credential)).toEqual(["wrong-key"]);
    const error = JSON.parse(
      run.stderr.slice(run.stderr.lastIndexOf("\n{\n")),
    ) as {
      error: { code: number; message: string };
    };
    expect(error.error.code).toBe(401);
    expect(error.error.message).toContain("UNAUTHENTICATED");
  });

  it("refuses to run headless without trust (55) or without an auth type (41)", {
    timeout: 120_000,
  }, async () => {
    const stand = await standIn();
    const ws = await workspace({});
    const untrusted = await gemini("hello", ws, stand.url, { trust: false });
    expect(untrusted.code).toBe(55);
    expect(untrusted.stderr).toContain("not running in a trusted directory");

    const noAuth = await workspace({
      settings: { privacy: { usageStatisticsEnabled: false } },
    });
    const invalid = await gemini("hello", noAuth, stand.url);
    expect(invalid.code).toBe(41);
    expect(invalid.stderr).toContain("Invalid auth method selected.");
    expect(stand.requests).toEqual([]);
  });
});

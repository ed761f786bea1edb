import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Changes } from "../../src/contracts/changes.js";
import type { StageResult } from "../../src/contracts/stage-result.js";
import { type ActionRun, createHarness, json, SECRET } from "./harness.js";

/** A token the workflow gives the job, which the agent inherits. */
const NPM_TOKEN = "npm_leakable0123456789abcdefXYZ";

/**
 * An agent CLI (installed as `claude`) that tries to hand back its key
 * every way it has: its `--version`, stdout and stderr, the final message,
 * a value output, a changed file (base64), the step summary; and to write
 * the runner's command files. It records what it was given in `$1`/env.
 */
const LEAKING_AGENT = (loot: string) => `#!/bin/sh
KEY="$ANTHROPIC_API_KEY"
if [ "$1" = "--version" ]; then echo "2.1.197 (Claude Code) $KEY"; exit 0; fi
env > "${loot}/env"
B64=$(printf '%s' "$KEY" | base64 | tr -d '\\n')
SHIFTED=$(printf 'key=%s' "$KEY" | base64 | tr -d '\\n')
echo "my key is $KEY, in base64 $B64, shifted $SHIFTED, npm $NPM_TOKEN"
echo "debug: $KEY $B64" >&2
mkdir -p specs/001-dark-mode .specwright
echo "# Dark mode" > specs/001-dark-mode/spec.md
echo "$SHIFTED" > notes.md
printf '{"report": "key %s / %s / %s"}' "$KEY" "$B64" "$NPM_TOKEN" > .specwright/outputs.json
echo "the key: $KEY" >> "$GITHUB_STEP_SUMMARY"
printf 'pwned<<EOF\\nyes\\nEOF\\n' >> "$GITHUB_OUTPUT"
echo "NODE_OPTIONS=--require=/tmp/pwn.js" >> "$GITHUB_ENV"
echo "/tmp/pwn" >> "$GITHUB_PATH"
echo "pwned=yes" >> "$GITHUB_STATE"
printf '{"type":"result","subtype":"success","is_error":false,"result":"Done: %s %s","num_turns":1}\\n' "$KEY" "$B64"
exit 1
`;

/** The secret in every form the agent could write it, decoded where encoded. */
function holdsSecret(text: string, secrets: readonly string[]): string[] {
  const decoded = [...text.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)].map((m) =>
    Buffer.from(m[0], "base64").toString("latin1"),
  );
  return secrets.filter(
    (secret) =>
      text.includes(secret) || decoded.some((d) => d.includes(secret)),
  );
}

async function leak(): Promise<{
  run: ActionRun;
  env: string;
  files: Record<string, string>;
}> {
  const h = await createHarness();
  const bin = join(h.root, "leaking-bin");
  const loot = join(h.root, "loot");
  await mkdir(bin);
  await mkdir(loot);
  await writeFile(join(bin, "claude"), LEAKING_AGENT(loot));
  await chmod(join(bin, "claude"), 0o755);
  const files: Record<string, string> = {};
  for (const name of ["GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE"]) {
    files[name] = join(h.root, name.toLowerCase());
    await writeFile(files[name], "");
  }
  const run = await h.runAction(
    h.request({
      skill: {
        id: "none",
        is_speckit: false,
        allowlisted: false,
        fallback: false,
        health_check: null,
      },
      outputs: [
        {
          name: "spec",
          type: "file",
          path: "specs/*/spec.md",
          must_change: true,
          required: true,
        },
        { name: "report", type: "string", must_change: false, required: true },
      ],
    }),
    {
      env: {
        PATH: `${bin}:${h.bin}:${process.env.PATH}`,
        NPM_TOKEN,
        ...files,
      },
    },
  );
  const written: Record<string, string> = {};
  for (const [name, path] of Object.entries(files))
    written[name] = await readFile(path, "utf8");
  return {
    run,
    env: await readFile(join(loot, "env"), "utf8"),
    files: written,
  };
}

describe("an agent that leaks its key", () => {
  // One attack; each test looks at one way out.
  let attack: Awaited<ReturnType<typeof leak>>;
  beforeAll(async () => {
    attack = await leak();
  });

  it("gets nothing of it out: the bundle, the step's outputs, summary, failure and log are masked, encodings too", () => {
    const { run } = attack;
    const secrets = [SECRET, NPM_TOKEN];
    expect(run.upload).toBeDefined();
    for (const [name, bytes] of run.upload?.files ?? [])
      expect(holdsSecret(bytes.toString("utf8"), secrets), name).toEqual([]);
    expect(holdsSecret(run.summary, secrets), "summary").toEqual([]);
    expect(holdsSecret(run.failed ?? "", secrets), "failure").toEqual([]);
    expect(holdsSecret(JSON.stringify(run.outputs), secrets)).toEqual([]);
    expect(holdsSecret(run.log, secrets), "log").toEqual([]);

    const result = json<StageResult>(run.upload, "result.json");
    // Masked where it stood, not dropped: the reader sees what happened.
    expect(result.agent.version).toBe("2.1.197 (Claude Code) ***");
    expect(json(run.upload, "environment.json")).toMatchObject({
      agent: { version: "2.1.197 (Claude Code) ***" },
    });
    expect(result.outputs.report).toMatch(/^key \*\*\* \/ \*\*\*/);
    expect(result.outputs.report).toMatch(/ \/ \*\*\*$/);
    expect(result.final_message).toMatch(/^Done: \*\*\* \*\*\*/);
    expect(run.summary).toContain(
      "| Agent | claude 2.1.197 (Claude Code) *** |",
    );
    expect(run.upload?.files.get("stdout.log")?.toString()).toContain(
      "my key is ***, in base64 ***",
    );
  });

  it("fails the stage for a changed file holding the key base64-encoded, and hands back no file", () => {
    const { run } = attack;
    expect(run.failed).toContain(
      "notes.md contains a secret the stage was given; nothing is handed back",
    );
    expect(json<Changes>(run.upload, "changes.json").files).toEqual([]);
  });

  it("cannot write the runner's command files: they are not in its environment", () => {
    const { run, env, files } = attack;
    for (const name of [
      "GITHUB_OUTPUT",
      "GITHUB_ENV",
      "GITHUB_PATH",
      "GITHUB_STATE",
      "GITHUB_STEP_SUMMARY",
      "ACTIONS_RUNTIME_TOKEN",
      "GITHUB_TOKEN",
    ])
      expect(env, name).not.toMatch(new RegExp(`^${name}=`, "m"));
    expect(env).toMatch(/^ANTHROPIC_API_KEY=/m);
    expect(run.outputs).not.toHaveProperty("pwned");
    expect(files).toEqual({
      GITHUB_ENV: "",
      GITHUB_PATH: "",
      GITHUB_STATE: "",
    });
    expect(run.summary).toMatch(/^## Specwright: specify/);
    expect(run.summary).not.toContain("the key:");
  });
});

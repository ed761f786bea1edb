import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import {
  readRunMetadata,
  runPaths,
} from "../../../src/local/run-folder/index.js";
import { specwrightInProcess } from "../../support/in-process-cli.js";

// Two stages of one batch that end at the same moment: both results wait
// to be collected at once. Each must be committed on the head the other
// left, not on the head both started from.

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("commits siblings that end together one after the other, and the run goes on", async () => {
  dir = await mkdtemp(join(tmpdir(), "specwright-siblings-"));
  const repo = join(dir, "repo");
  const bin = join(dir, "bin");
  const marks = join(dir, "marks");
  await mkdir(repo);
  await mkdir(bin);
  await mkdir(marks);
  // b and c each wait for the other to be done, so both end together.
  await writeFile(
    join(bin, "sibling-agent"),
    `#!/bin/sh
cat > /dev/null
echo "made by $SPECWRIGHT_STAGE" > "$SPECWRIGHT_STAGE.txt"
case "$SPECWRIGHT_STAGE" in
  b|c)
    touch "${marks}/$SPECWRIGHT_STAGE"
    tries=0
    while [ ! -e "${marks}/b" ] || [ ! -e "${marks}/c" ]; do
      sleep 0.02; tries=$((tries + 1)); [ $tries -gt 500 ] && break
    done
    ;;
esac
echo "done with $SPECWRIGHT_STAGE"
`,
  );
  await chmod(join(bin, "sibling-agent"), 0o755);
  await mkdir(join(repo, ".github"));
  await writeFile(
    join(repo, ".github/specwright.yml"),
    `agent:
  backend: command
  command: sibling-agent
workflow:
  name: Siblings
  stages:
    - { id: a, prompt: Start }
    - { id: b, depends_on: [a], prompt: One side }
    - { id: c, depends_on: [a], prompt: The other side }
    - { id: d, depends_on: [b, c], prompt: Join }
`,
  );
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: repo, encoding: "utf8" });
  git("init", "--quiet", "--initial-branch=main");
  git("config", "user.name", "Test Person");
  git("config", "user.email", "person@example.com");
  git("add", ".");
  git("commit", "--quiet", "-m", "A workflow with siblings");

  const result = await specwrightInProcess(
    ["run", "--concurrency", "2", "--feature", "Side by side"],
    { cwd: repo, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } },
  );
  const id = /run ([0-9a-f-]{36}) in /.exec(result.stderr)?.[1] ?? "";
  const run = await readRunMetadata(runPaths(repo, id));
  expect(
    { code: result.code, status: run.status },
    result.stdout + result.stderr,
  ).toStrictEqual({ code: 0, status: "succeeded" });
  const subjects = git("log", "--format=%s", `${run.branch}`, "^main")
    .trim()
    .split("\n")
    .reverse();
  expect(subjects[0]).toBe('specwright(a): a for "Side by side"');
  expect(subjects.slice(1, 3).sort()).toStrictEqual([
    'specwright(b): b for "Side by side"',
    'specwright(c): c for "Side by side"',
  ]);
  expect(subjects[3]).toBe('specwright(d): d for "Side by side"');
  expect(git("show", `${run.branch}:b.txt`)).toBe("made by b\n");
  expect(git("show", `${run.branch}:c.txt`)).toBe("made by c\n");
}, 60_000);

// A gate on a terminal, decided from somewhere else: `specwright run` on a
// pseudo-terminal (util-linux `script`) shows its live view and asks at
// the implement gate; a second process approves it, and the first goes on.
// Meanwhile no second process may advance the run itself.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatClock } from "../../../src/local/progress/index.js";
import type {
  LockOwner,
  RunMetadata,
} from "../../../src/local/run-folder/index.js";
import {
  type CliResult,
  LocalRunWorld,
  type Running,
} from "../../support/local-run-world.js";

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const QUESTION =
  "implement is waiting for approval — [a]pprove, [r]eject, or [w]ait and decide later? ";

/** Why this machine cannot give the CLI a terminal, or null when it can. */
function noTerminal(): string | null {
  const found = spawnSync("script", ["--version"], { encoding: "utf8" });
  if (found.error !== undefined)
    return "needs util-linux `script` on PATH for a pseudo-terminal";
  if (!`${found.stdout}${found.stderr}`.includes("util-linux"))
    return "needs util-linux `script` (this one is another) for a pseudo-terminal";
  return null;
}

/** The output as the terminal would keep it: colours and cursor moves gone. */
function plainText(output: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI codes
  return output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replaceAll("\r", "");
}

const why = noTerminal();

describe.skipIf(why !== null)(
  `a gate asked on a terminal, approved from a second process${why === null ? "" : ` (skipped: ${why})`}`,
  () => {
    let world: LocalRunWorld;
    let first: Running;
    let id: string;
    let short: string;
    /** The lock the first process held while it asked. */
    let owner: LockOwner;
    let waiting: RunMetadata;
    let resume: CliResult;
    let afterResume: RunMetadata;
    let approve: CliResult;
    let firstEnd: CliResult;
    let metadata: RunMetadata;

    beforeAll(async () => {
      world = await LocalRunWorld.create();
      first = world.startInTerminal(
        ["run", "--feature", "Add a dark mode toggle"],
        { env: { TERM: "xterm" } },
      );
      await first.waitFor(QUESTION);
      id = LocalRunWorld.runId(plainText(first.stdout));
      short = id.slice(0, 8);
      const folder = join(world.repo, ".specwright/runs", id);
      owner = JSON.parse(
        await readFile(join(folder, "lock"), "utf8"),
      ) as LockOwner;
      waiting = await world.metadata(id);

      resume = await world.specwright(["resume", short]);
      afterResume = await world.metadata(id);
      approve = await world.specwright(["approve", short]);
      firstEnd = await first.done;
      metadata = await world.metadata(id);
    }, 120_000);

    afterAll(async () => {
      if (first !== undefined && first.child.exitCode === null) {
        first.child.kill("SIGKILL");
        // `script` gone, its terminal hangs up on the CLI; make sure.
        if (owner !== undefined && existsSync(`/proc/${owner.pid}`))
          process.kill(owner.pid, "SIGKILL");
      }
      first?.child.stdin?.destroy();
      await world?.remove();
    });

    it("shows the live view, then asks at the gate with the cursor shown", () => {
      const output = first.stdout;
      const asked = output.indexOf(QUESTION);
      const before = plainText(output.slice(0, asked));

      expect(asked).toBeGreaterThan(-1);
      expect(output.indexOf(HIDE_CURSOR)).toBeGreaterThan(-1);
      expect(output.indexOf(HIDE_CURSOR)).toBeLessThan(asked);
      expect(output.lastIndexOf(SHOW_CURSOR, asked)).toBeGreaterThan(
        output.lastIndexOf(HIDE_CURSOR, asked),
      );
      // The block of stage lines, drawn in full width.
      for (const stage of ["specify", "plan", "tasks", "analyze"])
        expect(before).toMatch(
          new RegExp(`✓ ${stage} +succeeded +\\d+\\.\\ds +1,540 tokens`),
        );
      expect(before).toContain(
        `implement: waiting for approval — run: specwright approve ${short} implement (or: specwright reject ${short} implement)`,
      );
      expect(waiting.state.stages.map((s) => s.status)).toStrictEqual([
        "succeeded",
        "succeeded",
        "succeeded",
        "succeeded",
        "waiting_approval",
      ]);
      expect(owner).toMatchObject({ command: "specwright run" });
      expect(owner.pid).not.toBe(first.child.pid);
    });

    it("refuses `resume` from a second process in one line naming the first's pid", () => {
      expect(resume.code).toBe(1);
      expect(resume.stdout).toBe("");
      expect(resume.stderr).toBe(
        `specwright resume: run ${short}… is being advanced by another specwright process (pid ${owner.pid}, \`specwright run\`, since ${formatClock(owner.started_at)}); wait for it, or stop it\n`,
      );
      // It changed nothing.
      expect(afterResume).toStrictEqual(waiting);
    });

    it("`approve` from a second process hands the decision to the first, exit 0", () => {
      expect(approve.code).toBe(0);
      expect(approve.stdout).toBe("");
      expect(approve.stderr).toBe(
        `specwright: done; run ${short} goes on in the process running it (pid ${owner.pid})\n`,
      );
    });

    it("the first process runs implement and ends the run succeeded, exit 0", () => {
      const output = first.stdout;
      const asked = output.indexOf(QUESTION);
      const after = plainText(output.slice(asked + QUESTION.length));

      expect(firstEnd.code).toBe(0);
      expect(metadata.status).toBe("succeeded");
      const implement = metadata.state.stages.find((s) => s.id === "implement");
      expect(implement?.status).toBe("succeeded");
      expect(implement?.approved_by).toBe(userInfo().username);
      expect(metadata.steps["implement#1"]).toBe("05_implement");
      expect(after).toMatch(/✓ implement +succeeded/);
      expect(after).toMatch(/run succeeded in \d+\.\ds: Every stage finished/);
      expect(after).toContain(
        `Run ${short} succeeded: Every stage finished. Branch ${metadata.branch}, checked out in ${metadata.workspace}.`,
      );
      // The view hid the cursor again while implement ran, and showed it at the end.
      expect(output.indexOf(HIDE_CURSOR, asked)).toBeGreaterThan(asked);
      expect(output.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(
        output.lastIndexOf(HIDE_CURSOR),
      );
      // The run's lock went with the process.
      expect(existsSync(join(world.repo, ".specwright/runs", id, "lock"))).toBe(
        false,
      );
    });
  },
);

import { randomUUID } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BrokenRunFolderError } from "../../../src/local/run-folder/errors.js";
import {
  postControl,
  takeControls,
} from "../../../src/local/run-folder/inbox.js";
import {
  type RunPaths,
  runPaths,
} from "../../../src/local/run-folder/paths.js";
import { watchInbox } from "../../../src/local/run-folder/watch-inbox.js";
import { makeTempDir, removeTempDirs } from "./fixtures.js";

let paths: RunPaths;
let watcher: { close(): void } | undefined;

beforeEach(async () => {
  paths = runPaths(await makeTempDir(), randomUUID());
  await mkdir(paths.inbox, { recursive: true });
});
afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await removeTempDirs();
});

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("postControl and takeControls", () => {
  it("takes posted requests oldest first and empties the inbox", async () => {
    const approve = await postControl(paths, {
      kind: "approve",
      stage: "plan",
      by: "octocat",
    });
    const reject = await postControl(paths, {
      kind: "reject",
      stage: "plan",
      by: "hubot",
      reason: "too broad",
    });
    const cancel = await postControl(paths, { kind: "cancel", by: "octocat" });
    expect(new Set([approve, reject, cancel]).size).toBe(3);

    expect(await takeControls(paths)).toStrictEqual([
      {
        kind: "approve",
        stage: "plan",
        by: "octocat",
        id: approve,
        at: expect.stringMatching(ISO),
      },
      {
        kind: "reject",
        stage: "plan",
        by: "hubot",
        reason: "too broad",
        id: reject,
        at: expect.stringMatching(ISO),
      },
      {
        kind: "cancel",
        by: "octocat",
        id: cancel,
        at: expect.stringMatching(ISO),
      },
    ]);
    expect(await readdir(paths.inbox)).toStrictEqual([]);
    expect(await takeControls(paths)).toStrictEqual([]);
  });

  it("deletes a file that is not a request and reports it in its place", async () => {
    await writeFile(join(paths.inbox, "000000000000001-aaaa.json"), "{nope");
    await writeFile(
      join(paths.inbox, "000000000000002-bbbb.json"),
      JSON.stringify({
        kind: "approve",
        by: "octocat",
        id: "x",
        at: new Date().toISOString(),
      }),
    );
    const id = await postControl(paths, { kind: "cancel", by: "octocat" });
    // A write in progress (a dot name) is not the taker's to touch.
    await writeFile(join(paths.inbox, ".0000-cccc.json.1.ab.tmp"), "{");

    expect(await takeControls(paths)).toStrictEqual([
      {
        kind: "invalid",
        file: "000000000000001-aaaa.json",
        message: expect.stringMatching(/^not valid JSON \(.+\)$/),
      },
      {
        kind: "invalid",
        file: "000000000000002-bbbb.json",
        message:
          "not a control request (stage: Invalid input: expected string, received undefined)",
      },
      expect.objectContaining({ kind: "cancel", id }),
    ]);
    expect(await readdir(paths.inbox)).toStrictEqual([
      ".0000-cccc.json.1.ab.tmp",
    ]);
  });

  it("gives each request to one taker only", async () => {
    await postControl(paths, { kind: "cancel", by: "octocat" });
    const [a, b] = await Promise.all([
      takeControls(paths),
      takeControls(paths),
    ]);
    expect([...(a ?? []), ...(b ?? [])]).toHaveLength(1);
  });

  it("says when the inbox is missing", async () => {
    const gone = runPaths(paths.repoRoot, randomUUID());
    await expect(takeControls(gone)).rejects.toThrow(BrokenRunFolderError);
    await expect(
      postControl(gone, { kind: "cancel", by: "x" }),
    ).rejects.toThrow(
      `.specwright/runs/${gone.id}/inbox: missing; the run folder is incomplete`,
    );
  });
});

/** Resolves when `onReady` is first called; rejects if it never is. */
function nextReady(): Promise<void> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(
      () => reject(new Error("onReady was not called within 20 s")),
      20_000,
    );
    watcher = watchInbox(paths, () => {
      clearTimeout(guard);
      resolve();
    });
  });
}

describe("watchInbox", () => {
  it("calls onReady after a request is posted", async () => {
    const ready = nextReady();
    await postControl(paths, { kind: "approve", stage: "plan", by: "octocat" });
    await ready;
    expect(await takeControls(paths)).toHaveLength(1);
  });

  it("finds a request that was there before it started, by polling", async () => {
    // fs.watch reports changes only, so this one is found by the poll.
    await postControl(paths, { kind: "cancel", by: "octocat" });
    await nextReady();
  });

  it("calls nothing once closed", async () => {
    let calls = 0;
    watchInbox(paths, () => calls++).close();
    await postControl(paths, { kind: "cancel", by: "octocat" });
    await sleep(1_200);
    expect(calls).toBe(0);
  });
});

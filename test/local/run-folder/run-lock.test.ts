import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdir, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  RunFolderError,
  RunLockedError,
} from "../../../src/local/run-folder/errors.js";
import { removeStaleLock } from "../../../src/local/run-folder/inspect-lock.js";
import {
  type RunPaths,
  runPaths,
} from "../../../src/local/run-folder/paths.js";
import {
  acquireRunLock,
  type LockOwner,
  readLockOwner,
} from "../../../src/local/run-folder/run-lock.js";
import { deadPid, makeTempDir, removeTempDirs } from "./fixtures.js";

let paths: RunPaths;
const children: ChildProcess[] = [];

beforeEach(async () => {
  paths = runPaths(await makeTempDir(), randomUUID());
  await mkdir(paths.root, { recursive: true });
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  await removeTempDirs();
});

function ownerWith(pid: number, host = hostname()): LockOwner {
  return {
    pid,
    hostname: host,
    command: "specwright run",
    started_at: "2025-01-02T12:01:03.000Z",
  };
}

async function writeLock(content: unknown): Promise<void> {
  await writeFile(
    paths.lock,
    typeof content === "string" ? content : JSON.stringify(content),
  );
}

async function lockContent(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(paths.lock, "utf8"));
}

async function livePid(): Promise<number> {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  children.push(child);
  await once(child, "spawn");
  if (child.pid === undefined) throw new Error("sleep did not start");
  return child.pid;
}

async function lockedError(command = "specwright approve") {
  const error = await acquireRunLock(paths, command).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RunLockedError);
  return error as RunLockedError;
}

describe("acquireRunLock", () => {
  it("writes the owner into the lock file, and release removes it", async () => {
    const lock = await acquireRunLock(paths, "specwright run");
    expect(lock.owner).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
      command: "specwright run",
    });
    expect(await lockContent()).toMatchObject({ ...lock.owner });
    expect(await readLockOwner(paths)).toStrictEqual(lock.owner);
    await lock.release();
    await lock.release();
    expect(await readdir(paths.root)).toStrictEqual([]);
    expect(await readLockOwner(paths)).toBeNull();
  });

  it("refuses a second taking by the same process, naming its pid", async () => {
    const lock = await acquireRunLock(paths, "specwright run");
    const error = await lockedError();
    expect(error.owner).toStrictEqual(lock.owner);
    expect(error.message).toMatch(
      new RegExp(
        `^run ${paths.id.slice(0, 8)}… is being advanced by another specwright process \\(pid ${process.pid}, \`specwright run\`, since \\d\\d:\\d\\d:\\d\\d\\); wait for it, or stop it$`,
      ),
    );
  });

  it("refuses a lock held by a live process", async () => {
    const pid = await livePid();
    await writeLock(ownerWith(pid));
    const error = await lockedError();
    expect(error.owner).toStrictEqual(ownerWith(pid));
    expect(error.message).toContain(`(pid ${pid}, \`specwright run\`, since `);
    expect(await readLockOwner(paths)).toStrictEqual(ownerWith(pid));
    expect(await lockContent()).toMatchObject({ pid });
  });

  it("refuses a lock held on another machine, which it cannot check", async () => {
    const pid = await deadPid();
    await writeLock(ownerWith(pid, "build-host-7"));
    const error = await lockedError();
    expect(error.message).toContain(`(pid ${pid} on build-host-7, `);
  });

  it("takes over a lock left by a process that died", async () => {
    const pid = await deadPid();
    await writeLock(ownerWith(pid));
    expect(await readLockOwner(paths)).toBeNull();
    const lock = await acquireRunLock(paths, "specwright run");
    expect(lock.owner.pid).toBe(process.pid);
    expect(await lockContent()).toMatchObject({ pid: process.pid });
    expect(await readdir(paths.root)).toStrictEqual(["lock"]);
  });

  it("takes over an unreadable lock once it is 10 s old", async () => {
    await writeLock("{garbage");
    const old = new Date(Date.now() - 11_000);
    await utimes(paths.lock, old, old);
    const lock = await acquireRunLock(paths, "specwright run");
    expect(await lockContent()).toMatchObject({ pid: lock.owner.pid });
  });

  it("leaves a fresh unreadable lock alone: it may be being written", async () => {
    await writeLock("");
    const error = await lockedError();
    expect(error.owner.pid).toBe(0);
    expect(error.message).toMatch(
      /\(its lock file cannot be read, written at \d\d:\d\d:\d\d; it counts as abandoned once 10 s old\)/,
    );
    expect(await readFile(paths.lock, "utf8")).toBe("");
  });

  it("lets exactly one of two takers have a stale lock", async () => {
    for (let round = 0; round < 10; round++) {
      await writeLock(ownerWith(await deadPid()));
      const results = await Promise.allSettled([
        acquireRunLock(paths, "first"),
        acquireRunLock(paths, "second"),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(RunLockedError);
      const winner = won[0]?.value;
      expect(await lockContent()).toMatchObject({
        command: winner?.owner.command,
      });
      await winner?.release();
      expect(await readdir(paths.root)).toStrictEqual([]);
    }
  });
});

describe("RunLock.release", () => {
  it("leaves a lock someone else has since taken", async () => {
    const lock = await acquireRunLock(paths, "specwright run");
    const theirs = JSON.stringify({ ...ownerWith(4242), token: "theirs" });
    await writeLock(theirs);
    await lock.release();
    expect(await readFile(paths.lock, "utf8")).toBe(theirs);
  });
});

describe("removeStaleLock", () => {
  it("puts back a lock that replaced the stale one after it was judged", async () => {
    await writeLock(ownerWith(1));
    const judged = { text: await readFile(paths.lock, "utf8"), mtimeMs: 0 };
    const fresh = JSON.stringify({ ...ownerWith(process.pid), token: "new" });
    await writeLock(fresh);
    await removeStaleLock(paths.lock, judged);
    expect(await readdir(paths.root)).toStrictEqual(["lock"]);
    expect(await readFile(paths.lock, "utf8")).toBe(fresh);
  });

  it("does nothing when the stale lock is already gone", async () => {
    await removeStaleLock(paths.lock, { text: "", mtimeMs: 0 });
    expect(await readdir(paths.root)).toStrictEqual([]);
  });
});

describe("a run folder that is gone", () => {
  it("cannot be locked", async () => {
    const gone = runPaths(paths.repoRoot, randomUUID());
    await expect(acquireRunLock(gone, "specwright run")).rejects.toThrow(
      RunFolderError,
    );
  });
});

import { randomUUID } from "node:crypto";
import { open, readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import {
  BrokenRunFolderError,
  RunFolderError,
  RunLockedError,
  shortId,
} from "./errors.js";
import { inspectLock, type LockFile, removeStaleLock } from "./inspect-lock.js";
import { displayPath, type RunPaths } from "./paths.js";

/** Who holds a run's lock: the process advancing the run. */
export interface LockOwner {
  /** 0 when the lock file cannot be read (it is being written, or damaged). */
  pid: number;
  hostname: string;
  /** The command line that took the lock, e.g. `specwright run`. */
  command: string;
  started_at: string;
}

/** A run's lock, held by this process until released. */
export interface RunLock {
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

/**
 * Takes the run's lock so only one process advances it: `lock` is created
 * exclusively with its owner inside. A lock left by a process that died on
 * this machine (or one unreadable for 10 s) is taken over; any other lock,
 * including one this process already holds, is a `RunLockedError`.
 */
export async function acquireRunLock(
  paths: RunPaths,
  command: string,
): Promise<RunLock> {
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    command,
    started_at: new Date().toISOString(),
  };
  // The token makes our file's content unique, so "still ours" and "the
  // stale file we judged" are decided by comparing content.
  const file: LockFile = { ...owner, token: randomUUID() };
  const text = `${JSON.stringify(file)}\n`;
  // Each round either takes the lock, finds it held, or clears a stale one;
  // a lock that keeps changing hands is reported rather than fought over.
  for (let round = 0; round < 3; round++) {
    if (await createExclusive(paths, text))
      return heldLock(paths.lock, owner, text);
    const found = await inspectLock(paths.lock);
    if (found.kind === "live") throw new RunLockedError(paths.id, found.owner);
    if (found.kind === "unreadable")
      throw new RunLockedError(paths.id, {
        pid: 0,
        hostname: hostname(),
        command: "unknown",
        started_at: found.since,
      });
    if (found.kind === "stale") await removeStaleLock(paths.lock, found);
  }
  throw new RunFolderError(
    `the lock of run ${shortId(paths.id)} kept changing hands while this process tried to take it; try again`,
  );
}

/**
 * The process holding the run's lock, or null when nobody does (no lock,
 * or one left by a dead process). A lock file that cannot be read also
 * gives null: `acquireRunLock` is the place that decides about it.
 */
export async function readLockOwner(
  paths: RunPaths,
): Promise<LockOwner | null> {
  const found = await inspectLock(paths.lock);
  return found.kind === "live" ? found.owner : null;
}

/** Creates the lock file with our content, or says it exists. */
async function createExclusive(
  paths: RunPaths,
  text: string,
): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(paths.lock, "wx");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code === "ENOENT")
      throw new BrokenRunFolderError(
        displayPath(paths, paths.root),
        "missing; there is no run folder to lock",
        { cause: error },
      );
    throw error;
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(paths.lock, { force: true });
    throw error;
  }
  return true;
}

function heldLock(lockPath: string, owner: LockOwner, text: string): RunLock {
  return {
    owner,
    async release() {
      const current = await readFile(lockPath, "utf8").catch(() => null);
      if (current === text) await rm(lockPath, { force: true });
    },
  };
}

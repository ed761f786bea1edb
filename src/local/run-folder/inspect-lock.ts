import { randomBytes } from "node:crypto";
import { link, open, rename, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { LockOwner } from "./run-lock.js";

/** The lock file's content: the owner and a token unique to this taking. */
export type LockFile = LockOwner & { token: string };

/** What is at a lock's path. */
export type FoundLock =
  | { kind: "absent" }
  | { kind: "live"; owner: LockOwner }
  | { kind: "stale"; text: string; mtimeMs: number }
  | { kind: "unreadable"; since: string };

/**
 * A lock file is created empty and then written, so an unreadable one may
 * be in the middle of being taken; past this age it counts as abandoned.
 */
export const UNREADABLE_GRACE_MS = 10_000;

/** How long to wait for an unreadable lock to be written before judging it. */
const SETTLE_TRIES = 20;
const SETTLE_PAUSE_MS = 50;

const LockFileSchema = z.looseObject({
  pid: z.number().int().positive(),
  hostname: z.string(),
  command: z.string(),
  started_at: z.string(),
});

/**
 * Judges the lock at `path`: held by a live process, left by a dead one
 * (only decidable on this machine), or absent.
 */
export async function inspectLock(path: string): Promise<FoundLock> {
  for (let tries = 1; ; tries++) {
    const found = await inspectOnce(path);
    if (found.kind !== "unreadable" || tries >= SETTLE_TRIES) return found;
    await sleep(SETTLE_PAUSE_MS);
  }
}

async function inspectOnce(path: string): Promise<FoundLock> {
  let raw: { text: string; mtimeMs: number };
  try {
    raw = await readWithTime(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { kind: "absent" };
    throw error;
  }
  const { text, mtimeMs } = raw;
  const owner = parseOwner(text);
  if (owner === null)
    return Date.now() - mtimeMs > UNREADABLE_GRACE_MS
      ? { kind: "stale", text, mtimeMs }
      : { kind: "unreadable", since: new Date(mtimeMs).toISOString() };
  if (owner.hostname !== hostname() || isAlive(owner.pid))
    return { kind: "live", owner };
  return { kind: "stale", text, mtimeMs };
}

/**
 * Removes a stale lock so a new one can be created exclusively. It is
 * first renamed to a name of our own, which only one process can do; if
 * the file renamed is not the one judged stale (it was replaced by a live
 * lock meanwhile), it is put back with `link`, which never overwrites.
 */
export async function removeStaleLock(
  path: string,
  judged: { text: string; mtimeMs: number },
): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    const moved = await readWithTime(aside);
    if (moved.text === judged.text && moved.mtimeMs === judged.mtimeMs) return;
    await link(aside, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
  } finally {
    await rm(aside, { force: true });
  }
}

/** The file's content and modification time, read from one open file. */
async function readWithTime(
  path: string,
): Promise<{ text: string; mtimeMs: number }> {
  const handle = await open(path, "r");
  try {
    const info = await handle.stat();
    return { text: await handle.readFile("utf8"), mtimeMs: info.mtimeMs };
  } finally {
    await handle.close();
  }
}

function parseOwner(text: string): LockOwner | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const result = LockFileSchema.safeParse(data);
  if (!result.success) return null;
  const { pid, hostname, command, started_at } = result.data;
  return { pid, hostname, command, started_at };
}

/** Signal 0 checks a process exists; EPERM means it does, as another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

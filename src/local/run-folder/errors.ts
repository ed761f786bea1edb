import { hostname } from "node:os";
import { RUNS_DIR } from "./paths.js";
import type { LockOwner } from "./run-lock.js";

/**
 * A problem with a run folder, told in one line a person can act on. The
 * CLI prints `message` alone, so each says what is wrong and what to do.
 */
export class RunFolderError extends Error {
  override name = "RunFolderError";
}

/** No run folder has the id, or the id is not one a run could have. */
export class UnknownRunError extends RunFolderError {
  override name = "UnknownRunError";
  constructor(readonly idOrPrefix: string) {
    super(
      `no run '${idOrPrefix}' in ${RUNS_DIR}${
        isIdLike(idOrPrefix)
          ? ""
          : " (a run id is hex digits and dashes; give at least 4)"
      }; \`specwright runs\` lists them`,
    );
  }
}

/** A prefix names more than one run. */
export class AmbiguousRunError extends RunFolderError {
  override name = "AmbiguousRunError";
  constructor(
    readonly prefix: string,
    readonly ids: readonly string[],
  ) {
    super(
      `'${prefix}' matches ${ids.length} runs (${ids.join(", ")}); give more of the id`,
    );
  }
}

/** Another process (or this one, a second time) holds the run's lock. */
export class RunLockedError extends RunFolderError {
  override name = "RunLockedError";
  constructor(
    readonly runId: string,
    readonly owner: LockOwner,
  ) {
    super(
      `run ${shortId(runId)} is being advanced by another specwright process (${describeOwner(owner)}); wait for it, or stop it`,
    );
  }
}

/** A run folder whose file is missing, unreadable or not what we wrote. */
export class BrokenRunFolderError extends RunFolderError {
  override name = "BrokenRunFolderError";
  constructor(
    /** The file, relative to the repository root. */
    readonly file: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${problem}`, options);
  }
}

/** The first group of a UUID: enough to find the run again (`findRun`). */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

function isIdLike(text: string): boolean {
  return /^[0-9a-f-]{4,}$/i.test(text);
}

/** `pid 4242, \`specwright run\`, since 12:01:03`, with the host when it is not this one. */
function describeOwner(owner: LockOwner): string {
  if (owner.pid <= 0)
    return `its lock file cannot be read, written at ${describeTime(owner.started_at)}; it counts as abandoned once 10 s old`;
  const host = owner.hostname === hostname() ? "" : ` on ${owner.hostname}`;
  return `pid ${owner.pid}${host}, \`${owner.command}\`, since ${describeTime(owner.started_at)}`;
}

/** Local time of day, with the date when it is not today. */
function describeTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
  if (at.toDateString() === new Date().toDateString()) return time;
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${time}`;
}

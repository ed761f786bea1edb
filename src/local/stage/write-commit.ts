import { createHash, randomBytes } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { deflateSync } from "node:zlib";

/** Who made a commit, and when. */
export interface Identity {
  name: string;
  email: string;
  when: Date;
}

/** A commit of a tree already in git's objects, on one parent. */
export interface CommitToWrite {
  tree: string;
  parent: string;
  author: Identity;
  committer: Identity;
  message: string;
}

/** Where a commit goes: the repository's files. */
export interface CommitPlace {
  /** The repository's common folder: objects, refs and their logs. */
  common: string;
  /** The worktree's own folder: its HEAD's log. */
  gitDir: string;
  /** The branch the commit moves, `refs/heads/…`, now at the parent. */
  ref: string;
  /** Whether git keeps logs of branches and HEAD it has none of yet (`core.logAllRefUpdates`). */
  startLogs: boolean;
}

/**
 * A message as `git commit -m` keeps it: trailing spaces off each line,
 * runs of blank lines made one, none at the start or end, one newline
 * at the end.
 */
export function cleanMessage(message: string): string {
  const lines: string[] = [];
  for (const line of message.split("\n")) {
    const trimmed = line.trimEnd();
    if (trimmed === "" && (lines.length === 0 || lines.at(-1) === "")) continue;
    lines.push(trimmed);
  }
  while (lines.at(-1) === "") lines.pop();
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** `+0100`: the offset from UTC, as git writes it. */
function zone(when: Date): string {
  const minutes = -when.getTimezoneOffset();
  const abs = Math.abs(minutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
  return `${minutes < 0 ? "-" : "+"}${hhmm}`;
}

/** `Name <email> 1733400000 +0100`. */
function signature(who: Identity): string {
  return `${who.name} <${who.email}> ${Math.floor(who.when.getTime() / 1000)} ${zone(who.when)}`;
}

/** Whether git would write this identity as it is (no brackets, no line breaks, nothing to trim). */
export function plainIdentity(name: string, email: string): boolean {
  const plain = (text: string) =>
    text !== "" &&
    !/[<>\n\0]/.test(text) &&
    !/^[\s.,:;<>"'\\]|[\s.,:;<>"'\\]$/.test(text);
  return plain(name) && plain(email);
}

// The files here are a few hundred bytes each, written once a stage:
// they are written synchronously, each step of an asynchronous write
// being a trip through libuv's thread pool that costs more than the write.

/** Writes `bytes` to a new file `file` (failing if it is there) and closes it. */
function writeNew(file: string, bytes: Uint8Array, mode: number): void {
  const fd = openSync(file, "wx", mode);
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

/** Writes a loose object unless git has it; returns its name. */
function writeObject(common: string, type: string, body: Buffer): string {
  const head = Buffer.from(`${type} ${body.length}\0`);
  const sha = createHash("sha1").update(head).update(body).digest("hex");
  const folder = join(common, "objects", sha.slice(0, 2));
  const file = join(folder, sha.slice(2));
  if (existsSync(file)) return sha;
  mkdirSync(folder, { recursive: true });
  // Whole or not at all: written aside, then renamed into place, as git does.
  const temporary = join(folder, `tmp_obj_${randomBytes(6).toString("hex")}`);
  writeNew(temporary, deflateSync(Buffer.concat([head, body])), 0o444);
  renameSync(temporary, file);
  return sha;
}

/**
 * Moves `ref` from `from` to `to` as git does: under its lock file (a
 * git process at work on it makes this fail, not race), then a line in
 * the branch's log and HEAD's.
 */
function moveRef(
  place: CommitPlace,
  from: string,
  to: string,
  logLine: string,
): void {
  const file = join(place.common, place.ref);
  const lock = `${file}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeNew(lock, Buffer.from(`${to}\n`), 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    throw new Error(
      `cannot move ${place.ref}: another git process holds its lock (${lock} exists; if no git is running, remove it)`,
    );
  }
  try {
    renameSync(lock, file);
  } catch (error) {
    rmSync(lock, { force: true });
    throw error;
  }
  const line = `${from} ${to} ${logLine}\n`;
  for (const log of [
    join(place.common, "logs", place.ref),
    join(place.gitDir, "logs", "HEAD"),
  ]) {
    if (!place.startLogs && !existsSync(log)) continue;
    mkdirSync(dirname(log), { recursive: true });
    appendFileSync(log, line);
  }
}

/**
 * Makes the commit object and moves the branch to it, writing git's own
 * files as `git commit` would for a staged tree: a local run commits once
 * a stage, and a git process for it costs more than the rest of the
 * commit. The caller has checked that the repository is one whose files
 * are these (SHA-1 objects, refs as files) and that the branch is at the
 * parent. Returns the new commit.
 */
export function writeCommit(place: CommitPlace, commit: CommitToWrite): string {
  const message = cleanMessage(commit.message);
  const text = [
    `tree ${commit.tree}`,
    `parent ${commit.parent}`,
    `author ${signature(commit.author)}`,
    `committer ${signature(commit.committer)}`,
    "",
    message,
  ].join("\n");
  const sha = writeObject(place.common, "commit", Buffer.from(text));
  const subject = message.split("\n")[0] ?? "";
  moveRef(
    place,
    commit.parent,
    sha,
    `${signature(commit.committer)}\tcommit: ${subject}`,
  );
  return sha;
}

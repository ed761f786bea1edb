import { hostname } from "node:os";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  BrokenRunFolderError,
  RunFolderError,
  RunLockedError,
} from "../../../src/local/run-folder/errors.js";
import type { LockOwner } from "../../../src/local/run-folder/run-lock.js";

const ID = "0b5e7a52-9c3e-4f7a-8d1e-2f6a3b4c5d6e";

// Times are shown in local time: pin it so the expected text is fixed.
beforeEach(() => {
  vi.stubEnv("TZ", "UTC");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function owner(changes: Partial<LockOwner>): LockOwner {
  return {
    pid: 4242,
    hostname: hostname(),
    command: "specwright run",
    started_at: "2025-01-02T12:01:03.000Z",
    ...changes,
  };
}

describe("RunLockedError", () => {
  it("says who holds the run since when, as a time of day today", () => {
    const now = new Date().toISOString();
    expect(new RunLockedError(ID, owner({ started_at: now })).message).toBe(
      `run 0b5e7a52… is being advanced by another specwright process (pid 4242, \`specwright run\`, since ${now.slice(11, 19)}); wait for it, or stop it`,
    );
  });

  it.each([
    [
      "another machine, another day",
      owner({ hostname: "build-host-7", command: "specwright approve" }),
      "pid 4242 on build-host-7, `specwright approve`, since 2025-01-02 12:01:03",
    ],
    [
      "an unreadable lock file",
      owner({ pid: 0 }),
      "its lock file cannot be read, written at 2025-01-02 12:01:03; it counts as abandoned once 10 s old",
    ],
    [
      "a start time that is not one",
      owner({ started_at: "soon" }),
      "pid 4242, `specwright run`, since soon",
    ],
  ])("describes %s", (_, lockOwner, described) => {
    const error = new RunLockedError(ID, lockOwner);
    expect(error).toBeInstanceOf(RunFolderError);
    expect(error.owner).toBe(lockOwner);
    expect(error.message).toBe(
      `run 0b5e7a52… is being advanced by another specwright process (${described}); wait for it, or stop it`,
    );
  });
});

describe("BrokenRunFolderError", () => {
  it("names the file, then the problem, and keeps the cause", () => {
    const cause = new SyntaxError("Unexpected end of JSON input");
    const error = new BrokenRunFolderError(
      `.specwright/runs/${ID}/metadata.json`,
      "not valid JSON (Unexpected end of JSON input)",
      { cause },
    );
    expect(error).toBeInstanceOf(RunFolderError);
    expect(error.name).toBe("BrokenRunFolderError");
    expect(error.message).toBe(
      `.specwright/runs/${ID}/metadata.json: not valid JSON (Unexpected end of JSON input)`,
    );
    expect(error.cause).toBe(cause);
  });
});

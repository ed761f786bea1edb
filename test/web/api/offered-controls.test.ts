import { describe, expect, it } from "vitest";
import type { Actor } from "../../../src/commands/decide-command.js";
import {
  decideControl,
  offers,
} from "../../../src/web/api/offered-controls.js";
import { at, on, step } from "../../engine/fixtures.js";
import { defaultRunToGate } from "../../engine/progress/story.js";

const writer: Actor = { login: "alice", permission: "write" };
const reader: Actor = { login: "mallory", permission: "read" };
const NOW = at(20);

describe("dashboard controls, decided as the comment commands", () => {
  const run = defaultRunToGate().state;

  it("offers approve and reject of the waiting gate, and cancel and hold, to a writer", () => {
    expect(offers(run, "approve", writer, NOW, "implement")).toBe(true);
    expect(offers(run, "reject", writer, NOW, "implement")).toBe(true);
    expect(offers(run, "retry", writer, NOW, "implement")).toBe(false);
    expect(offers(run, "approve", writer, NOW, "plan")).toBe(false);
    expect(offers(run, "cancel", writer, NOW)).toBe(true);
    expect(offers(run, "hold", writer, NOW)).toBe(true);
    expect(offers(run, "unhold", writer, NOW)).toBe(false);
  });

  it("offers nothing to a reader or to nobody", () => {
    for (const control of ["approve", "reject", "retry"] as const) {
      expect(offers(run, control, reader, NOW, "implement")).toBe(false);
      expect(offers(run, control, undefined, NOW, "implement")).toBe(false);
    }
    expect(offers(run, "cancel", reader, NOW)).toBe(false);
  });

  it("turns a press into the engine's event, with who pressed it", () => {
    expect(
      decideControl(run, "approve", writer, NOW, { stage: "implement" }),
    ).toEqual({
      kind: "apply",
      runId: run.id,
      event: { type: "approve", stage: "implement", by: "alice", at: NOW },
    });
    expect(
      decideControl(run, "reject", writer, NOW, {
        stage: "implement",
        reason: "not this sprint",
      }),
    ).toEqual({
      kind: "apply",
      runId: run.id,
      event: {
        type: "reject",
        stage: "implement",
        by: "alice",
        reason: "not this sprint",
        at: NOW,
      },
    });
  });

  it("refuses with the permission needed (403) and the state's reason (409), as plain text", () => {
    expect(
      decideControl(run, "approve", reader, NOW, { stage: "implement" }),
    ).toEqual({
      refused: "permission",
      message: "Approve needs write permission on acme/web; you have read.",
    });
    const refused = decideControl(run, "approve", writer, NOW, {
      stage: "plan",
    });
    expect(refused).toEqual({
      refused: "state",
      message: "plan is not waiting for approval; only: implement.",
    });
    const held = step(run, on.hold("alice", at(15))).state;
    expect(decideControl(held, "hold", writer, NOW)).toMatchObject({
      refused: "state",
      message: expect.stringContaining("already on hold"),
    });
    expect(offers(held, "unhold", writer, NOW)).toBe(true);
  });

  it("follows the repository's own permission settings", () => {
    const strict = {
      ...run,
      settings: {
        ...run.settings,
        permissions: { ...run.settings.permissions, cancel: "admin" as const },
      },
    };
    expect(
      offers(strict, "cancel", { login: "bob", permission: "maintain" }, NOW),
    ).toBe(false);
    expect(
      offers(strict, "cancel", { login: "root", permission: "admin" }, NOW),
    ).toBe(true);
  });
});

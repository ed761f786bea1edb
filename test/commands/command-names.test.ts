import { describe, expect, it } from "vitest";
import {
  COMMAND_NAMES,
  DEFAULT_COMMAND_PERMISSIONS,
} from "../../src/commands/command-names.js";
import { parseCommands } from "../../src/commands/parse-commands.js";

describe("DEFAULT_COMMAND_PERMISSIONS", () => {
  it("has an entry for every command and nothing else", () => {
    expect(Object.keys(DEFAULT_COMMAND_PERMISSIONS).sort()).toEqual(
      [...COMMAND_NAMES].sort(),
    );
  });

  it.each(
    COMMAND_NAMES.map((name) => [name, DEFAULT_COMMAND_PERMISSIONS[name]]),
  )("/%s needs %s", (name, permission) => {
    expect(permission).toBe(
      name === "status" || name === "help" ? "read" : "write",
    );
  });
});

describe("COMMAND_NAMES", () => {
  it("lists each name once", () => {
    expect(new Set(COMMAND_NAMES).size).toBe(COMMAND_NAMES.length);
  });

  it.each([...COMMAND_NAMES])("/%s is read as a command", (name) => {
    expect(parseCommands(`/${name}`).map((c) => c.name)).toEqual([name]);
  });
});

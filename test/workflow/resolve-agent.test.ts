import { describe, expect, it } from "vitest";
import { resolveAgent } from "../../src/workflow/resolve-agent.js";

const base = {
  backend: "codex" as const,
  model: "gpt-5-codex",
  args: ["--sandbox", "workspace-write"],
  max_turns: 30,
};

describe("resolveAgent", () => {
  it("uses the repository's agent when the stage overrides nothing", () => {
    expect(resolveAgent(base, undefined)).toEqual(base);
  });

  it("lets a stage override the model, arguments and turns", () => {
    expect(resolveAgent(base, { model: "o4", args: [], max_turns: 5 })).toEqual(
      {
        backend: "codex",
        model: "o4",
        args: [],
        max_turns: 5,
      },
    );
  });

  it("drops the repository's model and arguments when the stage switches backend", () => {
    expect(resolveAgent(base, { backend: "claude" })).toEqual({
      backend: "claude",
      args: [],
      max_turns: 30,
    });
  });
});

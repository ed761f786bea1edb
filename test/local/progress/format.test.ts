import { afterEach, describe, expect, it, vi } from "vitest";
import type { Usage } from "../../../src/contracts/stage-result.js";
import { shortRunId } from "../../../src/engine/progress/progress-event.js";
import { fitLine, fitSegments } from "../../../src/local/progress/fit-line.js";
import { formatDuration } from "../../../src/local/progress/format-duration.js";
import {
  formatClock,
  formatDateTime,
} from "../../../src/local/progress/format-time.js";
import { formatUsage } from "../../../src/local/progress/format-usage.js";
import { terminalSafe } from "../../../src/local/progress/terminal-safe.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("formatDuration", () => {
  it.each([
    [0, "0.0s"],
    [-5, "0.0s"],
    [420, "0.4s"],
    [42_100, "42.1s"],
    [59_949, "59.9s"],
    [59_960, "1m"],
    [242_000, "4m 2s"],
    [3_599_000, "59m 59s"],
    [3_600_000, "1h"],
    [3_780_000, "1h 3m"],
    [90_000_000, "25h"],
  ])("%i ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("formatUsage", () => {
  it.each<[Usage | null, string]>([
    [null, ""],
    [{}, ""],
    [
      { input_tokens: 1000, output_tokens: 234, cost_usd: 0.0123, turns: 7 },
      "1,234 tokens · $0.0123 · 7 turns",
    ],
    [{ output_tokens: 1 }, "1 token"],
    [{ cost_usd: 2.5 }, "$2.50"],
    [{ turns: 1 }, "1 turn"],
    [{ input_tokens: 1_234_567 }, "1,234,567 tokens"],
  ])("%j is %j", (usage, text) => {
    expect(formatUsage(usage)).toBe(text);
  });
});

describe("terminalSafe", () => {
  it.each([
    ["a window title and a screen clear", "\x1b]0;pwned\x07\x1b[2J", ""],
    ["colours", "\x1b[1;31mred\x1b[0m text", "red text"],
    [
      "an OSC 8 hyperlink",
      "\x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\",
      "link",
    ],
    ["a clipboard write left open", "ok\x1b]52;c;aGk=", "ok"],
    ["8-bit CSI and OSC", "a\x9b2Jb\x9d0;t\x9cc", "abc"],
    ["a full reset", "a\x1bcb", "ab"],
    ["other controls and DEL", "a\x00b\x07c\x7fd\x85e", "abcde"],
    ["a carriage return", "shown\rhidden", "shown hidden"],
    ["line breaks and tabs", "one\n\n  two\tthree", "one two three"],
    ["bidi overrides", "abc\u202edef", "abcdef"],
    ["plain text", "Add a dark mode toggle — ✓", "Add a dark mode toggle — ✓"],
  ])("takes out %s from a single line", (_, text, safe) => {
    expect(terminalSafe(text)).toBe(safe);
  });

  it("keeps line breaks when multiline, and nothing else", () => {
    expect(
      terminalSafe("\x1b]0;pwned\x07\x1b[2Jfirst\r\nsecond\n\x1b[1Athird", {
        multiline: true,
      }),
    ).toBe("first\nsecond\nthird");
  });
});

describe("fitLine", () => {
  it.each([
    ["short", 10, "short"],
    ["exactly10!", 10, "exactly10!"],
    ["one too long", 11, "one too lo…"],
    ["⠋ braille counts one", 5, "⠋ br…"],
    ["x", 0, ""],
  ])("fits %j in %i columns", (text, columns, fitted) => {
    expect(fitLine(text, columns)).toBe(fitted);
  });

  it("cuts coloured pieces on their text, not their codes", () => {
    const line = fitSegments(
      [
        { text: "✓", tone: "green" },
        { text: " plan ", tone: null },
        { text: "succeeded", tone: "green" },
      ],
      10,
      true,
    );
    expect(line).toBe("\x1b[32m✓\x1b[39m plan \x1b[32msu…\x1b[39m");
  });
});

describe("times and ids", () => {
  it("formats recorded times in the machine's time zone", () => {
    vi.stubEnv("TZ", "America/New_York");
    expect(formatClock("2025-01-02T03:04:05.000Z")).toBe("22:04:05");
    expect(formatDateTime("2025-01-02T03:04:05.000Z")).toBe("2025-01-01 22:04");
    expect(formatDateTime("2025-01-02T03:04:05.000Z", true)).toBe(
      "2025-01-01 22:04:05",
    );
  });

  it("shortens a run id to its first eight characters", () => {
    expect(shortRunId("0b5e7a52-9c3e-4f7a-8d1e-2f6a3b4c5d6e")).toBe("0b5e7a52");
  });
});

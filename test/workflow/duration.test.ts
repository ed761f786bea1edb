import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/workflow/duration.js";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["30s", 30_000],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["7d", 604_800_000],
    ["1h30m", 5_400_000],
    ["1m30s500ms", 90_500],
  ])("reads %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "30", "3 hours", "1.5h", "h", "-5m", "5M", "1h 30m"])(
    "refuses %j",
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe("formatDuration", () => {
  it.each([
    [250, "250ms"],
    [45_000, "45s"],
    [5_400_000, "1h 30m"],
    [604_800_000, "7d"],
    [90_061_000, "1d 1h 1m 1s"],
  ])("formats %d ms", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

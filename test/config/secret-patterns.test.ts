import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import {
  compileSecretPatterns,
  MAX_SECRET_PATTERNS,
} from "../../src/config/secret-patterns.js";

/** The located diagnostics of a file, as `line:col: message`. */
function problems(text: string): string[] {
  const result = loadConfig(text);
  if (result.ok) return [];
  return result.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);
}

describe("secret_patterns in .github/specwright.yml", () => {
  it("defaults to none, and keeps the repository's", () => {
    const none = loadConfig("");
    expect(none.ok && none.config.secret_patterns).toEqual([]);
    const some = loadConfig(
      'secret_patterns:\n  - "ACME-[0-9]{6}"\n  - "xox[bp]-[A-Za-z0-9-]+"\n',
    );
    expect(some.ok && some.config.secret_patterns).toEqual([
      "ACME-[0-9]{6}",
      "xox[bp]-[A-Za-z0-9-]+",
    ]);
  });

  it.each<[string, string, string]>([
    [
      "a pattern that is not a regular expression",
      '  - "ok-[0-9]+"\n  - "key-(["\n',
      "3:5: not a valid regular expression: /key-([/: Unterminated character class",
    ],
    [
      "a pattern that matches empty text",
      '  - "x*"\n',
      "2:5: /x*/ matches empty text, so it would mark every position as a secret; make it match at least one character",
    ],
    [
      "a pattern that can backtrack for ever",
      '  - "(a+)+b"\n',
      "2:5: /(a+)+b/ repeats a group that itself repeats, which can take exponential time on some text; write it without the nested repetition",
    ],
    ["an empty pattern", '  - ""\n', "2:5: must be at least 1 character long"],
  ])("refuses %s, where it is written", (_, entries, problem) => {
    expect(problems(`secret_patterns:\n${entries}`)).toEqual([problem]);
  });

  it("refuses more patterns than the App will run", () => {
    const many = Array.from(
      { length: MAX_SECRET_PATTERNS + 1 },
      (_, i) => `  - "k${i}-[0-9]+"`,
    ).join("\n");
    expect(problems(`secret_patterns:\n${many}\n`)).toEqual([
      `2:3: needs at most ${MAX_SECRET_PATTERNS} items`,
    ]);
  });
});

describe("compileSecretPatterns", () => {
  it("compiles each usable pattern to replace every match, and skips the rest", () => {
    const patterns = compileSecretPatterns(["a-[0-9]+", "(", "b-[0-9]+"]);
    expect(patterns.map((p) => `${p.source}/${p.flags}`)).toEqual([
      "a-[0-9]+/g",
      "b-[0-9]+/g",
    ]);
    expect(compileSecretPatterns(undefined)).toEqual([]);
  });
});

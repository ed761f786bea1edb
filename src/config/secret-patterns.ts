// `secret_patterns` in `.github/specwright.yml`: regular expressions for
// credentials the built-in patterns do not know, taken out of what a stage's
// result bundle shows on GitHub.

/**
 * The patterns run on the text of every result bundle the App collects, for
 * every repository it serves: so few and so short.
 */
export const MAX_SECRET_PATTERNS = 50;
export const MAX_SECRET_PATTERN_LENGTH = 500;

/**
 * A group that repeats and holds a repetition itself (`(a+)+`, `(\w*\s)*`,
 * `(x{2,})+`): a backtracking engine can take exponential time on text that
 * almost matches, and the text is an agent's.
 */
const NESTED_REPETITION =
  /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

/** Why a `secret_patterns` entry cannot be used; undefined if it can. */
export function secretPatternProblem(source: string): string | undefined {
  let pattern: RegExp;
  try {
    pattern = new RegExp(source);
  } catch (error) {
    const reason = (error as Error).message.replace(
      /^Invalid regular expression: /,
      "",
    );
    return `not a valid regular expression: ${reason}`;
  }
  if (pattern.test(""))
    return `/${source}/ matches empty text, so it would mark every position as a secret; make it match at least one character`;
  if (NESTED_REPETITION.test(source))
    return `/${source}/ repeats a group that itself repeats, which can take exponential time on some text; write it without the nested repetition`;
  return undefined;
}

const compiled = new Map<string, RegExp | null>();

/**
 * The usable patterns among `sources`, compiled to replace every match (a
 * run's settings were checked when it started; an older run's may be
 * absent).
 */
export function compileSecretPatterns(
  sources: readonly string[] | undefined,
): RegExp[] {
  const out: RegExp[] = [];
  for (const source of sources ?? []) {
    let pattern = compiled.get(source);
    if (pattern === undefined) {
      pattern =
        secretPatternProblem(source) === undefined
          ? new RegExp(source, "g")
          : null;
      if (compiled.size > 1_000) compiled.clear();
      compiled.set(source, pattern);
    }
    if (pattern !== null) out.push(pattern);
  }
  return out;
}

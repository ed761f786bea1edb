/** Placeholders a branch pattern may use, with what each becomes. */
export const BRANCH_PLACEHOLDERS = {
  date: "the run's start date, YYYYMMDD",
  token: "a short random token that makes the branch unique",
  issue: "the issue number",
  slug: "a short slug of the feature text",
} as const;

export type BranchPlaceholder = keyof typeof BRANCH_PLACEHOLDERS;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * Problems with a branch pattern: unknown placeholders, a pattern without
 * `{token}` (branches must be unique per run), or text git refuses in a ref.
 */
export function checkBranchPattern(pattern: string): string[] {
  const problems: string[] = [];
  const names = Object.keys(BRANCH_PLACEHOLDERS);
  for (const match of pattern.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? "";
    if (!names.includes(name)) {
      problems.push(
        `unknown placeholder {${name}} in branch_pattern; placeholders: ${names.map((n) => `{${n}}`).join(", ")}`,
      );
    }
  }
  if (!pattern.includes("{token}")) {
    problems.push(
      "branch_pattern must contain {token} so that every run gets its own branch",
    );
  }
  const literal = pattern.replace(PLACEHOLDER, "x");
  if (
    /[\s~^:?*[\\]|\.\.|@\{|\/\/|\/\.|^\/|\/$|^\.|\.lock$|\.$|[{}]/.test(literal)
  ) {
    problems.push(
      `branch_pattern '${pattern}' does not make a valid git branch name`,
    );
  }
  return problems;
}

/** Fills a branch pattern's placeholders. */
export function renderBranchName(
  pattern: string,
  values: Readonly<Record<BranchPlaceholder, string>>,
): string {
  return pattern.replace(
    PLACEHOLDER,
    (_, name: string) => values[name as BranchPlaceholder] ?? "",
  );
}

/** The feature as a branch name's `{slug}`: lower case words joined by dashes, at most 30 characters. */
export function featureSlug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 30)
      .replace(/-+$/, "") || "feature"
  );
}

import type { Context } from "probot";
import { type CheckedConfig, checkConfig } from "../config/check-config.js";
import { loadConfig } from "../config/load-config.js";
import {
  type Diagnostic,
  formatDiagnostic,
  formatPath,
} from "../workflow/diagnostic.js";

export const CONFIG_FILE = "specwright.yml";
export const CONFIG_PATH = `.github/${CONFIG_FILE}`;

export type RepositoryConfig =
  | ({ ok: true } & CheckedConfig)
  | { ok: false; problems: string[] };

function describe(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) =>
    d.line === undefined
      ? `${CONFIG_PATH}: ${d.path.length > 0 ? `${formatPath(d.path)}: ` : ""}${d.message}`
      : formatDiagnostic(CONFIG_PATH, d),
  );
}

/**
 * Loads `.github/specwright.yml` from the default branch with Probot's
 * `context.config` (which also follows `_extends` and the organisation's
 * `.github` repository) and checks it. When it is invalid, the repository's
 * own file is read again as text to say on which line each problem is.
 */
export async function loadRepositoryConfig(
  context: Context<"issue_comment" | "pull_request">,
): Promise<RepositoryConfig> {
  let value: unknown;
  let unreadable = false;
  try {
    value = await context.config(CONFIG_FILE);
    if (value !== null && typeof value === "object" && "_extends" in value) {
      const { _extends: _, ...rest } = value as Record<string, unknown>;
      value = rest;
    }
  } catch {
    // Not YAML at all: the text-level loader below explains where.
    unreadable = true;
  }
  if (!unreadable) {
    const result = checkConfig(value);
    if (result.ok) return result;
  }
  try {
    const { data } = await context.octokit.rest.repos.getContent({
      ...context.repo(),
      path: CONFIG_PATH,
      mediaType: { format: "raw" },
    });
    const located = loadConfig(String(data));
    if (!located.ok)
      return { ok: false, problems: describe(located.diagnostics) };
  } catch {
    // The problem is in a file the configuration extends.
  }
  if (unreadable)
    return {
      ok: false,
      problems: [`${CONFIG_PATH}: the file is not valid YAML`],
    };
  const result = checkConfig(value);
  return result.ok
    ? result
    : { ok: false, problems: describe(result.diagnostics) };
}

import type { Attempt } from "../engine/run-state.js";
import { clip } from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

/** A warning's share of the summary (the contract caps it at 500 characters). */
const MAX_WARNING = 1_000;

/**
 * What the runner's preflight warned about (an agent version Specwright was
 * not tested with, Spec Kit without the agent's commands), one line each.
 * The runner is the repository's: its text is untrusted, so it shows with
 * no HTML, link, image, @-mention, issue reference or credential.
 */
export function warningsSection(attempt: Attempt): string[] {
  if (attempt.warnings.length === 0) return [];
  return [
    "#### Warnings from the runner",
    "",
    ...attempt.warnings.map(
      (warning) => `- ⚠️ ${clip(untrusted(warning.trim()), MAX_WARNING)}`,
    ),
  ];
}

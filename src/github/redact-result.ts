import { compileSecretPatterns } from "../config/secret-patterns.js";
import type { CollectedResult, RunEvent } from "../engine/events.js";
import type { Value } from "../workflow/expressions/values.js";
import { redactSecrets } from "./untrusted-text.js";

function redactValue(value: Value, patterns: readonly RegExp[]): Value {
  if (typeof value === "string") return redactSecrets(value, patterns);
  if (Array.isArray(value))
    return value.map((item) => redactValue(item, patterns));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        redactValue(item, patterns),
      ]),
    );
  }
  return value;
}

function redactCollected(
  result: CollectedResult,
  patterns: readonly RegExp[],
): CollectedResult {
  const text = (value: string) => redactSecrets(value, patterns);
  const maybe = (value: string | null) => (value === null ? null : text(value));
  return {
    ...result,
    selected_skill: maybe(result.selected_skill),
    agent_version: maybe(result.agent_version),
    outputs: Object.fromEntries(
      Object.entries(result.outputs).map(([name, value]) => [
        name,
        redactValue(value, patterns),
      ]),
    ),
    error_message: maybe(result.error_message),
    phases: result.phases.map((phase) => ({
      ...phase,
      phase: text(phase.phase),
    })),
    findings: result.findings.map((finding) => ({
      ...finding,
      id: text(finding.id),
      category: text(finding.category),
      summary: text(finding.summary),
      ...(finding.path === undefined ? {} : { path: text(finding.path) }),
      ...(finding.recommendation === undefined
        ? {}
        : { recommendation: text(finding.recommendation) }),
    })),
    final_message: maybe(result.final_message),
    log_tail: maybe(result.log_tail),
    warnings: result.warnings.map(text),
  };
}

/**
 * A collected result (or the reason there is none) with every credential
 * taken out of its text, before the run keeps it or GitHub shows it: the
 * built-in patterns and the repository's `secret_patterns`. The runner
 * masks what it knows; this is the App's own check of a bundle it cannot
 * trust. The paths it committed, and the spec folder later stages work
 * in, are left as they are.
 */
export function redactResult(
  event: RunEvent,
  secretPatterns: readonly string[] | undefined,
): RunEvent {
  const patterns = compileSecretPatterns(secretPatterns);
  switch (event.type) {
    case "result_collected":
      return { ...event, result: redactCollected(event.result, patterns) };
    case "result_missing":
      return { ...event, error: redactSecrets(event.error, patterns) };
    default:
      return event;
  }
}

import type { RunEvent } from "../engine/events.js";
import type { RunState } from "../engine/run-state.js";
import { type Stage, stageName } from "../workflow/schema.js";
import type { CommandName } from "./command-names.js";
import type { Permission } from "./permission.js";

/** Who asks, with their permission on the repository. */
export interface Actor {
  login: string;
  permission: Permission;
}

/** A command to decide on: from a comment, a label or a check run's button. */
export interface CommandRequest {
  name: Exclude<CommandName, "specify">;
  args: readonly string[];
  /** The free text after the command (a reason, for `/reject`). */
  text: string;
  /** Where it came from, for the attempt's trigger: `` `/retry` `` or "the Retry button". */
  via: string;
  /** When the person wrote it (a comment's creation), if known. */
  issued_at?: string;
  /** The check run whose button was pressed, for a button. */
  check_run_id?: number;
}

/**
 * What a command does: an event for the engine, a reply that explains, or
 * (`/status`) the run to describe, which `src/github/` renders since it
 * shows the run's untrusted text.
 */
export type Decision =
  | { kind: "apply"; runId: string; event: RunEvent }
  | { kind: "reply"; message: string }
  | { kind: "status"; run: RunState };

/** Statuses of a stage that is under way. */
export const BUSY = new Set(["dispatched", "running", "retrying"]);

export function definition(run: RunState, id: string): Stage | undefined {
  return run.workflow.stages.find((s) => s.id === id);
}

export function title(run: RunState, id: string): string {
  const def = definition(run, id);
  return def ? stageName(def) : id;
}

/**
 * A word from the command (a stage name that is none) as a code span: in
 * code GitHub renders no mention, reference or HTML, and with no backtick
 * or line break the word cannot end the span.
 */
export function code(word: string): string {
  const text = word.replace(/[`\r\n]/g, "'");
  return `\`${text.length > 60 ? `${text.slice(0, 59)}…` : text}\``;
}

export function list(ids: readonly string[]): string {
  return ids.map(code).join(", ");
}

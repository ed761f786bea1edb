import type { StageRequest } from "../../../../src/contracts/stage-request.js";
import type { StoppedBy } from "../../../../src/contracts/stage-result.js";
import type { AgentReport } from "../output/agent-report.js";
import { limitReason } from "./limit-reason.js";
import type { LimitWatch } from "./watch-limits.js";

/** The limit that stopped an agent run, and the sentence that says so. */
export interface LimitStop {
  stoppedBy: StoppedBy;
  reason: string;
}

/**
 * Which limit, if any, ended the run: one the watch stopped it at while it
 * ran, its time limit, the CLI's own turn limit (Claude Code's
 * `--max-turns`, Gemini CLI's `maxSessionTurns`), or, from the usage the
 * CLI reported when it ended, its token or cost limit.
 */
export function limitAtEnd(options: {
  agent: StageRequest["agent"];
  watch: LimitWatch;
  timedOut: boolean;
  durationMs: number;
  report: AgentReport;
}): LimitStop | undefined {
  const { agent, watch, report } = options;
  const live = watch.stoppedBy();
  if (live) return { stoppedBy: live, reason: limitReason(live) };
  if (options.timedOut) {
    const stoppedBy: StoppedBy = {
      limit: "time",
      max: agent.timeout_minutes,
      used: Math.round(options.durationMs / 600) / 100,
    };
    return { stoppedBy, reason: limitReason(stoppedBy) };
  }
  const usage = report.usage;
  if (report.limitReached === "turns" && agent.max_turns !== undefined) {
    const stoppedBy: StoppedBy = {
      limit: "turns",
      max: agent.max_turns,
      used: usage?.turns ?? agent.max_turns,
    };
    return { stoppedBy, reason: limitReason(stoppedBy) };
  }
  if (usage) watch.usage(usage);
  const over = watch.stoppedBy();
  return over
    ? { stoppedBy: over, reason: limitReason(over, true) }
    : undefined;
}

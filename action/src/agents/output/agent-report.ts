import type { Usage } from "../../../../src/contracts/stage-result.js";

/** What an agent CLI's output says about its run. */
export interface AgentReport {
  /** The agent's last message, if it says. */
  finalMessage: string | null;
  usage: Usage | null;
  /** The agent itself says it failed. */
  error: string | null;
  /** The CLI says the skill or command it was asked to run does not exist. */
  skillRefusal?: string | null;
  /** The CLI stopped itself at the turn limit it was given. */
  limitReached?: "turns";
}

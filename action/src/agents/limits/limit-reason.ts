import type { StoppedBy } from "../../../../src/contracts/stage-result.js";
import { formatDuration } from "../../../../src/workflow/duration.js";

const count = (n: number) => n.toLocaleString("en-US");
const dollars = (n: number) => `$${n.toFixed(n < 0.01 ? 4 : 2)}`;

function amount(limit: StoppedBy["limit"], value: number): string {
  switch (limit) {
    case "turns":
      return `${count(value)} turn${value === 1 ? "" : "s"}`;
    case "time":
      return formatDuration(value * 60_000);
    case "tokens":
      return `${count(value)} tokens`;
    case "cost":
      return dollars(value);
  }
}

const NAMES: Record<StoppedBy["limit"], string> = {
  turns: "turn",
  time: "time",
  tokens: "token",
  cost: "cost",
};

/**
 * One sentence for the limit that stopped the agent, e.g. "the agent was
 * stopped at its turn limit (30 turns)". `atEnd`: the usage was reported
 * only when the agent ended, so it ran past the limit.
 */
export function limitReason(stoppedBy: StoppedBy, atEnd = false): string {
  const { limit, max, used } = stoppedBy;
  const spent =
    used === null || limit === "turns" || limit === "time"
      ? ""
      : `; it used ${amount(limit, used)}`;
  return atEnd
    ? `the agent went past its ${NAMES[limit]} limit (${amount(limit, max)}${spent}, reported when it ended)`
    : `the agent was stopped at its ${NAMES[limit]} limit (${amount(limit, max)}${spent})`;
}

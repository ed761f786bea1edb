import type { Usage } from "../../contracts/stage-result.js";

/** Counts with thousands separators whatever the machine's locale. */
const COUNT = new Intl.NumberFormat("en-US");

/**
 * What an attempt's usage says, each part only when the agent reported it:
 * tokens (input and output together), cost, turns.
 */
export function usageParts(
  usage: Usage | null | undefined,
  costEstimated = false,
): string[] {
  if (usage === null || usage === undefined) return [];
  const parts: string[] = [];
  const { input_tokens, output_tokens, cost_usd, turns } = usage;
  if (input_tokens !== undefined || output_tokens !== undefined) {
    const tokens = (input_tokens ?? 0) + (output_tokens ?? 0);
    parts.push(`${COUNT.format(tokens)} ${tokens === 1 ? "token" : "tokens"}`);
  }
  // Stage costs are cents or less: four decimals show them; dollars need two.
  // An estimate from the price table (the agent reported no cost) says so.
  if (cost_usd !== undefined)
    parts.push(
      `${costEstimated ? "~" : ""}$${cost_usd.toFixed(cost_usd >= 1 ? 2 : 4)}`,
    );
  if (turns !== undefined)
    parts.push(`${COUNT.format(turns)} ${turns === 1 ? "turn" : "turns"}`);
  return parts;
}

/** `1,234 tokens · $0.0123 · 7 turns`; empty when nothing is known. */
export function formatUsage(
  usage: Usage | null | undefined,
  costEstimated = false,
): string {
  return usageParts(usage, costEstimated).join(" · ");
}

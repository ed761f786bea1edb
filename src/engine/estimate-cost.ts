import type { ModelPrice } from "../config/prices.js";
import type { Usage } from "../contracts/stage-result.js";

/**
 * An attempt's usage with its cost, when the agent reported tokens but no
 * cost and the price table knows the model: the cost is then an estimate
 * (`estimated`). Anything else is kept as reported.
 */
export function estimateCost(
  usage: Usage | null,
  model: string | null | undefined,
  prices: Readonly<Record<string, ModelPrice>> | undefined,
): { usage: Usage | null; estimated: boolean } {
  if (
    usage === null ||
    usage.cost_usd !== undefined ||
    (usage.input_tokens === undefined && usage.output_tokens === undefined)
  )
    return { usage, estimated: false };
  const price = model == null ? undefined : prices?.[model];
  if (price === undefined) return { usage, estimated: false };
  const cost =
    ((usage.input_tokens ?? 0) * price.input_per_mtok +
      (usage.output_tokens ?? 0) * price.output_per_mtok) /
    1_000_000;
  return {
    usage: { ...usage, cost_usd: Math.round(cost * 1e6) / 1e6 },
    estimated: true,
  };
}

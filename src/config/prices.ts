/**
 * List prices, in USD per million tokens, of the models the four agent
 * backends use by default or commonly, as published on the date below.
 * They only estimate a cost where a CLI reports tokens but no cost; a
 * repository's `prices:` replaces or adds entries.
 */
export const PRICES_AS_OF = "2025-10-01";

export interface ModelPrice {
  input_per_mtok: number;
  output_per_mtok: number;
  as_of?: string | undefined;
}

const price = (input: number, output: number): ModelPrice => ({
  input_per_mtok: input,
  output_per_mtok: output,
  as_of: PRICES_AS_OF,
});

/** The built-in price table. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  // claude (Anthropic API)
  "claude-sonnet-4-5": price(3, 15),
  "claude-opus-4-1": price(15, 75),
  "claude-haiku-4-5": price(1, 5),
  // codex (OpenAI API)
  "gpt-5-codex": price(1.25, 10),
  "gpt-5": price(1.25, 10),
  "gpt-5-mini": price(0.25, 2),
  // gemini (Google AI)
  "gemini-2.5-pro": price(1.25, 10),
  "gemini-2.5-flash": price(0.3, 2.5),
  // copilot (GitHub names the same models with dots)
  "claude-sonnet-4.5": price(3, 15),
  "gpt-4.1": price(2, 8),
};

/**
 * The model each backend's CLI runs when the configuration names none, for
 * estimates. `command` runs anything: no default, no estimate.
 */
export const DEFAULT_MODELS: Readonly<Record<string, string>> = {
  claude: "claude-sonnet-4-5",
  codex: "gpt-5-codex",
  gemini: "gemini-2.5-pro",
  copilot: "claude-sonnet-4.5",
};

// @ts-check
// Times, durations, money and tokens as people read them.

/** @typedef {import("./types.js").UsageTotals} UsageTotals */

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const exact = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "medium",
});
const count = new Intl.NumberFormat("en");

/** @type {[Intl.RelativeTimeFormatUnit, number][]} */
const UNITS = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/**
 * "3 minutes ago", "in 2 days".
 * @param {string} iso
 * @param {number} [now]
 */
export function formatRelative(iso, now = Date.now()) {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return relative.format(Math.round(seconds / size), unit);
    }
  }
  return iso;
}

/**
 * The exact local time, for a title or a timeline.
 * @param {string} iso
 */
export function formatExact(iso) {
  return exact.format(new Date(iso));
}

/**
 * "1 h 4 min", "3 min 12 s", "850 ms".
 * @param {number | null | undefined} ms
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  const total = Math.round(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${seconds} s`;
  return `${seconds} s`;
}

/**
 * "$0.42"; a dash when the agent reported no cost.
 * @param {UsageTotals} usage
 */
export function formatCost(usage) {
  const cost = usage.cost_usd;
  if (cost === undefined) return "—";
  return `$${cost < 0.01 && cost > 0 ? cost.toFixed(4) : cost.toFixed(2)}`;
}

/**
 * "12,000 input tokens, 3,400 output tokens, 8 turns".
 * @param {UsageTotals} usage
 */
export function formatTokens(usage) {
  /** @type {string[]} */
  const parts = [];
  if (usage.input_tokens !== undefined)
    parts.push(`${count.format(usage.input_tokens)} input tokens`);
  if (usage.output_tokens !== undefined)
    parts.push(`${count.format(usage.output_tokens)} output tokens`);
  if (usage.turns !== undefined)
    parts.push(`${count.format(usage.turns)} turns`);
  return parts.length > 0 ? parts.join(", ") : "no usage reported";
}

/**
 * "expires in 3 days" or "expired".
 * @param {{ expires_at: string, expired: boolean }} artifact
 * @param {number} [now]
 */
export function formatExpiry(artifact, now = Date.now()) {
  if (artifact.expired || Date.parse(artifact.expires_at) <= now)
    return "expired";
  return `expires ${formatRelative(artifact.expires_at, now)}`;
}

/**
 * "1.2 MB".
 * @param {number} bytes
 */
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

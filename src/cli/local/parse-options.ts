import { AgentBackend } from "../../workflow/schema.js";
import { UsageError } from "../io.js";

/** `--concurrency N`: how many stages of a batch run at once (default 3). */
export function parseConcurrency(raw: string | undefined): number {
  if (raw === undefined) return 3;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 32)
    throw new UsageError(
      `--concurrency must be a whole number from 1 to 32, got '${raw}'`,
    );
  return n;
}

/** `--backend NAME`: one of the agent backends. */
export function parseBackend(
  raw: string | undefined,
): AgentBackend | undefined {
  if (raw === undefined) return undefined;
  const parsed = AgentBackend.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(
      `--backend must be one of ${AgentBackend.options.join(", ")}, got '${raw}'`,
    );
  return parsed.data;
}

/** `--param key=value` pairs, each key once. */
export function parseParams(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0)
      throw new UsageError(`--param expects key=value, got '${pair}'`);
    const key = pair.slice(0, eq);
    if (Object.hasOwn(out, key))
      throw new UsageError(`--param ${key} is given twice`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

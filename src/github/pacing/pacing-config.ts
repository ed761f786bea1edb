import { type BudgetLimits, DEFAULT_BUDGET_LIMITS } from "./budgets.js";

export interface PacingConfig {
  /** False: `SPECWRIGHT_PACING=off`, requests go out as they come. */
  enabled: boolean;
  limits: BudgetLimits;
  /** How long a request may wait for room (see pace-octokit.ts). */
  maxWaitMs: number;
}

function number(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  what: string,
  positive = false,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new Error(
      `specwright: ${name} must be a ${positive ? "positive" : "non-negative"} number (${what}), not '${raw}'`,
    );
  }
  return value;
}

/** The pacing the environment asks for (docs/deployment.md, "Pacing"). */
export function pacingFromEnv(env: NodeJS.ProcessEnv): PacingConfig {
  const mode = (env.SPECWRIGHT_PACING ?? "on").trim().toLowerCase();
  if (!["on", "off", ""].includes(mode)) {
    throw new Error(
      `specwright: SPECWRIGHT_PACING must be 'on' or 'off', not '${env.SPECWRIGHT_PACING}'`,
    );
  }
  const d = DEFAULT_BUDGET_LIMITS;
  return {
    enabled: mode !== "off",
    limits: {
      requestsPerHour: number(
        env,
        "SPECWRIGHT_PACING_REQUESTS_PER_HOUR",
        d.requestsPerHour,
        "GitHub requests an installation may make an hour; 0: not counted",
      ),
      writesPerMinute: number(
        env,
        "SPECWRIGHT_PACING_WRITES_PER_MINUTE",
        d.writesPerMinute,
        "writes an installation may make a minute; 0: not counted",
      ),
      writesPerHour: number(
        env,
        "SPECWRIGHT_PACING_WRITES_PER_HOUR",
        d.writesPerHour,
        "writes an installation may make an hour; 0: not counted",
      ),
      windowScale: number(
        env,
        "SPECWRIGHT_PACING_WINDOW_SCALE",
        d.windowScale,
        "how long the windows are against a minute and an hour; tests only",
        true,
      ),
    },
    maxWaitMs:
      number(
        env,
        "SPECWRIGHT_PACING_MAX_WAIT",
        // The longest a minute's budget makes a request wait: its window
        // and one bucket (65 s), with room to spare.
        90,
        "seconds a request may wait for room before it is put back",
      ) * 1000,
  };
}

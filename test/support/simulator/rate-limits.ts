// GitHub's rate limits for an installation, as the simulator enforces them
// when a test turns them on (`GitHubSimulator.limitRequests`): the primary
// limit (requests an hour, a window that starts with the first request and
// resets), and the secondary ones (content-creating requests a minute and
// an hour, points a minute), over sliding windows, the strictest reading of
// https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api.
// Windows and limits can be shrunk, so that a test does not run for minutes.

/** A limit over a window. */
export interface Limit {
  limit: number;
  windowMs: number;
}

export interface SimulatedLimits {
  /** Requests of an installation (GitHub: 5,000 an hour). */
  primary: Limit;
  /** Content-creating requests (GitHub: 80 a minute and 500 an hour). */
  writes: Limit[];
  /** Points, a GET 1 and a write 5 (GitHub: 900 a minute). */
  points: Limit;
}

/** GitHub's limits, with their windows multiplied by `windowScale`. */
export function githubLimits(windowScale = 1): SimulatedLimits {
  const minute = 60_000 * windowScale;
  const hour = 3_600_000 * windowScale;
  return {
    primary: { limit: 5_000, windowMs: hour },
    writes: [
      { limit: 80, windowMs: minute },
      { limit: 500, windowMs: hour },
    ],
    points: { limit: 900, windowMs: minute },
  };
}

/** Every request that changes something counts as creating content. */
function isWrite(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method);
}

const DOCS =
  "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";

export interface LimitReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface Sent {
  at: number;
  write: boolean;
}

interface InstallationState {
  /** The primary window: when it started, and what it has used. */
  windowStart: number;
  used: number;
  /** Accepted requests, for the sliding windows. */
  sent: Sent[];
}

/** What the limits did, for tests to assert on. */
export interface LimitCounts {
  /** Requests GitHub would have refused for the primary limit. */
  primary: number;
  /** … for a secondary limit. */
  secondary: number;
  /** The most content-creating requests any window of each `writes` limit held. */
  mostWrites: number[];
}

/** GitHub's limits, per installation, on a clock. */
export class RateLimiter {
  readonly counts: LimitCounts;
  private readonly installations = new Map<number, InstallationState>();
  private requestIds = 0;

  constructor(
    readonly limits: SimulatedLimits,
    private readonly now: () => number,
  ) {
    this.counts = {
      primary: 0,
      secondary: 0,
      mostWrites: limits.writes.map(() => 0),
    };
  }

  private state(installation: number, at: number): InstallationState {
    let state = this.installations.get(installation);
    if (
      state === undefined ||
      at >= state.windowStart + this.limits.primary.windowMs
    ) {
      state = {
        windowStart: at,
        used: 0,
        sent: state?.sent ?? [],
      };
      this.installations.set(installation, state);
    }
    return state;
  }

  /** GitHub's `x-ratelimit-*` headers for the installation now. */
  headers(installation: number): Record<string, string> {
    const state = this.state(installation, this.now());
    const { limit, windowMs } = this.limits.primary;
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - state.used)),
      "x-ratelimit-used": String(state.used),
      "x-ratelimit-reset": String(
        Math.ceil((state.windowStart + windowMs) / 1000),
      ),
      "x-ratelimit-resource": "core",
    };
  }

  /**
   * Counts a request of the installation, or, over a limit, GitHub's
   * refusal (not counted): 403 with `x-ratelimit-remaining: 0` for the
   * primary limit; 403 with `retry-after` for a secondary one.
   */
  admit(installation: number, method: string): LimitReply | undefined {
    const at = this.now();
    const state = this.state(installation, at);
    const write = isWrite(method);
    if (state.used >= this.limits.primary.limit) {
      this.counts.primary++;
      return {
        status: 403,
        headers: this.headers(installation),
        body: {
          message: `API rate limit exceeded for installation ID ${installation}.`,
          documentation_url: DOCS,
          status: "403",
        },
      };
    }
    const longest = Math.max(
      this.limits.points.windowMs,
      ...this.limits.writes.map((l) => l.windowMs),
    );
    state.sent = state.sent.filter((s) => s.at > at - longest);
    const wait = this.secondaryWait(state.sent, write, at);
    if (wait !== undefined) {
      this.counts.secondary++;
      return {
        status: 403,
        headers: {
          ...this.headers(installation),
          "retry-after": String(Math.max(1, Math.ceil(wait / 1000))),
        },
        body: {
          message: write
            ? `You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later. If you reach out to GitHub Support for help, please include the request ID ${this.requestId()}.`
            : `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${this.requestId()}.`,
          documentation_url: `${DOCS}#about-secondary-rate-limits`,
          status: "403",
        },
      };
    }
    state.used++;
    state.sent.push({ at, write });
    if (write) {
      this.limits.writes.forEach((l, i) => {
        const held = state.sent.filter(
          (s) => s.write && s.at > at - l.windowMs,
        ).length;
        this.counts.mostWrites[i] = Math.max(
          this.counts.mostWrites[i] ?? 0,
          held,
        );
      });
    }
    return undefined;
  }

  /** How long until a secondary limit would let the request in, if one is reached. */
  private secondaryWait(
    sent: Sent[],
    write: boolean,
    at: number,
  ): number | undefined {
    let wait: number | undefined;
    const over = (
      held: Sent[],
      limit: number,
      windowMs: number,
      cost: (s: Sent) => number,
      need: number,
    ) => {
      let total = held.reduce((sum, s) => sum + cost(s), 0);
      if (total + need <= limit) return;
      // Room once enough of the oldest have left the window.
      for (const s of held) {
        total -= cost(s);
        if (total + need <= limit) {
          const w = s.at + windowMs - at;
          wait = Math.max(wait ?? 0, w);
          return;
        }
      }
    };
    if (write) {
      for (const l of this.limits.writes) {
        over(
          sent.filter((s) => s.write && s.at > at - l.windowMs),
          l.limit,
          l.windowMs,
          () => 1,
          1,
        );
      }
    }
    const points = (s: Sent) => (s.write ? 5 : 1);
    over(
      sent.filter((s) => s.at > at - this.limits.points.windowMs),
      this.limits.points.limit,
      this.limits.points.windowMs,
      points,
      write ? 5 : 1,
    );
    return wait;
  }

  private requestId(): string {
    this.requestIds++;
    return `C0DE:${this.requestIds.toString(16).toUpperCase().padStart(6, "0")}`;
  }
}

/** How often a request hit by a rate limit is sent again before it fails. */
export const MAX_RATE_LIMIT_RETRIES = 2;
/** A wait longer than this is not waited for in the request: it fails, and the effect runner backs off. */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 60;

/** Rate-limit hits since the process started, for the logs. */
export const rateLimitCounts = { primary: 0, secondary: 0 };

interface LimitLog {
  warn(message: string): void;
}

/**
 * Decides, for a request GitHub answered with a rate limit, whether to send
 * it again after `retryAfter` seconds (as GitHub asks): at most
 * {@link MAX_RATE_LIMIT_RETRIES} times and only for a short wait. Every hit
 * is counted and logged; a request that gives up fails, and its effect is
 * retried later with back-off.
 */
export function onLimit(kind: "primary" | "secondary") {
  return (
    retryAfter: number,
    options: { method: string; url: string },
    octokit: { log: LimitLog },
    retryCount: number,
  ): boolean => {
    rateLimitCounts[kind]++;
    const retry =
      retryCount < MAX_RATE_LIMIT_RETRIES &&
      retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS;
    octokit.log.warn(
      `specwright: ${kind} rate limit on ${options.method} ${options.url} (hit ${rateLimitCounts[kind]} since start); ${retry ? `retrying in ${retryAfter}s (retry ${retryCount + 1} of ${MAX_RATE_LIMIT_RETRIES})` : "giving up on this request for now"}`,
    );
    return retry;
  };
}

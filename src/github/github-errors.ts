/** Known GitHub failures, turned into messages a person can act on. */

/** A request failed with an HTTP status (Octokit's RequestError shape). */
export interface HttpError {
  status: number;
  message: string;
  response?: {
    data?: unknown;
    headers?: Record<string, string | number | undefined>;
  };
}

export function isHttpError(error: unknown): error is HttpError {
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { status?: unknown }).status === "number"
  );
}

export function httpStatus(error: unknown): number | undefined {
  return isHttpError(error) ? error.status : undefined;
}

/** Worth trying again later: the network, GitHub's side, or a rate limit. */
export function isTransient(error: unknown): boolean {
  const status = httpStatus(error);
  if (status === undefined) return true;
  return (
    status >= 500 ||
    status === 429 ||
    (status === 403 && /rate limit/i.test(errorMessage(error)))
  );
}

/**
 * How long GitHub asked us to wait before trying again, if it did: its
 * `retry-after` header, or the reset time of an exhausted rate limit
 * (capped at an hour).
 */
export function retryAfterMs(
  error: unknown,
  now = Date.now(),
): number | undefined {
  if (!isHttpError(error)) return undefined;
  const headers = error.response?.headers ?? {};
  const after = Number(headers["retry-after"]);
  if (Number.isFinite(after) && after >= 0)
    return Math.min(3_600_000, after * 1000);
  if (String(headers["x-ratelimit-remaining"]) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]) * 1000;
    if (Number.isFinite(reset) && reset > now)
      return Math.min(3_600_000, reset - now);
  }
  return undefined;
}

/** The error's message, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (isHttpError(error)) return error.message;
  return String(error);
}

export const ERROR_REFERENCE_EXISTS = "Reference already exists";
export const ERROR_PULL_REQUEST_EXISTS = "A pull request already exists";
export const ERROR_NOT_FAST_FORWARD = "Update is not a fast forward";
/**
 * A draft pull request where the plan has none (private repositories on
 * GitHub Free and Pro): a plain 422 with this message and no `errors`.
 */
export const ERROR_DRAFTS_NOT_SUPPORTED =
  "Draft pull requests are not supported in this repository";

/**
 * GitHub refused a draft pull request, and only that: a 422 whose message
 * is {@link ERROR_DRAFTS_NOT_SUPPORTED} itself. Not a validation error that
 * merely contains the words (one may echo the title, which is the
 * requester's text).
 */
export function isDraftRefused(error: unknown): boolean {
  if (!isHttpError(error) || error.status !== 422) return false;
  const data = error.response?.data as { message?: unknown } | undefined;
  const message =
    typeof data?.message === "string"
      ? data.message
      : // Octokit's message: GitHub's, then " - <documentation URL>".
        error.message.replace(/ - https:\/\/\S+$/, "");
  return message.trim().replace(/\.$/, "") === ERROR_DRAFTS_NOT_SUPPORTED;
}

/** True when a 4xx error's message (or its validation errors) mention `text`. */
export function mentions(error: unknown, text: string): boolean {
  if (!isHttpError(error)) return false;
  if (error.message.includes(text)) return true;
  return JSON.stringify(error.response?.data ?? "").includes(text);
}

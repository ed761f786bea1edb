import type { DashboardAuthConfig } from "./config-from-env.js";

/**
 * GitHub's authorize page for this sign-in. `allow_signup=false`: the
 * dashboard is for people who already work on the repositories.
 * https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
 */
export function authorizeUrl(
  config: DashboardAuthConfig,
  params: { redirectUri: string; state: string },
): string {
  const url = new URL("/login/oauth/authorize", config.githubWebUrl);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", params.redirectUri);
  url.searchParams.set("state", params.state);
  url.searchParams.set("allow_signup", "false");
  return url.href;
}

export type CodeExchange =
  | { ok: true; token: string; expiresInSeconds?: number }
  /** GitHub refused: `error` is its code, e.g. `bad_verification_code`. */
  | { ok: false; error: string };

/**
 * Trades the callback's code for a user token. GitHub answers a refusal
 * with status 200 and an `error` field; an unreachable or failing GitHub
 * throws (the message names neither the code nor the client secret).
 */
export async function exchangeCode(
  config: DashboardAuthConfig,
  fetchImpl: typeof fetch,
  params: { code: string; redirectUri: string },
): Promise<CodeExchange> {
  let response: Response;
  try {
    response = await fetchImpl(
      new URL("/login/oauth/access_token", config.githubWebUrl),
      {
        method: "POST",
        headers: {
          accept: "application/json",
          "content-type": "application/json",
          "user-agent": "specwright-dashboard",
        },
        body: JSON.stringify({
          client_id: config.clientId,
          client_secret: config.clientSecret,
          code: params.code,
          redirect_uri: params.redirectUri,
        }),
        signal: AbortSignal.timeout(10_000),
      },
    );
  } catch (error) {
    throw new Error(
      `specwright: GitHub could not be reached to finish a sign-in (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  if (!response.ok) {
    throw new Error(
      `specwright: GitHub answered ${response.status} when the dashboard traded a sign-in code for a token.`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as Record<
    string,
    unknown
  >;
  if (typeof body.access_token === "string" && body.access_token !== "") {
    return typeof body.expires_in === "number" && body.expires_in > 0
      ? {
          ok: true,
          token: body.access_token,
          expiresInSeconds: body.expires_in,
        }
      : { ok: true, token: body.access_token };
  }
  const error =
    typeof body.error === "string" && /^[a-z_]{1,64}$/.test(body.error)
      ? body.error
      : "no_token";
  return { ok: false, error };
}

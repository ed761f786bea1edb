import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendProblemPage, sendRedirect } from "./auth-responses.js";
import { type AuthState, dashboardOrigin, isSecure } from "./auth-state.js";
import { authorizeUrl } from "./github-oauth.js";
import { safeReturnTo } from "./return-to.js";
import { signInCookie } from "./sign-in-cookie.js";

export const SIGN_IN_PATH = "/specwright/auth/sign-in";
export const CALLBACK_PATH = "/specwright/auth/callback";

/** The sign-in link that comes back to `returnTo`. */
export function signInHref(returnTo: string): string {
  return `${SIGN_IN_PATH}?return_to=${encodeURIComponent(returnTo)}`;
}

/**
 * `GET /specwright/auth/sign-in?return_to=/specwright/…`: sends the browser
 * to GitHub's authorize page with a fresh `state`, remembered in a
 * short-lived sealed cookie with the page to return to.
 */
export function startSignIn(
  state: AuthState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  const returnTo = safeReturnTo(url.searchParams.get("return_to"));
  const origin = dashboardOrigin(state, req);
  if (origin === undefined) {
    sendProblemPage(
      res,
      400,
      "This request's Host header is not a host name, so the sign-in cannot name its way back; open the dashboard at its usual address.",
      signInHref(returnTo),
    );
    return;
  }
  const pending = {
    state: randomBytes(24).toString("base64url"),
    returnTo,
    redirectUri: `${origin}${CALLBACK_PATH}`,
  };
  sendRedirect(res, 302, authorizeUrl(state.config, pending), [
    signInCookie(state, pending, isSecure(state, req)),
  ]);
}

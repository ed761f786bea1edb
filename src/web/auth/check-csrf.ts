import type { IncomingMessage } from "node:http";
import { type AuthState, dashboardOrigin } from "./auth-state.js";
import { equalSecrets } from "./equal-secrets.js";
import type { Session } from "./session-cookie.js";

/**
 * True when a state-changing request is the dashboard's own: it carries the
 * session's CSRF token (`X-CSRF-Token`, or `token` for a plain form post),
 * and when the browser says where it comes from (`Origin`,
 * `Sec-Fetch-Site`), that is this origin. The cookie alone proves nothing:
 * the browser sends it with another site's requests too.
 */
export function checkCsrf(
  state: AuthState,
  req: IncomingMessage,
  session: Session,
  token: string | undefined = headerToken(req),
): boolean {
  if (token === undefined || !equalSecrets(token, session.csrfToken)) {
    return false;
  }
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const own = dashboardOrigin(state, req);
  if (own === undefined) return false;
  if (state.config.publicUrl) return origin === own;
  // Without a public URL the scheme behind a proxy is unsure: the host decides.
  try {
    return new URL(origin).host === new URL(own).host;
  } catch {
    return false;
  }
}

function headerToken(req: IncomingMessage): string | undefined {
  const value = req.headers["x-csrf-token"];
  return typeof value === "string" ? value : undefined;
}

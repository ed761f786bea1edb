import type { IncomingMessage, ServerResponse } from "node:http";
import { sendProblemPage, sendRedirect } from "./auth-responses.js";
import { type AuthState, isSecure } from "./auth-state.js";
import { checkCsrf } from "./check-csrf.js";
import { DEFAULT_RETURN_TO } from "./return-to.js";
import { clearSessionCookie, readSession } from "./session-cookie.js";
import { signInHref } from "./start-sign-in.js";

export const SIGN_OUT_PATH = "/specwright/auth/sign-out";
const MAX_FORM_BYTES = 4096;

/**
 * `POST /specwright/auth/sign-out`, with the CSRF token as `X-CSRF-Token`
 * or a form field `csrf_token`: deletes the session cookie and revokes the
 * token at GitHub, so a copy of the cookie signs in nobody. Another site
 * cannot sign a person out (the token check), which would be a nuisance.
 */
export async function signOut(
  state: AuthState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const session = readSession(state, req);
  if (session !== undefined) {
    const form = await readForm(req);
    const token =
      typeof req.headers["x-csrf-token"] === "string"
        ? req.headers["x-csrf-token"]
        : (form.get("csrf_token") ?? undefined);
    if (!checkCsrf(state, req, session, token)) {
      sendProblemPage(
        res,
        403,
        "Signing out needs the dashboard's own sign-out button; nothing was changed.",
        signInHref(DEFAULT_RETURN_TO),
      );
      return;
    }
    const userToken = state.tokens.get(session);
    if (userToken !== undefined) {
      state.refused.set(state.tokenId(userToken), true);
      await revokeToken(state, userToken);
    }
  }
  sendRedirect(res, 303, DEFAULT_RETURN_TO, [
    clearSessionCookie(state, isSecure(state, req)),
  ]);
}

/**
 * `DELETE /applications/{client_id}/token`: best effort, as the cookie is
 * gone either way and this process already refuses the token.
 */
async function revokeToken(state: AuthState, token: string): Promise<void> {
  const { clientId, clientSecret, githubApiUrl } = state.config;
  try {
    await state.fetch(
      `${githubApiUrl.replace(/\/+$/, "")}/applications/${encodeURIComponent(clientId)}/token`,
      {
        method: "DELETE",
        headers: {
          accept: "application/vnd.github+json",
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
          "content-type": "application/json",
          "user-agent": "specwright-dashboard",
          "x-github-api-version": "2022-11-28",
        },
        body: JSON.stringify({ access_token: token }),
        signal: AbortSignal.timeout(10_000),
      },
    );
  } catch {
    // GitHub unreachable: the token still expires within 8 hours.
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = String(req.headers["content-type"] ?? "");
  if (!type.startsWith("application/x-www-form-urlencoded")) {
    return new URLSearchParams();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return new URLSearchParams();
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

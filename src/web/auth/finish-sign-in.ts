import type { IncomingMessage, ServerResponse } from "node:http";
import { sendProblemPage, sendRedirect } from "./auth-responses.js";
import { type AuthState, isSecure } from "./auth-state.js";
import { exchangeCode } from "./github-oauth.js";
import { DEFAULT_RETURN_TO } from "./return-to.js";
import { sessionCookie } from "./session-cookie.js";
import { clearSignInCookie, readSignIn } from "./sign-in-cookie.js";
import { signInHref } from "./start-sign-in.js";

/**
 * `GET /specwright/auth/callback?code&state`: GitHub sends the browser back
 * here. The plan:
 * 1. the `state` must be the one this browser's sign-in sent;
 * 2. trade the code for the person's user token;
 * 3. ask GitHub who they are;
 * 4. seal both in the session cookie and return to the page they wanted.
 * Anything wrong is a page with one sentence and a link to sign in again.
 */
export async function finishSignIn(
  state: AuthState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const signIn = readSignIn(state, req, url.searchParams.get("state"));
  const returnTo = signIn?.pending.returnTo ?? DEFAULT_RETURN_TO;
  const secure = isSecure(state, req);
  const clear = [clearSignInCookie(state, secure)];
  const refuse = (status: number, message: string) =>
    sendProblemPage(res, status, message, signInHref(returnTo), clear);

  const githubError = url.searchParams.get("error");
  if (githubError !== null) {
    const code = /^[a-z_]{1,64}$/.test(githubError) ? ` (${githubError})` : "";
    return refuse(400, `GitHub did not sign you in${code}.`);
  }
  if (signIn === undefined) {
    return refuse(
      400,
      "This sign-in has expired or was started in another browser.",
    );
  }
  if (!signIn.matches) {
    return refuse(
      400,
      "GitHub's answer does not belong to the sign-in this browser started.",
    );
  }
  const code = url.searchParams.get("code");
  if (code === null || code === "") {
    return refuse(400, "GitHub's answer carried no sign-in code.");
  }

  let exchange: Awaited<ReturnType<typeof exchangeCode>>;
  let person: { login: string; id: number; avatarUrl: string | null };
  try {
    exchange = await exchangeCode(state.config, state.fetch, {
      code,
      redirectUri: signIn.pending.redirectUri,
    });
    if (!exchange.ok) {
      return refuse(
        400,
        `GitHub refused the sign-in code (${exchange.error}).`,
      );
    }
    const whoami = await state.api.get(exchange.token, "/user");
    const body = whoami.body as Record<string, unknown> | undefined;
    if (
      whoami.status !== 200 ||
      typeof body?.login !== "string" ||
      typeof body.id !== "number"
    ) {
      return refuse(
        502,
        `GitHub did not say who you are (it answered ${whoami.status} to GET /user).`,
      );
    }
    person = {
      login: body.login,
      id: body.id,
      avatarUrl: typeof body.avatar_url === "string" ? body.avatar_url : null,
    };
  } catch (error) {
    // Messages here name requests, never the code, token or client secret.
    const message =
      error instanceof Error
        ? error.message.replace(/^specwright: /, "")
        : "GitHub could not finish the sign-in.";
    return refuse(502, message);
  }
  sendRedirect(res, 302, returnTo, [
    ...clear,
    sessionCookie(
      state,
      person,
      {
        value: exchange.token,
        ...(exchange.expiresInSeconds === undefined
          ? {}
          : { expiresInSeconds: exchange.expiresInSeconds }),
      },
      secure,
    ),
  ]);
}

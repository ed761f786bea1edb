import type { IncomingMessage } from "node:http";
import { z } from "zod";
import type { AuthState } from "./auth-state.js";
import { readCookies, serializeCookie } from "./cookies.js";
import { equalSecrets } from "./equal-secrets.js";

/**
 * The sign-in under way in this browser: the OAuth `state` sent to GitHub
 * (which must come back unchanged, so a callback another site started is
 * refused), where to return, and the callback URL the code is bound to.
 */
export interface PendingSignIn {
  state: string;
  returnTo: string;
  redirectUri: string;
}

const SIGN_IN_COOKIE = "specwright_sign_in";
const SIGN_IN_PATH = "/specwright/auth";
/** As long as GitHub keeps a code: a sign-in left longer starts again. */
const SIGN_IN_LIFETIME_MS = 10 * 60_000;

const Sealed = z.object({
  v: z.literal(1),
  state: z.string().min(1),
  returnTo: z.string(),
  redirectUri: z.string(),
  exp: z.number(),
});

/** The `Set-Cookie` value that remembers a sign-in for ten minutes. */
export function signInCookie(
  state: AuthState,
  pending: PendingSignIn,
  secure = state.secure,
): string {
  const sealed: z.infer<typeof Sealed> = {
    v: 1,
    ...pending,
    exp: state.now().getTime() + SIGN_IN_LIFETIME_MS,
  };
  return serializeCookie(
    SIGN_IN_COOKIE,
    state.sealer.seal(sealed, SIGN_IN_COOKIE),
    {
      path: SIGN_IN_PATH,
      maxAge: SIGN_IN_LIFETIME_MS / 1000,
      secure,
    },
  );
}

/** The `Set-Cookie` value that forgets the sign-in (it is good for one callback). */
export function clearSignInCookie(
  state: AuthState,
  secure = state.secure,
): string {
  return serializeCookie(SIGN_IN_COOKIE, "", {
    path: SIGN_IN_PATH,
    maxAge: 0,
    secure,
  });
}

/**
 * The sign-in this browser started: `found` false when it has none (never
 * started, expired, tampered), `matches` whether GitHub's `state` is its own.
 */
export function readSignIn(
  state: AuthState,
  req: IncomingMessage,
  returnedState: string | null,
): { pending: PendingSignIn; matches: boolean } | undefined {
  for (const value of readCookies(req, SIGN_IN_COOKIE)) {
    const parsed = Sealed.safeParse(state.sealer.open(value, SIGN_IN_COOKIE));
    if (!parsed.success || parsed.data.exp <= state.now().getTime()) continue;
    const { state: expected, returnTo, redirectUri } = parsed.data;
    return {
      pending: { state: expected, returnTo, redirectUri },
      matches: returnedState !== null && equalSecrets(returnedState, expected),
    };
  }
  return undefined;
}

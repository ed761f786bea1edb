import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import type { AuthState } from "./auth-state.js";
import { readCookies, serializeCookie } from "./cookies.js";

/** The signed-in person, as the dashboard knows them from their cookie. */
export interface Session {
  readonly login: string;
  readonly userId: number;
  readonly avatarUrl: string | null;
  /** Every state-changing request must carry it as `X-CSRF-Token`. */
  readonly csrfToken: string;
  /** When the session ends: when the GitHub token inside it expires, 8 hours after sign-in at most. */
  readonly expiresAt: Date;
}

export const SESSION_COOKIE = "specwright_session";
/** GitHub App user tokens expire after 8 hours; the session with them. */
export const SESSION_LIFETIME_MS = 8 * 3600_000;
const SESSION_PATH = "/specwright";

const SealedSession = z.object({
  v: z.literal(1),
  login: z.string().min(1),
  id: z.int(),
  avatar: z.string().nullable(),
  token: z.string().min(1),
  csrf: z.string().min(1),
  /** Expiry, epoch milliseconds. */
  exp: z.number(),
});

/** The session in the request's cookie, or undefined (absent, tampered, expired, or refused by GitHub). */
export function readSession(
  state: AuthState,
  req: IncomingMessage,
): Session | undefined {
  for (const value of readCookies(req, SESSION_COOKIE)) {
    const parsed = SealedSession.safeParse(
      state.sealer.open(value, SESSION_COOKIE),
    );
    if (!parsed.success) continue;
    const sealed = parsed.data;
    if (sealed.exp <= state.now().getTime()) continue;
    if (state.refused.peek(state.tokenId(sealed.token)) !== undefined) continue;
    const session: Session = Object.freeze({
      login: sealed.login,
      userId: sealed.id,
      avatarUrl: sealed.avatar,
      csrfToken: sealed.csrf,
      expiresAt: new Date(sealed.exp),
    });
    state.tokens.set(session, sealed.token);
    return session;
  }
  return undefined;
}

/** The `Set-Cookie` value of a new session for this person and token. */
export function sessionCookie(
  state: AuthState,
  person: { login: string; id: number; avatarUrl: string | null },
  token: { value: string; expiresInSeconds?: number },
  secure = state.secure,
): string {
  const now = state.now().getTime();
  const lifetime = Math.min(
    SESSION_LIFETIME_MS,
    (token.expiresInSeconds ?? Number.POSITIVE_INFINITY) * 1000,
  );
  const sealed: z.infer<typeof SealedSession> = {
    v: 1,
    login: person.login,
    id: person.id,
    avatar: person.avatarUrl,
    token: token.value,
    csrf: randomBytes(32).toString("base64url"),
    exp: now + lifetime,
  };
  return serializeCookie(
    SESSION_COOKIE,
    state.sealer.seal(sealed, SESSION_COOKIE),
    { path: SESSION_PATH, maxAge: lifetime / 1000, secure },
  );
}

/** The `Set-Cookie` value that deletes the session cookie. */
export function clearSessionCookie(
  state: AuthState,
  secure = state.secure,
): string {
  return serializeCookie(SESSION_COOKIE, "", {
    path: SESSION_PATH,
    maxAge: 0,
    secure,
  });
}

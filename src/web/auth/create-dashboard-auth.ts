import type { IncomingMessage, ServerResponse } from "node:http";
import type { Permission } from "../../commands/permission.js";
import { type AuthOptions, createAuthState } from "./auth-state.js";
import { checkCsrf } from "./check-csrf.js";
import type { DashboardAuthConfig } from "./config-from-env.js";
import { handleAuthRoute } from "./handle-auth-route.js";
import { createRepositoryAccess } from "./repository-access.js";
import { readSession, type Session } from "./session-cookie.js";

/** The dashboard's GitHub sign-in, and what a signed-in person may see and do. */
export interface DashboardAuth {
  /**
   * Serves `GET /specwright/auth/sign-in?return_to=`, `GET
   * /specwright/auth/callback` and `POST /specwright/auth/sign-out`; true
   * when the request was one of them (answered), false otherwise.
   */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** The signed-in person from the request's cookie, or undefined (absent, tampered, expired, refused by GitHub). */
  session(req: IncomingMessage): Session | undefined;
  /** True when a state-changing request carries the session's CSRF token as `X-CSRF-Token` and, if the browser names an origin, it is the dashboard's. */
  checkCsrf(req: IncomingMessage, session: Session): boolean;
  /**
   * The person's permission on a repository, asked of GitHub with their
   * token (`GET /repos/{owner}/{repo}`; 404 is "none"), cached 60 s.
   * Throws `SignedOutError` when GitHub refuses the token. With
   * `repositoryId`, "none" when the name now belongs to another repository.
   */
  permission(
    session: Session,
    owner: string,
    repo: string,
    repositoryId?: number,
  ): Promise<Permission>;
  /**
   * The `owner/repo` names among `candidates` the person can read: those
   * their installations list (`GET /user/installations`, then each one's
   * repositories), then the others one by one; cached 60 s. Throws
   * `SignedOutError` when GitHub refuses the token.
   */
  readableRepositories(
    session: Session,
    candidates: readonly string[],
  ): Promise<Set<string>>;
}

/** The sign-in for one App, from {@link dashboardAuthConfigFromEnv}'s config. */
export function createDashboardAuth(
  config: DashboardAuthConfig,
  options: AuthOptions = {},
): DashboardAuth {
  const state = createAuthState(config, options);
  const access = createRepositoryAccess(state);
  return {
    handle: (req, res, url) => handleAuthRoute(state, req, res, url),
    session: (req) => readSession(state, req),
    checkCsrf: (req, session) => checkCsrf(state, req, session),
    permission: access.permission,
    readableRepositories: access.readableRepositories,
  };
}

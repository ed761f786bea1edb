// The dashboard's GitHub sign-in: the GitHub App's own OAuth flow, a sealed
// session cookie, CSRF checks, and the person's access to repositories as
// GitHub answers it for their token.
export type { Permission } from "../../commands/permission.js";
export type { AuthOptions } from "./auth-state.js";
export {
  type DashboardAuthConfig,
  type DashboardAuthConfigResult,
  dashboardAuthConfigFromEnv,
} from "./config-from-env.js";
export {
  createDashboardAuth,
  type DashboardAuth,
} from "./create-dashboard-auth.js";
export { SESSION_COOKIE, type Session } from "./session-cookie.js";
export { SIGN_OUT_PATH } from "./sign-out.js";
export { SignedOutError } from "./signed-out-error.js";
export { SIGN_IN_PATH, signInHref } from "./start-sign-in.js";

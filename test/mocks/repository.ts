import { forgetOwnerConfigs } from "../../src/app/load-repository-config.js";
import { github } from "../support/github.js";

export const OWNER = "acme";
export const REPO = "web";
const REPO_PATH = `/repos/${OWNER}/${REPO}`;
const CONFIG = ".github%2Fspecwright.yml";

/** The collaborator-permission API's answer for a user. */
export function nockPermission(
  user: string,
  role: "read" | "triage" | "write" | "maintain" | "admin",
) {
  const permission =
    role === "triage" ? "read" : role === "maintain" ? "write" : role;
  return github()
    .get(`${REPO_PATH}/collaborators/${user}/permission`)
    .reply(200, { permission, role_name: role, user: { login: user } });
}

/**
 * `.github/specwright.yml` as the App reads it, once: the text, or no file
 * (404 here and in the owner's `.github` repository, which the App then
 * remembers for a minute: forgotten here, as in a new process). `raw` is
 * kept for the callers: the App no longer reads the file a second time to
 * locate problems.
 */
export function nockConfig(
  text: string | null,
  _options: { raw?: boolean } = {},
) {
  const scope = github();
  forgetOwnerConfigs();
  if (text === null) {
    scope
      .get(`${REPO_PATH}/contents/${CONFIG}`)
      .reply(404, { message: "Not Found" });
    scope
      .get(`/repos/${OWNER}/.github/contents/${CONFIG}`)
      .reply(404, { message: "Not Found" });
    return scope;
  }
  scope.get(`${REPO_PATH}/contents/${CONFIG}`).reply(200, text);
  return scope;
}

import { restExample } from "./rest-schemas.js";
import type { Repository, Role, User } from "./state.js";
import type { Json } from "./webhooks.js";

// REST payloads for what a person sees with their user token, built from
// GitHub's own examples with the simulator's names, ids and URLs.

const LEVELS: readonly Role[] = [
  "read",
  "triage",
  "write",
  "maintain",
  "admin",
];

/** The `permissions` flags GitHub returns with a repository for a user holding `role`. */
export function permissionFlags(role: Role | undefined): {
  admin: boolean;
  maintain: boolean;
  push: boolean;
  triage: boolean;
  pull: boolean;
} {
  const level = role === undefined ? -1 : LEVELS.indexOf(role);
  return {
    admin: level >= LEVELS.indexOf("admin"),
    maintain: level >= LEVELS.indexOf("maintain"),
    push: level >= LEVELS.indexOf("write"),
    triage: level >= LEVELS.indexOf("triage"),
    pull: level >= LEVELS.indexOf("read"),
  };
}

/** An example with GitHub's hosts and the octocat names swapped for ours. */
function localise(
  example: Json,
  base: string,
  names: Record<string, string>,
): Json {
  let text = JSON.stringify(example)
    .replaceAll("https://api.github.com", `${base}/api/v3`)
    .replaceAll("https://github.com", base);
  for (const [from, to] of Object.entries(names)) {
    text = text.replaceAll(from, to);
  }
  return JSON.parse(text) as Json;
}

export function avatarUrl(base: string, user: User): string {
  return `${base}/avatars/u/${user.id}?v=4`;
}

/** `simple-user`. */
export function simpleUser(base: string, user: User): Json {
  const example = restExample("full-repository-default-response").owner as Json;
  return {
    ...localise(example, base, { octocat: user.login }),
    id: user.id,
    node_id: `U_${user.id}`,
    login: user.login,
    type: user.type,
    avatar_url: avatarUrl(base, user),
  };
}

/** `GET /user`: the signed-in person's own view (`private-user`). */
export function privateUser(base: string, user: User): Json {
  const example = restExample(
    "private-user-response-with-public-and-private-profile-information",
  );
  return {
    ...localise(example, base, { octocat: user.login }),
    ...simpleUser(base, user),
    name: user.login,
    email: null,
    company: null,
    blog: "",
    location: null,
    bio: null,
    twitter_username: null,
  };
}

/** An installation of the App on `account`, as `GET /user/installations` lists it. */
export function installationPayload(
  base: string,
  id: number,
  appId: number,
  account: User,
): Json {
  const example = restExample("base-installation-for-auth-user-paginated")
    .installations[0] as Json;
  return {
    ...localise(example, base, {}),
    id,
    app_id: appId,
    app_slug: "specwright",
    target_id: account.id,
    target_type: "Organization",
    account: { ...simpleUser(base, account), type: "Organization" },
    access_tokens_url: `${base}/api/v3/app/installations/${id}/access_tokens`,
    repositories_url: `${base}/api/v3/installation/repositories`,
    html_url: `${base}/organizations/${account.login}/settings/installations/${id}`,
    repository_selection: "all",
  };
}

/**
 * A repository as `GET /repos/{owner}/{repo}` (`full`) or a list (not) shows
 * it to a person with `role`, `permissions` included.
 */
export function repositoryPayload(
  base: string,
  repo: Repository,
  owner: User,
  role: Role | undefined,
  full: boolean,
): Json {
  const example = full
    ? restExample("full-repository-default-response")
    : (restExample("repository-paginated").repositories[0] as Json);
  const payload = localise(example, base, {
    "octocat/Hello-World": repo.full_name,
  });
  for (const key of [
    "template_repository",
    "parent",
    "source",
    "organization",
    "security_and_analysis",
    "temp_clone_token",
  ]) {
    delete payload[key];
  }
  return {
    ...payload,
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: repo.full_name,
    owner: simpleUser(base, owner),
    private: repo.private,
    visibility: repo.private ? "private" : "public",
    description: null,
    homepage: null,
    language: null,
    mirror_url: null,
    default_branch: repo.default_branch,
    topics: [],
    permissions: permissionFlags(role),
  };
}

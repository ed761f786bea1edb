import type { Permission } from "../../commands/permission.js";
import type { AuthState } from "./auth-state.js";
import {
  permissionFromRepository,
  type RepositoryPermissions,
} from "./permission-from-repository.js";
import type { Session } from "./session-cookie.js";
import { SignedOutError } from "./signed-out-error.js";
import { TtlCache } from "./ttl-cache.js";

/** GitHub is asked again after this long: a role taken away counts within a minute. */
export const ACCESS_TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;
/** Repositories asked about one by one at once. */
const CONCURRENCY = 4;
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** What GitHub says of a repository for a person: their level, and its id. */
interface Access {
  level: Permission;
  id: number | null;
}

const NO_ACCESS: Access = { level: "none", id: null };

/** What a signed-in person may see and do, asked of GitHub with their token. */
export interface RepositoryAccess {
  permission(
    session: Session,
    owner: string,
    repo: string,
    repositoryId?: number,
  ): Promise<Permission>;
  readableRepositories(
    session: Session,
    candidates: readonly string[],
  ): Promise<Set<string>>;
}

/**
 * Caches are keyed by a keyed hash of the token (never the token) and the
 * repository, live {@link ACCESS_TTL_MS} and hold a bounded number of
 * entries. A 401 from GitHub marks the token refused (its session reads as
 * signed out) and throws {@link SignedOutError}.
 */
export function createRepositoryAccess(state: AuthState): RepositoryAccess {
  const clock = () => state.now().getTime();
  const permissions = new TtlCache<Access>(ACCESS_TTL_MS, MAX_ENTRIES, clock);
  const listings = new TtlCache<Map<string, Access>>(
    ACCESS_TTL_MS,
    MAX_ENTRIES,
    clock,
  );

  function tokenOf(session: Session): string {
    const token = state.tokens.get(session);
    if (token === undefined) {
      throw new Error(
        "specwright: this session was not read by the dashboard's auth (call session(req) first); its permissions cannot be asked.",
      );
    }
    return token;
  }

  async function guard<T>(token: string, work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof SignedOutError) {
        state.refused.set(state.tokenId(token), true);
      }
      throw error;
    }
  }

  const keyOf = (id: string, fullName: string) =>
    `${id}\0${fullName.toLowerCase()}`;

  /** The repositories the person has a role on, through the App's installations. */
  async function listExplicit(token: string): Promise<Map<string, Access>> {
    const found = new Map<string, Access>();
    const installations = await state.api.list(
      token,
      "/user/installations",
      "installations",
    );
    for (const installation of installations) {
      const id = (installation as { id?: unknown }).id;
      if (typeof id !== "number") continue;
      const repositories = await state.api.list(
        token,
        `/user/installations/${id}/repositories`,
        "repositories",
      );
      for (const repository of repositories) {
        const { full_name, permissions, id } = repository as {
          full_name?: unknown;
          permissions?: RepositoryPermissions;
          id?: unknown;
        };
        if (typeof full_name !== "string") continue;
        found.set(full_name.toLowerCase(), {
          level: permissionFromRepository(permissions),
          id: typeof id === "number" ? id : null,
        });
      }
    }
    return found;
  }

  /**
   * The person's permission on the repository of that name; "none" too
   * when `repositoryId` is given and the name now belongs to another
   * repository (renamed, transferred or deleted, and the name reused).
   */
  async function permission(
    session: Session,
    owner: string,
    repo: string,
    repositoryId?: number,
  ): Promise<Permission> {
    const token = tokenOf(session);
    if (!NAME.test(owner) || !NAME.test(repo)) return "none";
    const access = await permissions.remember(
      keyOf(state.tokenId(token), `${owner}/${repo}`),
      async () => {
        const answer = await guard(
          token,
          state.api.get(token, `/repos/${owner}/${repo}`),
        );
        if (answer.status !== 200) return NO_ACCESS;
        const body = answer.body as {
          id?: unknown;
          permissions?: RepositoryPermissions;
        };
        return {
          level: permissionFromRepository(body.permissions),
          id: typeof body.id === "number" ? body.id : null,
        };
      },
    );
    if (repositoryId !== undefined && access.id !== repositoryId) return "none";
    return access.level;
  }

  async function readableRepositories(
    session: Session,
    candidates: readonly string[],
  ): Promise<Set<string>> {
    const token = tokenOf(session);
    const id = state.tokenId(token);
    const wanted = candidates.filter((c) => /^[^/]+\/[^/]+$/.test(c));
    const unknown = wanted.filter(
      (c) => permissions.peek(keyOf(id, c)) === undefined,
    );
    if (unknown.length > 0) {
      // One listing answers for every repository the person has a role
      // on; the rest (public ones, mostly) are asked one by one.
      const listing = await guard(
        token,
        listings.remember(id, () => listExplicit(token)),
      );
      for (const [fullName, level] of listing) {
        if (permissions.peek(keyOf(id, fullName)) === undefined) {
          permissions.set(keyOf(id, fullName), level);
        }
      }
    }
    const readable = new Set<string>();
    let next = 0;
    const worker = async () => {
      while (next < wanted.length) {
        const fullName = wanted[next++] as string;
        const [owner = "", repo = ""] = fullName.split("/");
        if ((await permission(session, owner, repo)) !== "none") {
          readable.add(fullName);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return readable;
  }

  return { permission, readableRepositories };
}

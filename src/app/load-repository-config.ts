import type { Context } from "probot";
import YAML from "yaml";
import { type CheckedConfig, checkConfig } from "../config/check-config.js";
import { loadConfig } from "../config/load-config.js";
import { httpStatus } from "../github/github-errors.js";
import { remember } from "../github/github-memory.js";
import { InFlight } from "../github/in-flight.js";
import {
  type Diagnostic,
  formatDiagnostic,
  formatPath,
} from "../workflow/diagnostic.js";

export const CONFIG_FILE = "specwright.yml";
export const CONFIG_PATH = `.github/${CONFIG_FILE}`;

export type RepositoryConfig =
  | ({ ok: true } & CheckedConfig)
  | { ok: false; problems: string[] };

function describe(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) =>
    d.line === undefined
      ? `${CONFIG_PATH}: ${d.path.length > 0 ? `${formatPath(d.path)}: ` : ""}${d.message}`
      : formatDiagnostic(CONFIG_PATH, d),
  );
}

/** How long an owner whose `.github` repository has no configuration is not asked again. */
export const OWNER_CONFIG_MEMORY_MS = 60_000;

/** Owners (by API and login) with no configuration in their `.github` repository, until when. */
const ownersWithout = new Map<string, number>();

/** Reads under way, by API, owner and repository: callers meanwhile share them. */
const reading = new InFlight();

/**
 * A repository's own file as last read, by API, owner and repository: with
 * the repository's `pushed_at` then and when it was read. No branch has
 * moved while the delivery's `pushed_at` is the same, so neither has the
 * file; a minute bounds what a push GitHub did not count could leave stale.
 */
const known = new Map<
  string,
  { pushedAt: string; readAt: number; text: string | null }
>();

/** How long a repository's file is used again while no branch moved. */
export const OWN_CONFIG_MEMORY_MS = 60_000;
/** Repositories whose file is kept at most (the oldest go first). */
const KNOWN_LIMIT = 10_000;

/** Forgets what was learnt about repositories' configuration (tests). */
export function forgetOwnerConfigs(): void {
  ownersWithout.clear();
  known.clear();
}

type ConfigContext = Context<"issue_comment" | "pull_request">;

/** What a read throws when the path holds a folder or a submodule. */
const NOT_A_FILE = "not a file";

/** A repository's `.github/specwright.yml` as text, or null when it has none. */
async function readConfigText(
  context: ConfigContext,
  owner: string,
  repo: string,
): Promise<string | null> {
  try {
    const { data } = await context.octokit.rest.repos.getContent({
      owner,
      repo,
      path: CONFIG_PATH,
      mediaType: { format: "raw" },
    });
    // A directory or a submodule answers with its listing.
    if (typeof data !== "string") throw new Error(NOT_A_FILE);
    return data;
  } catch (error) {
    if (httpStatus(error) === 404) return null;
    throw error;
  }
}

/**
 * `readConfigText`, shared by every delivery that asks while a read of the
 * same file is under way: a burst of commands in one repository (or one
 * owner's) makes one read, whose answer is no older than the burst.
 */
function readShared(
  context: ConfigContext,
  owner: string,
  repo: string,
): Promise<string | null> {
  return reading.share(fileKey(context, owner, repo), () =>
    readConfigText(context, owner, repo),
  );
}

/** A repository's file, by API, owner and repository. */
function fileKey(context: ConfigContext, owner: string, repo: string): string {
  return `${context.octokit.request.endpoint.DEFAULTS.baseUrl} ${owner.toLowerCase()}/${repo.toLowerCase()}`;
}

/**
 * The repository's own file: as read before while the delivery says no
 * branch moved since (its repository's `pushed_at`, for a minute at most),
 * else read (`readShared`).
 */
async function readOwn(
  context: ConfigContext,
  owner: string,
  repo: string,
  now: number,
): Promise<string | null> {
  const pushed = context.payload.repository.pushed_at;
  const pushedAt =
    pushed === null || pushed === undefined ? "" : String(pushed);
  const key = fileKey(context, owner, repo);
  const seen = known.get(key);
  if (
    seen !== undefined &&
    pushedAt !== "" &&
    seen.pushedAt === pushedAt &&
    now - seen.readAt < OWN_CONFIG_MEMORY_MS
  )
    return seen.text;
  const text = await readShared(context, owner, repo);
  if (pushedAt !== "")
    remember(known, key, { pushedAt, readAt: now, text }, KNOWN_LIMIT);
  return text;
}

/**
 * The configuration's text and where it came from: the repository's own
 * file (`readOwn`), else (as Probot's `context.config` reads it) the
 * owner's `.github` repository's. That an owner has none there is
 * remembered for a minute; reads under way are shared (`readShared`).
 */
async function findConfigText(
  context: ConfigContext,
  now: number,
): Promise<{ text: string; own: boolean } | null> {
  const { owner, repo } = context.repo();
  const own = await readOwn(context, owner, repo, now);
  if (own !== null) return { text: own, own: true };
  if (repo === ".github") return null;
  const key = `${context.octokit.request.endpoint.DEFAULTS.baseUrl} ${owner.toLowerCase()}`;
  if ((ownersWithout.get(key) ?? 0) > now) return null;
  const shared = await readShared(context, owner, ".github");
  if (shared === null) ownersWithout.set(key, now + OWNER_CONFIG_MEMORY_MS);
  return shared === null ? null : { text: shared, own: false };
}

/**
 * Why the file could not be read: GitHub's answer (after the retries a
 * server error gets), or what is at its path instead of a file. Not a
 * problem of the file's own, so it does not say the file is invalid.
 */
function readProblem(error: unknown): string {
  const status = httpStatus(error);
  if (status !== undefined)
    return `${CONFIG_PATH}: GitHub did not give the file (HTTP ${status}); try again in a while`;
  if (error instanceof Error && error.message === NOT_A_FILE)
    return `${CONFIG_PATH}: is a folder or a submodule, not a file`;
  return `${CONFIG_PATH}: could not be read from GitHub; try again in a while`;
}

/** Parsed as Probot's configuration plugin parses it; throws on bad YAML. */
function parseConfig(text: string): unknown {
  const value: unknown = YAML.parse(text, { logLevel: "error" }) || {};
  if (typeof value === "string") throw new Error("YAML is not an object");
  return value;
}

/**
 * Loads `.github/specwright.yml` from the default branch as Probot's
 * `context.config` does (the repository's file, else the owner's `.github`
 * repository's; one that `_extends` another is read through
 * `context.config` itself) and checks it, reading each file once. When the
 * repository's own file is invalid, its text says on which line each
 * problem is.
 */
export async function loadRepositoryConfig(
  context: ConfigContext,
  now: number = Date.now(),
): Promise<RepositoryConfig> {
  let found: { text: string; own: boolean } | null = null;
  let value: unknown = null;
  let unreadable = false;
  try {
    found = await findConfigText(context, now);
  } catch (error) {
    return { ok: false, problems: [readProblem(error)] };
  }
  try {
    if (found !== null) value = parseConfig(found.text);
  } catch {
    // Not YAML at all: the text-level loader below explains where.
    unreadable = true;
  }
  if (value !== null && typeof value === "object" && "_extends" in value) {
    try {
      value = await context.config(CONFIG_FILE);
    } catch {
      unreadable = true;
    }
    if (value !== null && typeof value === "object" && "_extends" in value) {
      const { _extends: _, ...rest } = value as Record<string, unknown>;
      value = rest;
    }
  }
  if (!unreadable) {
    const result = checkConfig(value);
    if (result.ok) return result;
  }
  if (found?.own) {
    const located = loadConfig(found.text);
    if (!located.ok)
      return { ok: false, problems: describe(located.diagnostics) };
  }
  if (unreadable)
    return {
      ok: false,
      problems: [`${CONFIG_PATH}: the file is not valid YAML`],
    };
  const result = checkConfig(value);
  return result.ok
    ? result
    : { ok: false, problems: describe(result.diagnostics) };
}

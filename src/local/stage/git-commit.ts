import { git } from "../../../action/src/git.js";
import { plainIdentity } from "./write-commit.js";

/** What a workspace's git configuration says about committing there. */
export interface CommitSettings {
  /** `-c` arguments that give git an identity where it knows none: Specwright's. */
  identityArgs: string[];
  author: { name: string; email: string };
  committer: { name: string; email: string };
  /**
   * Whether a commit there is one Specwright can write itself, exactly as
   * git would (see `write-commit.ts`): SHA-1 objects, refs as files, no
   * signing, no other message clean-up or encoding, plain identities.
   */
  writable: boolean;
  /** `core.logAllRefUpdates`: whether git starts logs of branches it moves. */
  startLogs: boolean;
}

const SETTINGS =
  "^((user|author|committer)\\.(name|email)|commit\\.(gpgsign|cleanup)|core\\.logallrefupdates|extensions\\.(objectformat|refstorage)|i18n\\.commitencoding)$";

/** A boolean as git reads one: a key with no value is true. */
const truthy = (value: string | undefined) =>
  value !== undefined && /^(|true|yes|on|1)$/i.test(value.trim());

/** The settings from `git config --get-regexp` output: the last value of each key wins, as in git. */
export function readCommitSettings(out: string): CommitSettings {
  const values = new Map<string, string>();
  for (const line of out.split("\n")) {
    if (line === "") continue;
    const space = line.indexOf(" ");
    if (space === -1) values.set(line, "");
    else values.set(line.slice(0, space), line.slice(space + 1));
  }
  const given = (key: string) => {
    const value = values.get(key);
    return value !== undefined && /\S/.test(value) ? value : undefined;
  };
  const user = {
    name: given("user.name") ?? "Specwright",
    email: given("user.email") ?? "specwright@localhost",
  };
  const author = {
    name: given("author.name") ?? user.name,
    email: given("author.email") ?? user.email,
  };
  const committer = {
    name: given("committer.name") ?? user.name,
    email: given("committer.email") ?? user.email,
  };
  const format = values.get("extensions.objectformat");
  const refs = values.get("extensions.refstorage");
  const encoding = values.get("i18n.commitencoding");
  return {
    identityArgs: [
      ...(given("user.name") ? [] : ["-c", "user.name=Specwright"]),
      ...(given("user.email") ? [] : ["-c", "user.email=specwright@localhost"]),
    ],
    author,
    committer,
    writable:
      (format === undefined || format.toLowerCase() === "sha1") &&
      (refs === undefined || refs.toLowerCase() === "files") &&
      !truthy(values.get("commit.gpgsign")) &&
      values.get("commit.cleanup") === undefined &&
      (encoding === undefined || /^utf-?8$/i.test(encoding)) &&
      plainIdentity(author.name, author.email) &&
      plainIdentity(committer.name, committer.email),
    startLogs: values.get("core.logallrefupdates")?.toLowerCase() !== "false",
  };
}

const settings = new Map<string, Promise<CommitSettings>>();

/** The workspace's commit settings, asked once per workspace. */
export function commitSettings(workspace: string): Promise<CommitSettings> {
  let found = settings.get(workspace);
  if (found === undefined) {
    found = git(workspace, ["config", "--get-regexp", SETTINGS])
      .catch(() => "")
      .then(readCommitSettings);
    settings.set(workspace, found);
  }
  return found;
}

/**
 * Commits what is staged in the workspace, without hooks. Git's automatic
 * housekeeping after a commit (`maintenance run --auto`, a process of its
 * own each time) is left to your own commits: a run commits once a stage.
 */
export async function gitCommit(
  workspace: string,
  message: string,
): Promise<void> {
  await git(workspace, [
    ...(await commitSettings(workspace)).identityArgs,
    "-c",
    "gc.auto=0",
    "-c",
    "maintenance.auto=false",
    "commit",
    "--quiet",
    "--no-verify",
    "-m",
    message,
  ]);
}

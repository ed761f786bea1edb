import { git } from "../../../action/src/git.js";

const identities = new Map<string, Promise<string[]>>();

/** Who the commit is by: you, or Specwright when git knows nobody (asked once per workspace). */
function identity(workspace: string): Promise<string[]> {
  let found = identities.get(workspace);
  if (found === undefined) {
    found = git(workspace, ["config", "--get-regexp", "^user\\.(name|email)$"])
      .catch(() => "")
      .then((out) => [
        ...(/^user\.name \S/m.test(out) ? [] : ["-c", "user.name=Specwright"]),
        ...(/^user\.email \S/m.test(out)
          ? []
          : ["-c", "user.email=specwright@localhost"]),
      ]);
    identities.set(workspace, found);
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
    ...(await identity(workspace)),
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

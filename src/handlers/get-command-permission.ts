import type { Context } from "probot";
import { type Permission, permissionFromApi } from "../commands/permission.js";

type RepositoryContext = Pick<Context<"issue_comment">, "octokit" | "repo">;

/** A person's permission on the repository, from the collaborator-permission API. */
export async function getCommandPermission(
  context: RepositoryContext,
  username: string,
): Promise<Permission> {
  const { data } =
    await context.octokit.rest.repos.getCollaboratorPermissionLevel(
      context.repo({ username }),
    );
  return permissionFromApi(data);
}

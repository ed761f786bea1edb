import type { Context } from "probot";
import { type Permission, permissionFromApi } from "../commands/permission.js";

/** The commenter's permission on the repository, from the collaborator-permission API. */
export async function getCommandPermission(
  context: Context<"issue_comment.created" | "pull_request">,
  username: string,
): Promise<Permission> {
  const { data } =
    await context.octokit.rest.repos.getCollaboratorPermissionLevel(
      context.repo({ username }),
    );
  return permissionFromApi(data);
}

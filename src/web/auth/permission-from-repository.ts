import type { Permission } from "../../commands/permission.js";

/** The `permissions` object GitHub returns with a repository for a user token. */
export interface RepositoryPermissions {
  admin?: boolean;
  maintain?: boolean;
  push?: boolean;
  triage?: boolean;
  pull?: boolean;
}

/** The highest level the flags grant: admin > maintain > write > triage > read. */
export function permissionFromRepository(
  permissions: RepositoryPermissions | undefined,
): Permission {
  // A repository GitHub showed the person without flags is one they can read.
  if (permissions === undefined) return "read";
  if (permissions.admin) return "admin";
  if (permissions.maintain) return "maintain";
  if (permissions.push) return "write";
  if (permissions.triage) return "triage";
  if (permissions.pull) return "read";
  return "none";
}

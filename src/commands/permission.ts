import type { PermissionLevel } from "../workflow/schema.js";
import { PERMISSION_LEVELS } from "../workflow/schema.js";

/** A repository permission, or none at all. */
export type Permission = PermissionLevel | "none";

/** True when `actual` is at least `required` on read < triage < write < maintain < admin. */
export function hasPermission(
  actual: Permission,
  required: PermissionLevel,
): boolean {
  if (actual === "none") return false;
  return (
    PERMISSION_LEVELS.indexOf(actual) >= PERMISSION_LEVELS.indexOf(required)
  );
}

/**
 * The level the collaborator-permission API reports. `role_name` tells
 * triage and maintain apart; the older `permission` field folds them into
 * read and write. A custom role counts as its base `permission`.
 */
export function permissionFromApi(data: {
  permission: string;
  role_name?: string | null;
}): Permission {
  const role = data.role_name ?? "";
  if ((PERMISSION_LEVELS as readonly string[]).includes(role))
    return role as PermissionLevel;
  if ((PERMISSION_LEVELS as readonly string[]).includes(data.permission)) {
    return data.permission as PermissionLevel;
  }
  return "none";
}

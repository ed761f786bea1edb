import { describe, expect, it } from "vitest";
import {
  hasPermission,
  type Permission,
  permissionFromApi,
} from "../../src/commands/permission.js";
import type { PermissionLevel } from "../../src/workflow/schema.js";

const LADDER: readonly Permission[] = [
  "none",
  "read",
  "triage",
  "write",
  "maintain",
  "admin",
];
const REQUIRED: readonly PermissionLevel[] = [
  "read",
  "triage",
  "write",
  "maintain",
  "admin",
];

describe("hasPermission", () => {
  // Every pair on the ladder: allowed exactly when actual is not below required.
  const cases = LADDER.flatMap((actual) =>
    REQUIRED.map(
      (required) =>
        [
          actual,
          required,
          LADDER.indexOf(actual) >= LADDER.indexOf(required),
        ] as const,
    ),
  );

  it("covers all 30 pairs, 15 of them allowed", () => {
    expect(cases).toHaveLength(30);
    expect(cases.filter(([, , allowed]) => allowed)).toHaveLength(15);
  });

  it.each(cases)("%s for %s: %s", (actual, required, allowed) => {
    expect(hasPermission(actual, required)).toBe(allowed);
  });

  it.each<[Permission, PermissionLevel, boolean]>([
    ["none", "read", false],
    ["read", "read", true],
    ["read", "triage", false],
    ["triage", "write", false],
    ["write", "write", true],
    ["write", "maintain", false],
    ["maintain", "write", true],
    ["maintain", "admin", false],
    ["admin", "admin", true],
    ["admin", "read", true],
  ])("spot check: %s for %s is %s", (actual, required, allowed) => {
    expect(hasPermission(actual, required)).toBe(allowed);
  });
});

describe("permissionFromApi", () => {
  it.each<
    [string, { permission: string; role_name?: string | null }, Permission]
  >([
    [
      "role_name triage over permission read",
      { permission: "read", role_name: "triage" },
      "triage",
    ],
    [
      "role_name maintain over permission write",
      { permission: "write", role_name: "maintain" },
      "maintain",
    ],
    ["role_name admin", { permission: "admin", role_name: "admin" }, "admin"],
    ["role_name write", { permission: "write", role_name: "write" }, "write"],
    ["role_name read", { permission: "read", role_name: "read" }, "read"],
    [
      "role_name even when permission disagrees",
      { permission: "read", role_name: "admin" },
      "admin",
    ],
    ["legacy permission admin only", { permission: "admin" }, "admin"],
    ["legacy permission write only", { permission: "write" }, "write"],
    ["legacy permission read only", { permission: "read" }, "read"],
    [
      "legacy permission with role_name null",
      { permission: "write", role_name: null },
      "write",
    ],
    [
      "legacy permission with an empty role_name",
      { permission: "read", role_name: "" },
      "read",
    ],
    [
      "a custom role based on write",
      { permission: "write", role_name: "security-reviewer" },
      "write",
    ],
    [
      "a custom role based on read",
      { permission: "read", role_name: "auditor" },
      "read",
    ],
    [
      "a custom role with no known base",
      { permission: "custom", role_name: "auditor" },
      "none",
    ],
    ["permission none", { permission: "none" }, "none"],
    [
      "permission none with role_name none",
      { permission: "none", role_name: "none" },
      "none",
    ],
    ["an unknown permission", { permission: "owner" }, "none"],
    ["an empty permission", { permission: "" }, "none"],
    ["a permission in another case", { permission: "Admin" }, "none"],
    [
      "a role_name in another case, falling back",
      { permission: "read", role_name: "Maintain" },
      "read",
    ],
  ])("%s", (_, data, permission) => {
    expect(permissionFromApi(data)).toBe(permission);
  });
});

import type { PermissionLevel } from "../workflow/schema.js";

/** Every slash command Specwright understands. */
export const COMMAND_NAMES = [
  "specify",
  "plan",
  "tasks",
  "analyze",
  "implement",
  "approve",
  "reject",
  "retry",
  "cancel",
  "hold",
  "unhold",
  "status",
  "help",
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** The permission each command needs unless the config says otherwise. */
export const DEFAULT_COMMAND_PERMISSIONS: Readonly<
  Record<CommandName, PermissionLevel>
> = {
  specify: "write",
  plan: "write",
  tasks: "write",
  analyze: "write",
  implement: "write",
  approve: "write",
  reject: "write",
  retry: "write",
  cancel: "write",
  hold: "write",
  unhold: "write",
  status: "read",
  help: "read",
};

import { z } from "zod";

/** Git file modes a stage may produce. */
export const FILE_MODES = ["100644", "100755", "120000"] as const;

export const ChangedFile = z.union([
  z.strictObject({
    path: z.string().min(1),
    mode: z.enum(FILE_MODES),
    encoding: z.enum(["utf8", "base64"]),
    content: z.string(),
  }),
  z.strictObject({
    path: z.string().min(1),
    deleted: z.literal(true),
  }),
]);
export type ChangedFile = z.infer<typeof ChangedFile>;

/** `changes.json`: every path the stage changed, against `base_sha`. */
export const Changes = z.strictObject({
  base_sha: z.string().regex(/^[0-9a-f]{40}$/, "expected a commit SHA"),
  files: z.array(ChangedFile),
});
export type Changes = z.infer<typeof Changes>;

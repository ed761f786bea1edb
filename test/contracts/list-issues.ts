import type { z } from "zod";

/**
 * What `schema` says about `value`, one `path: message` line per issue, or
 * an empty list when it accepts the value.
 */
export function listIssues(schema: z.ZodType, value: unknown): string[] {
  const parsed = schema.safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.map(
    (issue) => `${issue.path.map(String).join(".")}: ${issue.message}`,
  );
}

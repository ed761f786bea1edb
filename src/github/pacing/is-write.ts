/**
 * Whether a request counts against the content-creation limits. GitHub
 * does not list which endpoints create content; every request that
 * changes something (POST, PATCH, PUT, DELETE) is counted, which is
 * never fewer than GitHub counts.
 */
export function isWrite(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}

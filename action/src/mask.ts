/**
 * Replaces every secret in text with `***`, as the runner does in the job
 * log, for what the action writes to files (logs in the bundle).
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join("***");
  }
  return out;
}

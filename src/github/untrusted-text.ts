// Text from elsewhere (GitHub's error messages, which may echo what was
// sent or where a redirect went) made safe to keep and to show.

import { quiet } from "./render-status.js";

const REDACTED = "[redacted]";

/**
 * What looks like a credential: a PEM private key (the App's), GitHub
 * tokens (`ghs_` installation tokens, `ghp_`, `gho_`, `ghu_`, `ghr_`,
 * `github_pat_`, the older `v1.` hex form), a JWT (the App's own, signed
 * with its key), an `Authorization` value, a password in a URL, and the
 * query of a URL (signed artifact download URLs carry their signature there).
 */
const SECRETS: readonly [RegExp, string][] = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    REDACTED,
  ],
  [/\b(?:gh[opsur]|github_pat)_[A-Za-z0-9_]{16,}/g, REDACTED],
  [/\bv1\.[0-9a-f]{40}\b/g, REDACTED],
  [/\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]+/g, REDACTED],
  [/\b(bearer|token|basic)(\s+)[\w.~+/-]{16,}=*/gi, `$1$2${REDACTED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, `$1${REDACTED}@`],
  [/(\bhttps?:\/\/[^\s?#]+)\?[^\s#)\]>"']*/gi, `$1?${REDACTED}`],
];

/** Takes out anything that looks like a credential. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRETS)
    out = out.replace(pattern, replacement);
  return out;
}

/**
 * No issue reference (`#12`, `owner/repo#12`: it would put a "mentioned
 * this" event on that issue) and no closing keyword before one or before
 * an issue URL (`Fixes #12` closes the issue where GitHub honours it): a
 * zero-width space breaks both.
 */
export function breakReferences(text: string): string {
  return text
    .replace(
      /\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b(?=\s*:?\s*(?:[\w.-]+\/[\w.-]+)?#|\s*:?\s+https?:\/\/)/gi,
      (word) => `${word.slice(0, 1)}\u200B${word.slice(1)}`,
    )
    .replace(/#(?=\d)/g, "#\u200B");
}

/**
 * Untrusted text for one line of a comment or check run: no credential,
 * HTML (so no `<!--` hiding the rest), link, @-mention, issue reference or
 * closing keyword.
 */
export function untrusted(text: string): string {
  return quiet(breakReferences(redactSecrets(text)));
}

// Untrusted text (the feature request, issue titles, comment words, what
// agents and the runner wrote: errors, summaries, outputs, logs; GitHub's
// own error messages, which may echo what was sent) made safe to keep and
// to show. Everything of it that reaches GitHub goes through `untrusted()`.

import { inline, linkText } from "../workflow/markdown-text.js";

/** What a credential is replaced with, as GitHub Actions masks secrets. */
export const REDACTED = "***";

/**
 * What looks like a credential, always: a PEM private key (the App's),
 * GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_` installation tokens, `ghr_`,
 * `github_pat_`, the older `v1.` hex form), model API keys (Anthropic's
 * `sk-ant-…`, OpenAI's `sk-…`, Google's `AIza…`), a JWT (the App's own,
 * signed with its key), an `Authorization` value, a password in a URL, and
 * the query of a URL (signed artifact download URLs carry their signature
 * there). `secret_patterns` in `.github/specwright.yml` adds to these.
 */
const SECRETS: readonly [RegExp, string][] = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    REDACTED,
  ],
  [/\b(?:gh[opsur]|github_pat)_[A-Za-z0-9_]{16,}/g, REDACTED],
  [/\bv1\.[0-9a-f]{40}\b/g, REDACTED],
  [/\bsk-[A-Za-z0-9_-]{20,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, REDACTED],
  [/\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]+/g, REDACTED],
  [/\b(bearer|token|basic)(\s+)[\w.~+/-]{16,}=*/gi, `$1$2${REDACTED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, `$1${REDACTED}@`],
  [/(\bhttps?:\/\/[^\s?#]+)\?[^\s#)\]>"']*/gi, `$1?${REDACTED}`],
];

/**
 * Takes out anything that looks like a credential: the patterns above, and
 * `extra` (a repository's `secret_patterns`, compiled with the `g` flag).
 */
export function redactSecrets(
  text: string,
  extra: readonly RegExp[] = [],
): string {
  let out = text;
  for (const [pattern, replacement] of SECRETS)
    out = out.replace(pattern, replacement);
  for (const pattern of extra) out = out.replace(pattern, REDACTED);
  return out;
}

/**
 * No issue reference (`#12`, `GH-12`, `owner/repo#12`: it would put a
 * "mentioned this" event on that issue) and no closing keyword before one
 * or before an issue URL (`Fixes #12` closes the issue where GitHub honours
 * it: a pull request's body, a commit message): a zero-width space breaks
 * both.
 */
function breakReferences(text: string): string {
  return text
    .replace(
      /\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b(?=\s*:?\s*(?:[\w.-]+\/[\w.-]+)?#|\s*:?\s*https?:\/\/)/gi,
      (word) => `${word.slice(0, 1)}\u200B${word.slice(1)}`,
    )
    .replace(/#(?=\d)/g, "#\u200B")
    .replace(/\bGH-(?=\d)/gi, (gh) => `${gh}\u200B`);
}

/**
 * No @-mention (of a person or `@org/team`, which would notify them), and
 * no HTML character reference that GitHub would turn into one (`&#64;`)
 * or into a reference (`&#35;12`).
 */
function breakMentions(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9])/g, "@\u200B")
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, "&\u200B");
}

/** Every line break and control character as a space: one line. */
function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, " ").trim();
}

/**
 * Where the text goes, which decides what else is done to it:
 *
 * | form       | for                                                        |
 * | ---------- | ---------------------------------------------------------- |
 * | `inline`   | one line of Markdown (comments, check runs): no HTML, link or image |
 * | `link`     | the text of a Markdown link (GitHub links no mention or reference inside a link) |
 * | `markdown` | an agent's Markdown, kept as Markdown: no HTML tag or comment |
 * | `span`     | inside a code span the caller makes: one line, no backtick |
 * | `code`     | inside a fenced code block the caller makes (`codeBlock`)  |
 * | `line`     | one line of plain text: a pull request's title, a commit's subject (it cannot add a line, so no trailer), an annotation's title |
 * | `plain`    | plain text of several lines: an annotation's message      |
 *
 * Inside code, GitHub renders no mention, reference or HTML, so `span`
 * and `code` only take out credentials.
 */
export type TextForm =
  | "inline"
  | "link"
  | "markdown"
  | "span"
  | "code"
  | "line"
  | "plain";

/**
 * Untrusted text made safe for GitHub to show as `form` says: no
 * credential; no @-mention, issue reference or closing keyword; no HTML
 * (so no `<!--` that hides the rest, no `</details>` that ends ours). The
 * one rule for every piece of untrusted text Specwright puts on GitHub.
 */
export function untrusted(text: string, form: TextForm = "inline"): string {
  const redacted = redactSecrets(text);
  switch (form) {
    case "code":
      return redacted;
    case "span":
      return oneLine(redacted).replace(/`/g, "'");
    case "link":
      return linkText(redacted);
    default:
      break;
  }
  const quiet = breakMentions(breakReferences(redacted));
  switch (form) {
    case "inline":
      return inline(quiet);
    case "markdown":
      return quiet.replace(/<(?=[A-Za-z/!?])/g, "<\u200B");
    case "line":
      return oneLine(quiet);
    case "plain":
      return quiet.replace(/(?![\n\t])\p{Cc}/gu, "");
  }
}

// Text made safe to put in GitHub Markdown. Untrusted text (from people,
// agents, GitHub's errors) goes through `untrusted()` in
// src/github/untrusted-text.ts, which uses these after neutralising it.

/**
 * Text from elsewhere (the feature request, an agent, an error) made safe to
 * put inline in Markdown: one line; no HTML, so that a stray `<!--` cannot
 * hide the rest of a comment; no link text or image (`[`, `]` and `!`
 * escaped), so a URL shows as itself.
 */
export function inline(text: string): string {
  return text
    .replace(/\r?\n|\r/g, " ")
    .replace(/</g, "&lt;")
    .replace(/[[\]!]/g, "\\$&");
}

/** Text safe as the text of a Markdown link. */
export function linkText(text: string): string {
  return text
    .replace(/\r?\n|\r/g, " ")
    .replace(/</g, "&lt;")
    .replace(/[\\`*_[\]|!]/g, "\\$&");
}

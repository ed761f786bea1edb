// Text from people and agents, made safe to show in GitHub Markdown.

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

/**
 * {@link inline}, and no @-mention (a zero-width space after the `@`): for
 * text from elsewhere in a comment, where a mention would notify whoever it
 * names.
 */
export function quiet(text: string): string {
  return inline(text).replace(/@(?=[A-Za-z0-9])/g, "@\u200B");
}

/** Text safe as the text of a Markdown link. */
export function linkText(text: string): string {
  return text
    .replace(/\r?\n|\r/g, " ")
    .replace(/</g, "&lt;")
    .replace(/[\\`*_[\]|!]/g, "\\$&");
}

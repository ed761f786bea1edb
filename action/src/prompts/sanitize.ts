const INVISIBLE =
  /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;
const TAGS = /[\u{E0000}-\u{E007F}]/gu;

/**
 * Cleans text people wrote (issue bodies, comments, the feature request)
 * before it goes into a prompt: HTML comments (invisible on GitHub, read by
 * the agent), zero-width and bidirectional control characters, Unicode tag
 * characters (used to smuggle hidden ASCII), and control characters other
 * than tab and newline.
 */
export function sanitizeUntrusted(text: string): string {
  let out = "";
  for (const c of text
    .replace(/<!--[\s\S]*?(?:-->|$)/g, "")
    .replace(INVISIBLE, "")
    .replace(TAGS, "")) {
    const code = c.codePointAt(0) ?? 0;
    if ((code < 32 && c !== "\n" && c !== "\t") || code === 127) continue;
    out += c;
  }
  return out.replace(/\r\n?/g, "\n").trim();
}

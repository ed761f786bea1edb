/** Where a sign-in lands when it names no page, or a page it may not go to. */
export const DEFAULT_RETURN_TO = "/specwright/";

/**
 * The dashboard path a sign-in may send the browser back to: only a path
 * under `/specwright/` on this origin, so the sign-in cannot be used to
 * send a person to another site (an open redirect).
 */
export function safeReturnTo(raw: string | null | undefined): string {
  if (raw === null || raw === undefined || raw.length > 2048) {
    return DEFAULT_RETURN_TO;
  }
  // Backslashes and control characters: browsers read `/\evil.example`
  // as another host.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refused on purpose
  if (/[\\\u0000-\u001f\u007f]/.test(raw) || raw.startsWith("//")) {
    return DEFAULT_RETURN_TO;
  }
  const base = "http://dashboard.invalid";
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return DEFAULT_RETURN_TO;
  }
  if (url.origin !== base) return DEFAULT_RETURN_TO;
  if (
    url.pathname !== "/specwright" &&
    !url.pathname.startsWith("/specwright/")
  ) {
    return DEFAULT_RETURN_TO;
  }
  // `/specwright/auth/…` would loop back into the sign-in.
  if (url.pathname.startsWith("/specwright/auth/")) return DEFAULT_RETURN_TO;
  return `${url.pathname}${url.search}${url.hash}`;
}

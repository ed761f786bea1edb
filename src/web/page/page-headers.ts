/**
 * The headers every dashboard page and asset answer carries. The page is
 * hand-written ES modules and one stylesheet served from here, so the
 * policy can forbid everything else: no inline script or style, no other
 * origin but GitHub's avatars, no framing.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'self'; img-src 'self' https://avatars.githubusercontent.com data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
};

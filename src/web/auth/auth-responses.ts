import type { ServerResponse } from "node:http";

// Every answer of the sign-in is private to one browser and never cached;
// the callback's URL holds a code, so no referrer leaves it.
const COMMON = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};

/** A redirect that sets (or deletes) cookies on the way. */
export function sendRedirect(
  res: ServerResponse,
  status: 302 | 303,
  location: string,
  cookies: string[],
): void {
  res.writeHead(status, {
    ...COMMON,
    location,
    ...(cookies.length > 0 ? { "set-cookie": cookies } : {}),
  });
  res.end();
}

/**
 * A small page that says in one sentence what went wrong, with a link to
 * sign in again. The text is escaped; it never carries a stack trace.
 */
export function sendProblemPage(
  res: ServerResponse,
  status: number,
  message: string,
  signInHref: string,
  cookies: string[] = [],
  extraHeaders: Record<string, string> = {},
): void {
  const html = [
    "<!doctype html>",
    '<html lang="en">',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>Sign-in · Specwright</title>",
    "<main>",
    "<h1>Specwright sign-in</h1>",
    `<p>${escapeHtml(message)}</p>`,
    `<p><a href="${escapeHtml(signInHref)}">Sign in again</a></p>`,
    "</main>",
    "</html>",
    "",
  ].join("\n");
  res.writeHead(status, {
    ...COMMON,
    ...extraHeaders,
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": "default-src 'none'",
    ...(cookies.length > 0 ? { "set-cookie": cookies } : {}),
  });
  res.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[
        c
      ] ?? c,
  );
}

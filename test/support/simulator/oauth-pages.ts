// The pages of GitHub's sign-in, as small as a browser test needs: a login
// field and two buttons, with stable names and labels to find them by.

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[
        c
      ] ?? c,
  );
}

function page(title: string, body: string): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<main>${body}</main>`,
    "</html>",
    "",
  ].join("\n");
}

/** `GET /login/oauth/authorize`: "Sign in to GitHub" with a login field. */
export function renderAuthorizePage(form: {
  clientId: string;
  redirectUri: string;
  state: string;
  login: string;
  problem?: string;
}): string {
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return page(
    "Sign in to GitHub · GitHub",
    [
      "<h1>Sign in to GitHub</h1>",
      `<p>to continue to the app with client id <code>${escapeHtml(form.clientId)}</code></p>`,
      form.problem ? `<p role="alert">${escapeHtml(form.problem)}</p>` : "",
      '<form method="post" action="/login/oauth/authorize">',
      hidden("client_id", form.clientId),
      hidden("redirect_uri", form.redirectUri),
      hidden("state", form.state),
      '<label for="login_field">Username or email address</label>',
      `<input type="text" id="login_field" name="login" autocomplete="username" value="${escapeHtml(form.login)}" autofocus>`,
      '<button type="submit" name="decision" value="allow">Sign in</button>',
      '<button type="submit" name="decision" value="deny">Cancel</button>',
      "</form>",
    ].join("\n"),
  );
}

/** A page GitHub shows instead of signing in (unknown client, bad callback). */
export function renderOAuthErrorPage(message: string): string {
  return page("Error · GitHub", `<h1>Error</h1><p>${escapeHtml(message)}</p>`);
}

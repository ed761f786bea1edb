const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * The page shown at /specwright/ when the dashboard cannot run (no
 * sign-in configured): what is missing and how to turn it on, in the
 * caller's words. Static, no script; send it with PAGE_HEADERS.
 */
export function renderDashboardOff(problem: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Specwright dashboard is off</title>
<link rel="stylesheet" href="/specwright/assets/style.css">
</head>
<body>
<main id="main" class="off">
<h1>The Specwright dashboard is off</h1>
<p class="problem">${escapeHtml(problem)}</p>
</main>
</body>
</html>
`;
}

import type { Browser, Page } from "playwright-core";

/**
 * A page for one test file's tests, in UTC (day filters are local days),
 * polling every 200 ms instead of 30 s, and collecting what should never
 * happen: script errors and Content-Security-Policy refusals.
 */
export async function openPage(
  browser: Browser,
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ timezoneId: "UTC" });
  await context.addInitScript(() => {
    Object.assign(globalThis, { specwrightSettings: { pollMs: 200 } });
  });
  const page = await context.newPage();
  // A missing element fails the test in seconds, not at vitest's limit.
  page.setDefaultTimeout(5_000);
  const problems: string[] = [];
  page.on("pageerror", (error) =>
    problems.push(`page error: ${error.message}`),
  );
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text()))
      problems.push(`CSP: ${message.text()}`);
  });
  return { page, problems };
}

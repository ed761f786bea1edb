import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium: `.ci/run` installs it in CI. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Why the browser tests cannot run here, or null. Only outside CI: in CI
 * a missing browser is a failure, not a skip.
 */
export const noBrowser =
  existsSync(CHROMIUM) || process.env.CI
    ? null
    : `skipped: ${CHROMIUM} is missing (apt-get install chromium; CI installs it)`;

/** One headless Chromium for a test file, with a fresh temporary profile. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

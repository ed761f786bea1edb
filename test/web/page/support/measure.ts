import type { Page } from "playwright-core";

/**
 * An element's scrolling width against its visible width, and its CSS
 * display (the tests' compiler has no DOM library: the browser's objects
 * are reached through locators).
 */
export async function measure(
  page: Page,
  selector: string,
): Promise<{ scrollWidth: number; clientWidth: number; display: string }> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => ({
      scrollWidth: el.scrollWidth,
      clientWidth: el.clientWidth,
      display: el.ownerDocument.defaultView?.getComputedStyle(el).display ?? "",
    }));
}

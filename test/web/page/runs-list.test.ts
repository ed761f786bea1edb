import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../../src/web/api/schemas.js";
import { launchBrowser, noBrowser } from "./support/browser.js";
import { FakeApi } from "./support/fake-api.js";
import { ago, makeSession, makeSummary } from "./support/fixtures.js";
import { measure } from "./support/measure.js";
import { openPage } from "./support/open-page.js";

/**
 * 30 runs, newest first: every third failed, every fifth in acme/api,
 * costs 0.01 × (i + 1) but for run-7, the dearest.
 */
function thirtyRuns(): RunSummary[] {
  return Array.from({ length: 30 }, (_, i) =>
    makeSummary({
      id: `run-${i}`,
      repository: i % 5 === 0 ? "acme/api" : "acme/web",
      status: i % 3 === 0 ? "failed" : "succeeded",
      requested_by: i % 2 === 0 ? "octocat" : "hubot",
      created_at: ago(i + 1),
      started_at: ago(i + 1),
      duration_ms: 60_000 * (30 - i),
      usage: {
        input_tokens: 1000 + i,
        output_tokens: 100,
        cost_usd: i === 7 ? 9 : 0.01 * (i + 1),
      },
    }),
  );
}

describe.skipIf(noBrowser !== null)(
  `the runs list in Chromium${noBrowser ? ` (${noBrowser})` : ""}`,
  () => {
    const api = new FakeApi();
    let base = "";
    let browser: Browser;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      base = await api.start();
      browser = await launchBrowser();
      ({ page, problems } = await openPage(browser));
    });
    afterAll(async () => {
      await browser?.close();
      await api.close();
    });
    afterEach(() => {
      expect(problems.splice(0)).toEqual([]);
      api.reset();
    });

    async function open(search = "") {
      api.session = makeSession();
      await page.goto(`${base}/specwright/${search}`);
      await page
        .locator(".message")
        .filter({ hasNotText: "Loading" })
        .waitFor();
    }

    const rowIds = () =>
      page
        .locator("table.runs tbody tr")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run")));
    const pageQuery = () =>
      Object.fromEntries(new URL(page.url()).searchParams);

    it("shows a row per run with its columns, and loads more with the cursor", async () => {
      api.runs = thirtyRuns();
      await open();
      expect(await rowIds()).toHaveLength(25);
      const first = page.locator("table.runs tbody tr").first();
      const cells = await first
        .locator("th, td")
        .evaluateAll((els) =>
          els.map((e) => [e.getAttribute("data-label"), e.textContent]),
        );
      expect(cells).toEqual([
        ["Repository", "acme/api"],
        ["Feature", "Feature run-0"],
        ["Status", "✗ failed"],
        ["Stage", "—"],
        ["Requested by", "@octocat"],
        ["Started", "1 hour ago"],
        ["Duration", "30 min 0 s"],
        ["Cost", "$0.01 (1,000 input tokens, 100 output tokens)"],
      ]);
      expect(await first.locator("time").getAttribute("datetime")).toBe(
        api.runs[0]?.started_at,
      );
      expect(
        await first
          .getByRole("link", { name: "Feature run-0" })
          .getAttribute("href"),
      ).toBe("/specwright/runs/run-0");
      expect(
        await page
          .locator("thead th[aria-sort]")
          .evaluateAll((ths) =>
            ths.map((th) => [th.textContent, th.getAttribute("aria-sort")]),
          ),
      ).toEqual([["Started", "descending"]]);

      await page.getByRole("button", { name: "Load more" }).click();
      await expect.poll(() => rowIds().then((ids) => ids.length)).toBe(30);
      expect(api.seen("GET", "runs").map((r) => r.query.get("cursor"))).toEqual(
        [null, "25"],
      );
      expect(
        await page.getByRole("button", { name: "Load more" }).isHidden(),
      ).toBe(true);
    });

    it("puts filters and sort in the address, asks the API, and goes back", async () => {
      api.runs = thirtyRuns();
      await open();
      await page.getByLabel("Repository").fill("acme/web");
      await page.getByLabel("failed").check();
      await page.getByRole("button", { name: "Apply filters" }).click();
      await expect
        .poll(pageQuery)
        .toEqual({ repository: "acme/web", status: "failed" });
      await expect
        .poll(rowIds)
        .toEqual([
          "run-3",
          "run-6",
          "run-9",
          "run-12",
          "run-18",
          "run-21",
          "run-24",
          "run-27",
        ]);
      const asked = api.seen("GET", "runs").at(-1)?.query;
      expect(asked?.get("repository")).toBe("acme/web");
      expect(asked?.get("status")).toBe("failed");
      expect(asked?.get("limit")).toBe("25");

      // Sorting works on the rows loaded, without asking again.
      const asks = api.seen("GET", "runs").length;
      await page.getByLabel("Sort by").selectOption({ label: "Longest first" });
      await expect.poll(pageQuery).toEqual({
        repository: "acme/web",
        status: "failed",
        sort: "duration",
      });
      await page
        .getByLabel("Sort by")
        .selectOption({ label: "Shortest first" });
      await expect
        .poll(rowIds)
        .toEqual([
          "run-27",
          "run-24",
          "run-21",
          "run-18",
          "run-12",
          "run-9",
          "run-6",
          "run-3",
        ]);
      expect(api.seen("GET", "runs")).toHaveLength(asks);

      // Back: the previous sort, then no filters at all.
      await page.goBack();
      await expect.poll(() => pageQuery().order).toBeUndefined();
      expect(pageQuery().sort).toBe("duration");
      await expect
        .poll(rowIds)
        .toEqual([
          "run-3",
          "run-6",
          "run-9",
          "run-12",
          "run-18",
          "run-21",
          "run-24",
          "run-27",
        ]);
      await page.goBack();
      await page.goBack();
      await expect.poll(pageQuery).toEqual({});
      await expect.poll(() => rowIds().then((ids) => ids.length)).toBe(25);
      expect(await page.getByLabel("Repository").inputValue()).toBe("");
      expect(await page.getByLabel("failed").isChecked()).toBe(false);
    });

    it("shows the same view from a shared address", async () => {
      api.runs = thirtyRuns();
      await open("?requested_by=octocat&sort=cost&order=desc");
      expect(await page.getByLabel("Requested by").inputValue()).toBe(
        "octocat",
      );
      expect(await page.getByLabel("Sort by").inputValue()).toBe("cost:desc");
      const ids = await rowIds();
      // run-7 (the dearest) was asked by hubot: filtered out.
      expect(ids.slice(0, 3)).toEqual(["run-28", "run-26", "run-24"]);
      expect(ids).toHaveLength(15);
      expect(api.seen("GET", "runs")[0]?.query.get("requested_by")).toBe(
        "octocat",
      );
    });

    it("sends a day range as the start of the first day and of the day after the last", async () => {
      api.runs = thirtyRuns();
      await open();
      await page.getByLabel("Created from").fill("2025-03-01");
      await page.getByLabel("Created until").fill("2025-03-02");
      await page.getByRole("button", { name: "Apply filters" }).click();
      await expect
        .poll(pageQuery)
        .toEqual({ from: "2025-03-01", to: "2025-03-02" });
      await expect
        .poll(() => page.locator(".message").textContent())
        .toBe("No runs match these filters.");
      const asked = api.seen("GET", "runs").at(-1)?.query;
      expect(asked?.get("created_after")).toBe("2025-03-01T00:00:00.000Z");
      expect(asked?.get("created_before")).toBe("2025-03-03T00:00:00.000Z");
    });

    it("says which filter the API refused", async () => {
      api.runs = thirtyRuns();
      await open("?requested_by=no%20such%20login");
      expect(await page.locator(".message").textContent()).toBe(
        "The runs could not be loaded. Not a GitHub login.",
      );
      expect(
        await page.getByLabel("Requested by").getAttribute("aria-invalid"),
      ).toBe("true");
      expect(await rowIds()).toEqual([]);
    });

    it("says so in one sentence when there are no runs yet", async () => {
      await open();
      expect(await page.locator(".message").textContent()).toBe(
        "No runs yet: runs appear here once someone starts one.",
      );
      expect(await page.locator("table").count()).toBe(0);
    });

    it("asks again while a run is under way and updates its row in place", async () => {
      api.runs = [
        makeSummary({
          id: "live",
          status: "in_progress",
          completed_at: null,
          current_stage: "plan",
        }),
        makeSummary({ id: "done" }),
      ];
      await open();
      expect(
        await page
          .locator('tr[data-run="live"] td[data-label="Status"]')
          .textContent(),
      ).toBe("● in progress");
      api.runs = [
        makeSummary({ id: "live", status: "succeeded" }),
        makeSummary({ id: "done" }),
      ];
      await expect
        .poll(() =>
          page
            .locator('tr[data-run="live"] td[data-label="Status"]')
            .textContent(),
        )
        .toBe("✓ succeeded");
      // Nothing under way any more: it stops asking.
      const asks = api.seen("GET", "runs").length;
      await page.waitForTimeout(600);
      expect(api.seen("GET", "runs")).toHaveLength(asks);
    });

    it("signed out: the API's 401 becomes a sign-in link back to this view", async () => {
      api.runs = thirtyRuns();
      await page.goto(`${base}/specwright/?status=failed`);
      await page
        .getByRole("link", { name: "Sign in with GitHub" })
        .first()
        .waitFor();
      expect(
        await page
          .locator("header.site")
          .getByRole("link", { name: "Sign in with GitHub" })
          .getAttribute("href"),
      ).toBe(
        "/specwright/auth/sign-in?return_to=%2Fspecwright%2F%3Fstatus%3Dfailed",
      );
    });

    it("signs out with the CSRF token, then shows the page signed out", async () => {
      await open();
      await page.getByRole("button", { name: "Sign out" }).click();
      await page
        .locator("header.site")
        .getByRole("link", { name: "Sign in with GitHub" })
        .waitFor();
      const [post] = api.seen("POST", "/specwright/auth/sign-out");
      expect(post?.headers["x-csrf-token"]).toBe("csrf-123");
    });

    it("shows a feature as text, never as markup", async () => {
      const evil =
        '<img src=x onerror="window.hacked=1"><b id="injected">x</b>';
      api.runs = [makeSummary({ id: "evil", feature: evil })];
      await open();
      expect(await page.locator('tr[data-run="evil"] th').textContent()).toBe(
        evil,
      );
      expect(await page.locator("#injected, img[src=x]").count()).toBe(0);
      expect(
        await page.evaluate(() => Reflect.get(globalThis, "hacked")),
      ).toBeUndefined();
    });

    it("stacks rows into cards on a 390 px phone, with no horizontal page scroll", async () => {
      api.runs = thirtyRuns();
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await open();
        const html = await measure(page, "html");
        expect(html.scrollWidth).toBeLessThanOrEqual(html.clientWidth);
        expect((await measure(page, "table.runs tr")).display).toBe("block");
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });
  },
);

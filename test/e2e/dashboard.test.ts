import { mkdir } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { World } from "../support/e2e-world.js";
import { signInThrough } from "../support/sign-in.js";
import type { Repository } from "../support/simulator/state.js";
import { launchBrowser, noBrowser } from "../web/page/support/browser.js";

// The dashboard as people meet it: the real App (two processes on one
// PostgreSQL when there is one, the browser on the one that does not get
// the webhooks), signing in through the simulated GitHub in Chromium, a
// run driven by real webhooks, the real action and the scripted agent.
//
// SPECWRIGHT_SCREENSHOTS=docs writes the README's screenshots.

const TIMEOUT = 180_000;
const SHOTS = process.env.SPECWRIGHT_SCREENSHOTS;

describe.skipIf(noBrowser !== null)("the dashboard in a browser", () => {
  let world: World;
  let browser: Browser;
  let web: Repository;
  /** The App the browser talks to: a replica that receives no webhooks, when there are two. */
  let dashboard: string;
  let alice: BrowserContext;
  let page: Page;
  let privateRunId: string;
  let runPath: string;

  beforeAll(async () => {
    world = await World.create({
      ...(process.env.DATABASE_URL
        ? { databaseUrl: process.env.DATABASE_URL }
        : {}),
      // plan waits until the test lets it finish; implement succeeds at once.
      agent: { "acme/web:plan": "held" },
    });
    web = await world.repository("acme/web");
    const secret = await world.repository("acme/private", {
      roles: { bob: "admin" },
      private: true,
    });
    await world.startApp();
    dashboard = process.env.DATABASE_URL
      ? await world.startReplica()
      : (world.appUrl as string);
    browser = await launchBrowser();

    const issue = world.sim.openIssue(web, {
      title: "Dark mode",
      body: "Users want a dark mode that follows the system setting.",
      user: "alice",
    });
    world.sim.comment(web, issue, "/specify Add a dark mode toggle", "alice");
    const hidden = world.sim.openIssue(secret, {
      title: "Secret feature",
      body: "Nobody outside may see this.",
      user: "bob",
    });
    world.sim.comment(secret, hidden, "/specify A secret feature", "bob");
    await world.until("plan started", () => world.stageHeld("plan"));

    // bob, who may read acme/private, finds its run through the API.
    const { cookie } = await signInThrough(dashboard, world.sim.url, "bob");
    const listed = (await (
      await fetch(
        `${dashboard}/specwright/api/v1/runs?repository=acme/private`,
        {
          headers: { cookie },
        },
      )
    ).json()) as { runs: { id: string }[] };
    privateRunId = listed.runs[0]?.id ?? "";
    expect(privateRunId).not.toBe("");
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it("signs in through GitHub and lists the runs of readable repositories only", async () => {
    alice = await browser.newContext({
      viewport: { width: 1280, height: 900 },
    });
    page = await alice.newPage();
    await page.goto(`${dashboard}/specwright/`);
    await page
      .getByRole("link", { name: "Sign in with GitHub" })
      .first()
      .click();
    // The simulated GitHub's own sign-in page.
    await page.getByLabel("Username or email address").fill("alice");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${dashboard}/specwright/`);
    const rows = page.locator("table.runs tbody tr");
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(1);
    expect(await rows.first().textContent()).toContain("acme/web");
    expect(await page.locator("body").textContent()).not.toContain(
      "acme/private",
    );
    expect(await page.locator("body").textContent()).toContain("alice");

    const response = await page.request.get(
      `${dashboard}/specwright/api/v1/runs/${privateRunId}`,
    );
    expect(response.status()).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { code: "not_found" },
    });
  });

  it(
    "watches a stage complete without reloading",
    async () => {
      await page.getByRole("link", { name: "Add a dark mode toggle" }).click();
      await page.waitForURL(/\/specwright\/runs\//);
      runPath = new URL(page.url()).pathname;
      const plan = page.locator('g.node[data-stage="plan"]');
      await expect
        .poll(() => plan.textContent(), { timeout: 20_000 })
        .toContain("running");
      // A mark that a reload would lose.
      await page.evaluate("window.stayed = true");
      await world.release("plan");
      await expect
        .poll(() => plan.textContent(), { timeout: 60_000 })
        .toContain("succeeded");
      await expect
        .poll(() => page.locator("#live-status").textContent(), {
          timeout: 10_000,
        })
        .toMatch(/Plan succeeded/i);
      expect(await page.evaluate("window.stayed")).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "shows a reader the controls disabled, and refuses a forged POST",
    async () => {
      await expect
        .poll(
          () => page.locator('g.node[data-stage="implement"]').textContent(),
          {
            timeout: 90_000,
          },
        )
        .toContain("waiting");
      const mallory = await browser.newContext();
      const readerPage = await mallory.newPage();
      await readerPage.goto(
        `${dashboard}/specwright/auth/sign-in?return_to=${encodeURIComponent(runPath)}`,
      );
      await readerPage.getByLabel("Username or email address").fill("mallory");
      await readerPage.getByRole("button", { name: "Sign in" }).click();
      await readerPage.waitForURL(`${dashboard}${runPath}`);
      await readerPage.locator('g.node[data-stage="implement"]').click();
      const approve = readerPage.getByRole("button", { name: "Approve" });
      await expect.poll(() => approve.isDisabled()).toBe(true);
      expect(await readerPage.locator("body").textContent()).toContain(
        "write permission",
      );

      const runId = runPath.split("/").at(-1);
      const session = await (
        await readerPage.request.get(`${dashboard}/specwright/api/v1/session`)
      ).json();
      const forged = await readerPage.request.post(
        `${dashboard}/specwright/api/v1/runs/${runId}/stages/implement/approve`,
        { headers: { "x-csrf-token": session.csrf_token } },
      );
      expect(forged.status()).toBe(403);
      const noToken = await readerPage.request.post(
        `${dashboard}/specwright/api/v1/runs/${runId}/stages/implement/approve`,
      );
      expect(noToken.status()).toBe(403);
      expect(world.gateWaiting(web)).toBe(true);
      await mallory.close();
    },
    TIMEOUT,
  );

  it(
    "approves the waiting gate with the button and sees the run go on to the end",
    async () => {
      await page.locator('g.node[data-stage="implement"]').click();
      const approve = page.getByRole("button", { name: "Approve" });
      await expect.poll(() => approve.isEnabled()).toBe(true);
      if (SHOTS) {
        await mkdir(SHOTS, { recursive: true });
        await page.screenshot({
          path: `${SHOTS}/dashboard-run.png`,
          fullPage: true,
        });
      }
      await approve.click();
      await expect
        .poll(() => page.locator("header.run-header").textContent(), {
          timeout: 90_000,
        })
        .toContain("succeeded");
      expect(
        await page.locator('g.node[data-stage="implement"]').textContent(),
      ).toContain("succeeded");
      if (SHOTS) {
        await page.goto(`${dashboard}/specwright/`);
        await page.locator("table.runs tbody tr").first().waitFor();
        await page.screenshot({
          path: `${SHOTS}/dashboard-runs.png`,
          fullPage: true,
        });
      }
      await alice.close();
    },
    TIMEOUT,
  );
});

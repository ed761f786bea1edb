import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RunDetail } from "../../../src/web/api/schemas.js";
import { launchBrowser, noBrowser } from "./support/browser.js";
import { FakeApi } from "./support/fake-api.js";
import {
  approvedPlan,
  makeAttempt,
  makeDetail,
  makeSession,
  makeStage,
} from "./support/fixtures.js";
import { measure } from "./support/measure.js";
import { openPage } from "./support/open-page.js";

describe.skipIf(noBrowser !== null)(
  `the run page in Chromium${noBrowser ? ` (${noBrowser})` : ""}`,
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

    async function open(run = makeDetail(), signedIn = true) {
      api.session = signedIn ? makeSession() : null;
      api.details.set(run.id, run);
      await page.goto(`${base}/specwright/runs/${run.id}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
    }

    const node = (id: string) => page.locator(`g.node[data-stage="${id}"]`);

    it("draws the stage graph: a node per stage, an edge per need, status in words", async () => {
      await open();
      await expect.poll(() => page.locator("svg.graph g.node").count()).toBe(5);
      const edges = await page
        .locator("svg.graph path.edge")
        .evaluateAll((paths) =>
          paths.map(
            (p) =>
              `${p.getAttribute("data-from")}→${p.getAttribute("data-to")}`,
          ),
        );
      expect(edges.sort()).toEqual([
        "checklist→implement",
        "plan→checklist",
        "plan→tasks",
        "specify→plan",
        "tasks→implement",
      ]);
      expect(await node("plan").textContent()).toContain(
        "waiting for approval",
      );
      expect(await node("plan").getAttribute("aria-label")).toBe(
        "plan: waiting for approval; gate; needs specify",
      );
      // Stages of one batch share a column.
      const x = (id: string) => node(id).getAttribute("transform");
      expect((await x("tasks"))?.split(",")[0]).toBe(
        (await x("checklist"))?.split(",")[0],
      );
      // The waiting stage is shown first.
      expect(await node("plan").getAttribute("aria-pressed")).toBe("true");
      await expect
        .poll(() => page.locator("#stage-heading").textContent())
        .toBe("Stage: plan");
    });

    it("selects a stage by keyboard and shows its attempts, output and links", async () => {
      await open();
      await node("specify").focus();
      await page.keyboard.press("Enter");
      await expect
        .poll(() => page.locator("#stage-heading").textContent())
        .toBe("Stage: specify");
      expect(new URL(page.url()).searchParams.get("stage")).toBe("specify");
      const attempts = page.locator("ol.timeline > li");
      expect(await attempts.count()).toBe(2);
      // Newest first.
      expect(await attempts.nth(0).locator("h4").textContent()).toBe(
        "Attempt 2: ✓ succeeded",
      );
      expect(await attempts.nth(1).textContent()).toContain(
        "Error: The agent stopped: spec.md was not produced.",
      );
      expect(await attempts.nth(1).locator("pre.log").textContent()).toBe(
        "step 1\nstep 2\nerror: no spec.md",
      );
      expect(await attempts.nth(0).textContent()).toContain(
        "specs/001-login/spec.md",
      );
      expect(await attempts.nth(0).textContent()).toContain(
        "specwright-specify-2",
      );
      expect(await attempts.nth(0).textContent()).toMatch(
        /expires in \d+ days/,
      );
      expect(
        await attempts
          .nth(0)
          .getByRole("link", { name: "Commit" })
          .getAttribute("href"),
      ).toBe("https://github.com/acme/web/commit/abc123");
      expect(await page.locator(".stage-output pre.final").textContent()).toBe(
        "Done.",
      );

      // Tab goes on to the next node; Space selects it too.
      await page.keyboard.press("Tab");
      expect(await page.locator(":focus").getAttribute("data-stage")).toBe(
        "plan",
      );
      await page.keyboard.press(" ");
      await expect
        .poll(() => page.locator("#stage-heading").textContent())
        .toBe("Stage: plan");
      // Focus stays on the node the page drew again.
      expect(await page.locator(":focus").getAttribute("data-stage")).toBe(
        "plan",
      );
    });

    it("re-fetches the run on an event and shows the new status without reloading", async () => {
      const run = makeDetail();
      await open(run);
      await expect.poll(() => api.streams.size).toBe(1);
      await page.evaluate(() =>
        Object.assign(globalThis, { notReloaded: true }),
      );
      const fetchesBefore = api.seen("GET", "runs/run-1").length;

      api.details.set(run.id, approvedPlan(run));
      api.sendEvent("stage_completed", "42", {
        event: "stage_completed",
        run_id: run.id,
        at: new Date().toISOString(),
        stage: "plan",
        attempt: 0,
        status: "succeeded",
        duration_ms: null,
        commit: null,
        usage: null,
        reason: "approved by @octocat",
      });

      await expect
        .poll(() => node("plan").textContent())
        .toContain("succeeded");
      expect(await node("tasks").textContent()).toContain("running");
      expect(await page.locator("#live-status").getAttribute("aria-live")).toBe(
        "polite",
      );
      expect(await page.locator("#live-status").textContent()).toBe(
        "Plan succeeded; tasks started.",
      );
      expect(
        await page.evaluate(() => Reflect.get(globalThis, "notReloaded")),
      ).toBe(true);
      expect(api.seen("GET", "runs/run-1").length).toBeGreaterThan(
        fetchesBefore,
      );

      // The last event: the page closes the stream itself.
      api.details.set(
        run.id,
        RunDetail.parse({ ...approvedPlan(run), status: "succeeded" }),
      );
      api.sendEvent("run_completed", "43", {
        event: "run_completed",
        run_id: run.id,
        at: new Date().toISOString(),
        status: "succeeded",
        summary: null,
        duration_ms: 1000,
      });
      await expect
        .poll(() => page.locator("#live-status").textContent())
        .toBe("The run is succeeded.");
      await expect.poll(() => api.streams.size).toBe(0);
    });

    it("falls back to polling when the event stream keeps failing, and says so", async () => {
      api.streamMode = "fail";
      const run = makeDetail();
      await open(run);
      await expect
        .poll(() => page.locator(".live-note").textContent())
        .toBe(
          "Live updates are not available: this page checks for changes every 0.2 seconds.",
        );
      api.details.set(run.id, approvedPlan(run));
      await expect
        .poll(() => node("plan").textContent())
        .toContain("succeeded");
      expect(await page.locator("#live-status").textContent()).toBe(
        "Plan succeeded; tasks started.",
      );
      expect(api.seen("GET", "runs/run-1/events").length).toBe(1);
    });

    it("approves with the CSRF header and shows the run that comes back", async () => {
      const run = makeDetail();
      await open(run);
      api.controlAnswer = { run: approvedPlan(run) };
      await page.getByRole("button", { name: "Approve" }).click();
      await expect
        .poll(() => page.locator(".control-status").textContent())
        .toBe("Approved plan.");
      const [post] = api.seen("POST", "runs/run-1/stages/plan/approve");
      expect(post?.headers["x-csrf-token"]).toBe("csrf-123");
      expect(post?.headers["content-type"]).toBe("application/json");
      expect(post?.body).toEqual({});
      expect(await node("plan").textContent()).toContain("succeeded");
      // Approve no longer applies, and the page says why.
      const approve = page.getByRole("button", { name: "Approve" });
      expect(await approve.isDisabled()).toBe(true);
      expect(await page.locator("#why-approve_plan").textContent()).toBe(
        "Not waiting for approval.",
      );
    });

    it("disables a control while its request is under way", async () => {
      const run = makeDetail();
      await open(run);
      let release = () => {};
      api.controlHeld = new Promise((resolve) => {
        release = resolve;
      });
      api.controlAnswer = { run: approvedPlan(run) };
      await page.getByRole("button", { name: "Approve" }).click();
      await expect
        .poll(() => page.locator("#why-approve_plan").textContent())
        .toBe("Sending…");
      expect(
        await page.getByRole("button", { name: "Approve" }).isDisabled(),
      ).toBe(true);
      release();
      await expect
        .poll(() => page.locator(".control-status").textContent())
        .toBe("Approved plan.");
      expect(api.seen("POST", "runs/run-1/stages/plan/approve")).toHaveLength(
        1,
      );
    });

    it("rejects with the typed reason and shows a 409's sentence", async () => {
      await open();
      api.controlAnswer = {
        status: 409,
        code: "conflict",
        message:
          "Stage `plan` is not waiting for approval any more: @hubot approved it.",
      };
      await page
        .getByLabel("Reason for rejecting")
        .fill("The plan skips the migration.");
      await page.getByRole("button", { name: "Reject" }).click();
      await expect
        .poll(() => page.locator(".control-status").textContent())
        .toBe(
          "Could not reject plan: Stage `plan` is not waiting for approval any more: @hubot approved it.",
        );
      const [post] = api.seen("POST", "runs/run-1/stages/plan/reject");
      expect(post?.body).toEqual({ reason: "The plan skips the migration." });
      expect(post?.headers["x-csrf-token"]).toBe("csrf-123");
      // The reason survives the re-render, for another try.
      expect(await page.getByLabel("Reason for rejecting").inputValue()).toBe(
        "The plan skips the migration.",
      );
    });

    it("shows a 403 on a run control in the status region", async () => {
      await open();
      api.controlAnswer = {
        status: 403,
        code: "forbidden",
        message:
          "Holding a run needs write permission on acme/web; you have read.",
      };
      await page.getByRole("button", { name: "Hold run", exact: true }).click();
      await expect
        .poll(() => page.locator(".control-status").textContent())
        .toBe(
          "Could not hold the run: Holding a run needs write permission on acme/web; you have read.",
        );
      expect(api.seen("POST", "runs/run-1/hold")[0]?.body).toEqual({});
    });

    it("signed out: a sign-in link back here, and every control disabled with the reason", async () => {
      await open(makeDetail(), false);
      const signIn = page.getByRole("link", { name: "Sign in with GitHub" });
      expect(await signIn.getAttribute("href")).toBe(
        "/specwright/auth/sign-in?return_to=%2Fspecwright%2Fruns%2Frun-1",
      );
      const buttons = page.locator("button[data-control]");
      expect(await buttons.count()).toBe(6);
      for (const button of await buttons.all()) {
        expect(await button.isDisabled()).toBe(true);
        const why = await button.getAttribute("aria-describedby");
        expect(await page.locator(`#${why}`).textContent()).toBe(
          "Sign in to use the controls.",
        );
      }
      expect(await page.getByLabel("Reason for rejecting").isDisabled()).toBe(
        true,
      );
    });

    it("a reader sees why the controls are off", async () => {
      await open(
        makeDetail({
          permission: "read",
          controls: { cancel: false, hold: false, unhold: false },
          stages: [
            makeStage({
              id: "specify",
              batch: 0,
              status: "waiting_approval",
              gate: true,
            }),
          ],
        }),
      );
      expect(
        await page.getByRole("button", { name: "Approve" }).isDisabled(),
      ).toBe(true);
      expect(await page.locator("#why-approve_specify").textContent()).toBe(
        "You need write permission on this repository.",
      );
    });

    it("shows text from people and agents as text, never as markup", async () => {
      const evil = '<img src=x onerror="window.hacked=1">';
      await open(
        makeDetail({
          feature: `Login ${evil}`,
          links: {
            repository: "https://github.com/acme/web",
            issue: "javascript:window.hacked=2",
            pull_request: null,
            branch: null,
          },
          stages: [
            makeStage({
              id: "specify",
              name: "<b id=injected>specify</b>",
              batch: 0,
              status: "failed",
              attempts: [
                makeAttempt({
                  attempt: 1,
                  status: "failed",
                  error: `<script>window.hacked=3</script>${evil}`,
                  log_tail: `<b id="injected">bold</b>${evil}`,
                  final_message: null,
                }),
              ],
            }),
          ],
        }),
      );
      expect(await page.locator("h1").textContent()).toBe(`Login ${evil}`);
      expect(await page.locator(".attempt .error").textContent()).toBe(
        `Error: <script>window.hacked=3</script>${evil}`,
      );
      expect(await page.locator(".stage-output pre.log").textContent()).toBe(
        `<b id="injected">bold</b>${evil}`,
      );
      expect(await page.locator("#stage-heading").textContent()).toBe(
        "Stage: <b id=injected>specify</b>",
      );
      // Nothing was injected, nothing ran, and the javascript: link is text.
      expect(
        await page.locator("#injected, img[src=x], main script").count(),
      ).toBe(0);
      expect(await page.getByRole("link", { name: "#7" }).count()).toBe(0);
      expect(
        await page.evaluate(() => Reflect.get(globalThis, "hacked")),
      ).toBeUndefined();
    });

    it("has no horizontal page scroll on a 390 px phone; the graph scrolls in its box", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await open();
        await page.locator("svg.graph").waitFor();
        const html = await measure(page, "html");
        expect(html.scrollWidth).toBeLessThanOrEqual(html.clientWidth);
        const graph = await measure(page, ".graph-box");
        expect(graph.scrollWidth).toBeGreaterThan(graph.clientWidth);
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });

    it("says plainly when the run is unknown", async () => {
      api.session = makeSession();
      await page.goto(`${base}/specwright/runs/nope`);
      await expect
        .poll(() => page.locator("h1").textContent())
        .toBe("Run not found");
      expect(await page.locator("main").textContent()).toContain(
        "There is no such run, or you cannot read its repository.",
      );
    });
  },
);

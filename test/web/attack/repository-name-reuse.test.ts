// Attack review: runs are authorised by the repository's *name* only.
// A run of a private repository that was later renamed, transferred or
// deleted becomes readable (and controllable) by whoever owns a new
// repository under the old name.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at } from "../../engine/fixtures.js";
import { DashboardWorld } from "../../support/dashboard-world.js";
import { implementWaiting } from "../../support/seed-run.js";

const API = "/specwright/api/v1";

describe("dashboard attack review: repository name reuse", () => {
  let world: DashboardWorld;

  beforeAll(async () => {
    world = await DashboardWorld.start("pglite", () => new Date(at(20)));
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("a run of a private repository stays private after its name is taken by a new repository ", async () => {
    // The run was made while acme/payroll was a private repository of the
    // App's installation; that repository has since been renamed away.
    const run = {
      ...implementWaiting(),
      id: randomUUID(),
      owner: "acme",
      repo: "payroll",
      html_url: "https://github.com/acme/payroll",
      // The id GitHub gave the repository the run was made in.
      repository_id: 990_001,
    };
    await world.seed(run);
    const mallory = await world.signIn("mallory");
    expect(
      (await world.call(mallory, "GET", `${API}/runs/${run.id}`)).status,
    ).toBe(404);

    // An org member without access to the old repository creates a new,
    // public one under the freed name.
    await world.repository("acme/payroll", { mallory: "admin" });
    // (a fresh sign-in: the first 404 is cached for a minute)
    const again = await world.signIn("mallory");

    const shown = await world.call(again, "GET", `${API}/runs/${run.id}`);
    const cancel = await world.call(
      again,
      "POST",
      `${API}/runs/${run.id}/cancel`,
    );
    // The name is the same, the repository (its id) is not.
    const listed = await world.call(
      again,
      "GET",
      `${API}/runs?repository=acme/payroll`,
    );
    expect(((await listed.json()) as { runs: unknown[] }).runs).toEqual([]);
    expect({ show: shown.status, cancel: cancel.status }).toEqual({
      show: 404,
      cancel: 404,
    });
  });
});

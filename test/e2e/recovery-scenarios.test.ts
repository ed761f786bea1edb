import { describe, expect, it } from "vitest";
import {
  backends,
  featureBranch,
  implementWaits,
  STAGES,
  scenarioWorlds,
  TIMEOUT,
} from "../support/scenario-worlds.js";

// The whole loop against the local GitHub simulator, as in
// scenarios.test.ts, when things go wrong on the way: webhooks repeated,
// shuffled or lost, the App killed mid-run. These lean on the store, so
// they run on each store.

describe.each(backends)("end to end, recovering (%s)", (_store, base) => {
  const { setUp } = scenarioWorlds(base);

  it(
    "every webhook delivered twice and in a shuffled order: the same outcome, nothing done twice",
    async () => {
      const { world: w, repo, issue } = await setUp({ seed: 7 });
      w.sim.webhooks.policy = { duplicate: true, shuffle: 3 };
      // A job's end after its run's too: the App may not know the bundle's
      // id when it collects, and lists the run's artifacts instead.
      w.sim.jobCompletedLast = true;
      // Deliveries held back are released as time goes on.
      const release = setInterval(() => w.sim.webhooks.release(), 200);
      try {
        w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
        await w.until(
          "implement to wait for approval",
          implementWaits(w, repo),
        );
      } finally {
        clearInterval(release);
      }
      const branch = await featureBranch(w, repo);
      expect(await repo.git.subjects(branch)).toHaveLength(4);
      // One workflow run per stage: no double dispatch.
      expect(
        w.sim.workflowRunsOf(repo).map((r) => r.display_title.split(" ")[2]),
      ).toEqual(STAGES);
      expect(w.sim.pulls(repo)).toHaveLength(1);
      expect(w.sim.webhooks.log.some((d) => d.duplicate)).toBe(true);
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "the App killed in the middle of a run and started again finishes the run",
    async () => {
      const { world: w, repo, issue } = await setUp();
      w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
      await w.until(
        "plan to be dispatched",
        () => w.sim.workflowRunsOf(repo).length >= 2,
      );
      await w.stopApp("SIGKILL");
      // GitHub goes on without it: what it sends now fails, until the App,
      // back, asks for it again.
      await w.sim.idle();
      await w.startApp();
      await w.until("implement to wait for approval", implementWaits(w, repo));
      const branch = await featureBranch(w, repo);
      expect(await repo.git.subjects(branch)).toHaveLength(4);
      expect(w.sim.workflowRunsOf(repo)).toHaveLength(4);
      // What failed while it was down, it asked for again.
      const log = w.sim.webhooks.log;
      const missed = log.filter((d) => d.status === 0 && !d.dropped);
      expect(missed.length).toBeGreaterThan(0);
      for (const delivery of missed) {
        expect(
          log.some(
            (d) => d.guid === delivery.guid && d.redelivery && d.status === 200,
          ),
          `${delivery.event}.${delivery.action}`,
        ).toBe(true);
      }
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "with a fifth of the webhooks dropped, the reconciler completes every run",
    async () => {
      let n = 0;
      const first = new Set<string>();
      const { world: w, repo, issue } = await setUp({ seed: 3 });
      // The first /specify comment and the first label never reach the App,
      // nor does every fifth of the other deliveries (the App's own comments
      // included); what GitHub sends again when asked arrives.
      w.sim.webhooks.policy = {
        drop: ({ event, redelivery }) => {
          if (redelivery) return false;
          if (
            (event === "issue_comment" || event === "pull_request") &&
            !first.has(event)
          ) {
            first.add(event);
            return true;
          }
          return n++ % 5 === 2;
        },
      };
      const other = w.sim.openIssue(repo, {
        title: "Search",
        body: "Find things.",
        user: "alice",
      });
      w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
      w.sim.comment(repo, other, "/specify Add search", "alice");
      await w.until(
        "both runs to wait for approval",
        () =>
          w.sim
            .checkRunsOf(repo)
            .filter(
              (c) =>
                c.name === "Specwright: Implement (approval)" &&
                c.conclusion === "action_required",
            ).length === 2,
      );
      const pulls = w.sim.pulls(repo);
      expect(pulls).toHaveLength(2);
      for (const pull of pulls) {
        w.sim.label(repo, pull.number, "specwright:implement", "bob");
      }
      await w.until("both runs to finish", () =>
        pulls.every((pull) =>
          w.sim
            .commentsOn(repo, pull.number)
            .some((c) => c.body.includes("finished")),
        ),
      );

      const log = w.sim.webhooks.log;
      const dropped = log.filter((d) => d.dropped);
      expect(dropped.length).toBeGreaterThanOrEqual(log.length / 6);
      expect(new Set(dropped.map((d) => d.event))).toEqual(
        new Set([
          "issue_comment",
          "pull_request",
          "check_run",
          "workflow_run",
          "workflow_job",
        ]),
      );
      // Each dropped trigger was sent again because the App asked.
      for (const event of ["issue_comment", "pull_request"]) {
        const lost = dropped.find((d) => d.event === event);
        expect(
          log.some(
            (d) => d.guid === lost?.guid && d.redelivery && d.status === 200,
          ),
          event,
        ).toBe(true);
      }
      for (const pull of pulls) {
        const branch = pull.pull?.head ?? "";
        expect(await repo.git.subjects(branch)).toHaveLength(5);
      }
      expect(w.problems()).toEqual([]);
      const runs = await w.runs();
      expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    },
    TIMEOUT,
  );
});

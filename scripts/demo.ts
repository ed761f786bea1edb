// `npm run demo`: Specwright end to end on this machine, without a GitHub
// App. It starts the local GitHub simulator and the App (as `npm start`
// runs it), comments `/specify Add a dark mode toggle` on an issue of a
// sample repository, lets the scripted agent do each Spec Kit stage through
// the real stage workflow and action, approves implement with the
// `specwright:implement` label, and prints what people would see on GitHub.
import { World } from "../test/support/e2e-world.js";

const FEATURE = "Add a dark mode toggle";
const out = process.stdout;

function section(title: string, body: string): void {
  out.write(
    `\n${"=".repeat(78)}\n${title}\n${"=".repeat(78)}\n${body.trim()}\n`,
  );
}

function step(text: string): void {
  out.write(`· ${text}\n`);
}

const world = await World.create({
  ...(process.env.DATABASE_URL
    ? { databaseUrl: process.env.DATABASE_URL }
    : {}),
  verbose: process.argv.includes("--verbose"),
});
let failed = false;
try {
  step("starting the GitHub simulator and the App");
  const repo = await world.repository("acme/web");
  await world.startApp();
  const issue = world.sim.openIssue(repo, {
    title: "Dark mode",
    body: "Users want a dark mode that follows their system setting.",
    user: "alice",
  });
  step(`alice comments "/specify ${FEATURE}" on acme/web#${issue}`);
  world.sim.comment(repo, issue, `/specify ${FEATURE}`, "alice");

  await world.until(
    "implement to wait for approval",
    () =>
      world.sim
        .checkRunsOf(repo)
        .some(
          (c) =>
            c.name.endsWith("(approval)") && c.conclusion === "action_required",
        ),
    120_000,
  );
  const pull = world.sim.pulls(repo)[0];
  if (pull === undefined) throw new Error("no pull request was opened");
  step(
    `specify, plan, tasks and analyze ran; draft pull request #${pull.number} is open; implement waits`,
  );
  step(`bob labels #${pull.number} specwright:implement`);
  world.sim.label(repo, pull.number, "specwright:implement", "bob");
  // The finish notice, and the tracking comment's last edit (edits are
  // coalesced, so it may land a moment after the notice).
  await world.until(
    "the run to finish",
    () => {
      const comments = world.sim.commentsOn(repo, pull.number);
      return (
        comments.some(
          (c) =>
            c.body.includes("<!-- specwright:notice=") &&
            c.body.includes("finished"),
        ) &&
        comments.some(
          (c) =>
            c.body.includes("<!-- specwright:run=") &&
            c.body.includes("**succeeded**"),
        )
      );
    },
    120_000,
  );
  await world.sim.idle();
  step("the run finished");

  const tracking = world.sim
    .commentsOn(repo, pull.number)
    .find((c) => c.body.includes("<!-- specwright:run="));
  section(
    `The tracking comment (on #${pull.number})`,
    tracking?.body ?? "(none)",
  );
  for (const check of world.sim.checkRunsOf(repo)) {
    section(
      `Check run "${check.name}": ${check.conclusion ?? check.status} — ${check.output.title ?? ""}`,
      `${check.output.summary ?? ""}${check.annotations.length > 0 ? `\n\nAnnotations:\n${check.annotations.map((a) => `  ${a.annotation_level} ${a.path}:${a.start_line} ${a.message}`).join("\n")}` : ""}`,
    );
  }
  const branch = pull.pull?.head ?? "";
  section(`git log --stat ${branch}`, await repo.git.logStat(branch));
  const problems = world.problems();
  if (problems.length > 0) {
    failed = true;
    section("Requests GitHub would have refused", problems.join("\n"));
  }
} catch (error) {
  failed = true;
  process.stderr.write(
    `\nThe demo did not finish: ${error instanceof Error ? error.message : String(error)}\n`,
  );
} finally {
  await world.close();
}
process.exitCode = failed ? 1 : 0;

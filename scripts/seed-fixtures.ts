// Writes test/fixtures/webhooks/<event>.<action>.json from
// @octokit/webhooks-examples, patched to one repository (acme/web) and one
// installation (2) and completed where the examples lack fields the
// official schemas require. Run once; the fixtures are committed, and
// test/fixtures.test.ts validates them against @octokit/openapi-webhooks.
import { writeFile } from "node:fs/promises";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with {
  type: "json",
};

// Fixtures are patched freely before they are validated by the fixture test.
// biome-ignore lint/suspicious/noExplicitAny: free-form JSON being reshaped
type Json = Record<string, any>;

function example(
  name: string,
  action: string,
  pick: (e: Json) => boolean = () => true,
): Json {
  const event = (examples as Json[]).find((e) => e.name === name);
  const found = (event?.examples as Json[] | undefined)?.find(
    (e) => e.action === action && pick(e),
  );
  if (!found) throw new Error(`no ${name}.${action} example`);
  return structuredClone(found);
}

function patchRepository(payload: Json): Json {
  const repository = payload.repository;
  repository.name = "web";
  repository.full_name = "acme/web";
  repository.owner.login = "acme";
  repository.html_url = "https://github.com/acme/web";
  repository.url = "https://api.github.com/repos/acme/web";
  repository.default_branch = "main";
  payload.installation = {
    id: 2,
    node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==",
  };
  delete payload.organization;
  return payload;
}

const fixtures: Record<string, Json> = {};

const comment = patchRepository(
  example(
    "issue_comment",
    "created",
    (e) => "performed_via_github_app" in e.comment && !e.issue.pull_request,
  ),
);
comment.issue.number = 42;
comment.issue.title = "Dark mode";
comment.issue.body = "Users want a dark mode.";
comment.issue.html_url = "https://github.com/acme/web/issues/42";
comment.comment.body = "/specify Add a dark mode toggle";
comment.comment.user.login = "alice";
comment.comment.user.type = "User";
comment.sender.login = "alice";
comment.sender.type = "User";
fixtures["issue_comment.created"] = comment;

const run = patchRepository(
  example(
    "workflow_run",
    "completed",
    (e) => e.workflow_run.conclusion === "success",
  ),
);
const stageRun = run.workflow_run;
stageRun.event = "workflow_dispatch";
stageRun.path = ".github/workflows/specwright.yml";
stageRun.name = "Specwright stage";
stageRun.head_branch = "speckit/20261121/abc123";
stageRun.head_repository = { ...run.repository };
stageRun.repository = { ...run.repository };
stageRun.html_url = "https://github.com/acme/web/actions/runs/30433642";
for (const actor of [stageRun.actor, stageRun.triggering_actor]) {
  actor.login = "specwright[bot]";
  actor.type = "Bot";
}
run.sender = { ...stageRun.actor };
fixtures["workflow_run.completed"] = run;

const requested = structuredClone(run);
requested.action = "requested";
requested.workflow_run.status = "queued";
requested.workflow_run.conclusion = null;
fixtures["workflow_run.requested"] = requested;

const inProgress = structuredClone(run);
inProgress.action = "in_progress";
inProgress.workflow_run.status = "in_progress";
inProgress.workflow_run.conclusion = null;
fixtures["workflow_run.in_progress"] = inProgress;

for (const action of ["in_progress", "completed"]) {
  const job = patchRepository(
    example(
      "workflow_job",
      action,
      (e) => Boolean(e.installation) || action === "completed",
    ),
  );
  job.workflow_job.run_id = 30433642;
  job.workflow_job.html_url =
    "https://github.com/acme/web/actions/runs/30433642/job/1";
  job.workflow_job.head_branch = "speckit/20261121/abc123";
  fixtures[`workflow_job.${action}`] = job;
}

// The specwright labels, put on issue 42 and on the run's pull request 12.
const issueLabeled = patchRepository(
  example("issues", "labeled", (e) => Boolean(e.label)),
);
Object.assign(issueLabeled.issue, {
  number: 42,
  title: "Dark mode",
  body: "Users want a dark mode.",
  html_url: "https://github.com/acme/web/issues/42",
});
issueLabeled.label.name = "specwright:specify";
issueLabeled.sender.login = "alice";
issueLabeled.sender.type = "User";
fixtures["issues.labeled"] = issueLabeled;

const pullLabeled = patchRepository(
  example("pull_request", "labeled", (e) => Boolean(e.label)),
);
pullLabeled.number = 12;
Object.assign(pullLabeled.pull_request, {
  number: 12,
  html_url: "https://github.com/acme/web/pull/12",
});
pullLabeled.label.name = "specwright:implement";
for (const side of [
  pullLabeled.pull_request.base,
  pullLabeled.pull_request.head,
])
  side.repo.has_discussions ??= false;
pullLabeled.sender.login = "alice";
pullLabeled.sender.type = "User";
fixtures["pull_request.labeled"] = pullLabeled;

// Buttons and Re-run on a check run Specwright made.
// (The rerequested example lacks fields; it is the requested_action one.)
const check = patchRepository(example("check_run", "requested_action"));
check.check_run.external_id = "";
check.sender.login = "alice";
check.sender.type = "User";
check.requested_action = { identifier: "approve" };
fixtures["check_run.requested_action"] = check;
const rerequested = structuredClone(check);
rerequested.action = "rerequested";
delete rerequested.requested_action;
fixtures["check_run.rerequested"] = rerequested;

for (const [name, payload] of Object.entries(fixtures)) {
  await writeFile(
    `test/fixtures/webhooks/${name}.json`,
    `${JSON.stringify(payload, null, 2)}\n`,
  );
  process.stdout.write(`wrote test/fixtures/webhooks/${name}.json\n`);
}

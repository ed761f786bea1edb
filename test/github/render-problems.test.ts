import { describe, expect, it } from "vitest";
import type { EffectKind } from "../../src/engine/effects.js";
import type { EffectProblem, RunState } from "../../src/engine/run-state.js";
import { renderCheckRun } from "../../src/github/render-check-run.js";
import {
  DRAFT_REFUSED_NOTE,
  describeProblem,
} from "../../src/github/render-problems.js";
import { renderTrackingComment } from "../../src/github/render-tracking-comment.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import {
  applyAll,
  attemptOf,
  BRANCH,
  makeRun,
  on,
  stageOf,
} from "../engine/fixtures.js";
import { specifyDone } from "./fixtures.js";

const NOW = new Date("2025-01-02T04:00:00.000Z");

/** specify committed, plan dispatched; the tracking comment and check runs exist. */
function running(): RunState {
  const state = applyAll(makeRun(DEFAULT_WORKFLOW_SOURCE), [
    on.start(),
    on.trackingCommentCreated(555),
    on.branchCreated(),
    on.checkRunCreated("specify", 1, 900),
  ]).state;
  return applyAll(specifyDone(state), [on.checkRunCreated("plan", 1, 901)])
    .state;
}

function problem(
  kind: EffectKind,
  stage: string | null = null,
  attempt: number | null = null,
  message = "Resource not accessible by integration",
): EffectProblem {
  return { kind, stage, attempt, message, at: NOW.toISOString() };
}

/** Each kind: what the text must say to be worth reading (what to do). */
const cases: [EffectProblem, RegExp][] = [
  [problem("create_branch"), /feature branch .*comment `\/specify` again/],
  [
    problem("dispatch_stage", "plan", 1),
    /Could not dispatch \*\*Plan\*\* \(attempt 1\).*`\/retry plan`/,
  ],
  [
    problem("collect_result", "plan", 1),
    /Could not collect and commit the result of \*\*Plan\*\*.*`\/retry plan`/,
  ],
  [
    problem("open_pull_request", "specify", 1),
    new RegExp(
      `Could not open the pull request: Resource not accessible by integration\\. .*\`/retry specify\` \\(it runs that stage, and the stages after it, again\\), or open it by hand from branch \\[\`${BRANCH.replace(/\//g, "\\/")}\`\\]`,
    ),
  ],
  [
    problem("create_check_run", "plan", 1),
    /check run of \*\*Plan\*\*.*Checks: write/,
  ],
  [
    problem("update_check_run", "plan", 1),
    /check run of \*\*Plan\*\*.*the tracking comment shows the current one/,
  ],
  [
    problem("create_gate_check_run", "implement"),
    /approval check run of \*\*Implement\*\*.*`\/approve implement`/,
  ],
  [
    problem("update_gate_check_run", "implement"),
    /approval check run of \*\*Implement\*\*.*the one that counts/,
  ],
  [
    problem("cancel_workflow_run", "plan", 1),
    /cancel the workflow run of \*\*Plan\*\*.*Cancel it by hand/,
  ],
  [
    problem("create_tracking_comment"),
    /tracking comment on issue #42.*check runs show/,
  ],
  [problem("update_tracking_comment"), /tracking comment.*check runs show/],
  [problem("move_tracking_comment"), /move the run's tracking comment/],
  [problem("ensure_labels"), /`specwright:implement` by hand.*`\/implement`/],
  [problem("post_notice"), /notification comment.*nobody was notified/],
];

describe("describeProblem", () => {
  it("has a case for every kind of effect", () => {
    expect(new Set(cases.map(([p]) => p.kind)).size).toBe(14);
  });

  it.each(cases.map(([p, expected]) => ({ kind: p.kind, p, expected })))(
    "$kind says what failed and what to do",
    ({ p, expected }) => {
      expect(describeProblem(running(), p)).toMatch(expected);
    },
  );

  it("neutralises GitHub's message: no mention, no HTML, no link", () => {
    const text = describeProblem(
      running(),
      problem(
        "open_pull_request",
        null,
        null,
        "@admins <img src=x> [click](https://evil.example)",
      ),
    );
    expect(text).not.toMatch(/@admins|<img|\[click\]/);
    expect(text).toContain("&lt;img");
  });

  it("neutralises GitHub's message: no hidden rest, closing keyword or issue reference", () => {
    const text = describeProblem(
      running(),
      problem(
        "ensure_labels",
        null,
        null,
        "Fixes #1, closes: acme/web#2, resolves https://github.com/acme/web/issues/3 <!-- hidden -->",
      ),
    );
    expect(text).not.toMatch(/<!--|#\d|\bFixes\b|\bcloses\b|\bresolves\b/i);
    expect(text).toContain("&lt;\\!--");
  });

  it.each([
    [
      "an installation token",
      "Bad token ghs_16C7e42F292c6912E7710c838347Ae178B4a",
    ],
    ["a personal token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop"],
    [
      "a private key",
      "key -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- bad",
    ],
    ["a JWT", "jwt eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjEyMzR9.c2lnbmF0dXJlX2hlcmU"],
    [
      "an Authorization value",
      "sent Authorization: token abcdefabcdefabcdef0123",
    ],
    [
      "a signed download URL",
      "GET https://results.blob.core.windows.net/a/b.zip?sv=2019&sig=c2VjcmV0c2lnbmF0dXJl failed",
    ],
    [
      "a password in a URL",
      "https://x-access-token:s3cr3tv4lu3@github.com/acme/web.git",
    ],
  ])("shows no credential: %s", (_, message) => {
    const text = describeProblem(
      running(),
      problem("ensure_labels", null, null, message),
    );
    expect(text).toContain("***");
    expect(text).not.toMatch(
      /ghs_16C7|github_pat_11|MIIEow|eyJpc3Mi|abcdefabcdef|c2VjcmV0|s3cr3t/,
    );
  });
});

describe("problems where people look", () => {
  it("shows a failed pull request in the tracking comment and on the check run of the stage that committed", () => {
    const state = running();
    state.problems = [problem("open_pull_request", "specify", 1)];
    const comment = renderTrackingComment(state, NOW);
    expect(comment).toContain("> [!WARNING]");
    expect(comment).toContain("Could not open the pull request");
    const specify = stageOf(state, "specify");
    const check = renderCheckRun(
      state,
      specify,
      attemptOf(state, "specify"),
      NOW,
    );
    expect(check.output.summary).toContain("#### Problems");
    expect(check.output.summary).toContain("Could not open the pull request");
    const plan = renderCheckRun(
      state,
      stageOf(state, "plan"),
      attemptOf(state, "plan"),
      NOW,
    );
    expect(plan.output.summary).not.toContain("Problems");
  });

  it("does not show, in the tracking comment, that it could not be posted or edited (it was, since)", () => {
    const state = running();
    state.problems = [
      problem("create_tracking_comment"),
      problem("update_tracking_comment"),
      problem("move_tracking_comment"),
    ];
    const comment = renderTrackingComment(state, NOW);
    expect(comment).not.toContain("Could not post the run's tracking comment");
    expect(comment).not.toContain(
      "Could not update the run's tracking comment",
    );
    expect(comment).toContain("Could not move the run's tracking comment");
  });

  it("shows a tracking comment that could not be edited on every check run", () => {
    const state = running();
    state.problems = [problem("update_tracking_comment")];
    for (const id of ["specify", "plan"]) {
      const check = renderCheckRun(
        state,
        stageOf(state, id),
        attemptOf(state, id),
        NOW,
      );
      expect(check.output.summary).toContain(
        "Could not update the run's tracking comment",
      );
    }
  });

  it("does not show a check run's own failure on it", () => {
    const state = running();
    state.problems = [problem("update_check_run", "plan", 1)];
    const check = renderCheckRun(
      state,
      stageOf(state, "plan"),
      attemptOf(state, "plan"),
      NOW,
    );
    expect(check.output.summary).not.toContain("Problems");
    expect(renderTrackingComment(state, NOW)).toContain(
      "Could not update the check run of **Plan** (attempt 1)",
    );
  });

  it("says, on every render, that the pull request was opened ready", () => {
    const state = applyAll(running(), [
      { ...on.pullRequestOpened(12), draft_refused: true } as never,
      on.trackingCommentMoved(9100, 12),
    ]).state;
    expect(renderTrackingComment(state, NOW)).toContain(DRAFT_REFUSED_NOTE);
    expect(DRAFT_REFUSED_NOTE).toBe(
      "Opened as a ready pull request: draft pull requests are not supported in this repository.",
    );
    const plain = applyAll(running(), [on.pullRequestOpened(12)]).state;
    expect(renderTrackingComment(plain, NOW)).not.toContain(
      "Opened as a ready",
    );
  });
});

import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/contracts/stage-result.js";
import { renderAnnotations } from "../../src/github/render-annotations.js";
import { renderCheckRun } from "../../src/github/render-check-run.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import {
  at,
  attemptOf,
  finishStage,
  stageOf,
  startedRun,
  succeeded,
} from "../engine/fixtures.js";
import { planAndTasksDone, SPEC_DIR, specifyDone } from "./fixtures.js";

// analyze's findings are the agent's words: on the check run and in its
// annotations they mention nobody, reference no issue, render no HTML and
// show no credential.

const ZW = "\u200B";
const TOKEN = `ghp_${"a".repeat(36)}`;

function hostile(overrides: Partial<Finding> = {}): Finding {
  return {
    id: "A1`@x",
    category: "Scope @acme/admins",
    severity: "HIGH",
    path: `${SPEC_DIR}/spec.md`,
    start_line: 3,
    summary: `Fixes #7 <!-- hidden ${TOKEN}`,
    recommendation: "<img src=x> see acme/api#3",
    ...overrides,
  };
}

function analyzed(findings: Finding[]) {
  const state = planAndTasksDone(
    specifyDone(startedRun(DEFAULT_WORKFLOW_SOURCE).state),
  );
  const done = finishStage(
    state,
    "analyze",
    succeeded({ outputs: { report: "", critical: 0 }, findings }),
  ).state;
  return renderCheckRun(
    done,
    stageOf(done, "analyze"),
    attemptOf(done, "analyze"),
    new Date(at(30)),
  );
}

describe("analyze's findings as untrusted text", () => {
  it("lists them on the check run neutralised", () => {
    const { output } = analyzed([
      hostile({ path: undefined, start_line: undefined }),
      hostile(),
    ]);
    expect(output.summary).toContain(
      `- **HIGH** \`A1'@x\` Scope @${ZW}acme/admins: F${ZW}ixes #${ZW}7 &lt;\\!-- hidden *** *Recommendation:* &lt;img src=x> see acme/api#${ZW}3`,
    );
    expect(output.text).toContain(
      `| A1\`@${ZW}x | HIGH | Scope @${ZW}acme/admins |`,
    );
    for (const text of [output.summary, output.text ?? ""])
      expect(text).not.toMatch(/ghp_|<!--|<img|Fixes #7|acme\/api#3/);
  });

  it("makes annotations of them neutralised", () => {
    const [annotation] = renderAnnotations([hostile()]).annotations;
    expect(annotation).toMatchObject({
      title: `HIGH A1\`@${ZW}x: Scope @${ZW}acme/admins`,
      message: `F${ZW}ixes #${ZW}7 <!-- hidden ***\n\nRecommendation: <img src=x> see acme/api#${ZW}3`,
    });
  });
});

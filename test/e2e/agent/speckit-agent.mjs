#!/usr/bin/env node
// A scripted coding agent for the end-to-end scenarios and `npm run demo`,
// installed first on PATH under the agent CLIs' names (claude, codex, …).
// It does what Spec Kit's stages do, in miniature: `specify` writes
// specs/NNN-<slug>/spec.md, `plan` plan.md, `tasks` tasks.md, `analyze`
// reports findings, `implement` writes code and ticks the tasks. It answers
// like Claude Code (`--output-format json`).
//
// SPECWRIGHT_E2E_AGENT names a JSON file that can make a stage misbehave:
// { "<owner/repo>:<stage>": "skill-fails" | "nothing" | "fail" | "fail-once"
//   | "slow" | "stubborn" | "held" }
// "slow" writes the agent's pid to `<stage>.pid` beside that file, then
// takes 30 s before doing the stage's work: a stage still running when a
// test interrupts the run. "stubborn" is slow and ignores SIGTERM (only
// SIGKILL stops it). "held" writes its pid the same way, then waits until
// a file `<stage>.go` appears beside it (a minute at most): the test says
// when the stage may finish.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

const args = process.argv.slice(2);
if (args[0] === "--version") {
  process.stdout.write(
    `${basename(process.argv[1])} 2.0.0 (Specwright e2e agent)\n`,
  );
  process.exit(0);
}
const prompt = args.includes("-p")
  ? (args[args.indexOf("-p") + 1] ?? "")
  : readFileSync(0, "utf8");
const stage = process.env.SPECWRIGHT_STAGE ?? "";
const repository = process.env.GITHUB_REPOSITORY ?? "local/repo";
const isSkill = /^[/$]speckit[.-]/.test(prompt);

const behaviours = process.env.SPECWRIGHT_E2E_AGENT
  ? JSON.parse(readFileSync(process.env.SPECWRIGHT_E2E_AGENT, "utf8"))
  : {};
const behaviour = behaviours[`${repository}:${stage}`] ?? "ok";

function reply(message, code = 0) {
  process.stdout.write(
    `${JSON.stringify({
      type: "result",
      subtype: code === 0 ? "success" : "error_during_execution",
      is_error: code !== 0,
      result: message,
      num_turns: 4,
      total_cost_usd: 0.0123,
      usage: { input_tokens: 1200, output_tokens: 340 },
    })}\n`,
  );
  process.exit(code);
}

function write(path, content) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

if (behaviour === "fail") {
  process.stderr.write(`the model refused the ${stage} stage\n`);
  reply(`I could not complete ${stage}.`, 1);
}
if (behaviour === "skill-fails" && isSkill) {
  process.stderr.write(`unknown command ${prompt.split(" ")[0]}\n`);
  reply("That command is not available.", 1);
}
if (behaviour === "fail-once") {
  // The stage's first workflow run fails (its skill and its fallback alike);
  // the next one works.
  const marker = join(
    dirname(process.env.SPECWRIGHT_E2E_AGENT),
    `${repository.replace("/", "-")}-${stage}.failed`,
  );
  const job = process.env.GITHUB_RUN_ID ?? "";
  if (!existsSync(marker) || readFileSync(marker, "utf8") === job) {
    writeFileSync(marker, job);
    process.stderr.write("the model timed out (first try)\n");
    reply("Something went wrong.", 1);
  }
}
if (behaviour === "nothing") reply(`Done with ${stage}.`);
if (behaviour === "slow" || behaviour === "stubborn") {
  if (behaviour === "stubborn") process.on("SIGTERM", () => {});
  writeFileSync(
    join(dirname(process.env.SPECWRIGHT_E2E_AGENT), `${stage}.pid`),
    `${process.pid}\n`,
  );
  await new Promise((resolve) => setTimeout(resolve, 30_000));
}

if (behaviour === "held") {
  const state = dirname(process.env.SPECWRIGHT_E2E_AGENT);
  writeFileSync(join(state, `${stage}.pid`), `${process.pid}\n`);
  for (let i = 0; i < 1200 && !existsSync(join(state, `${stage}.go`)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function featureText() {
  // Fenced on both paths: the skill's arguments and the direct prompt.
  const fenced = /----- BEGIN [A-Z ]+ \S+ -----\n([\s\S]*?)\n----- END/.exec(
    prompt,
  );
  if (fenced) return fenced[1];
  return isSkill ? prompt.replace(/^\S+\s*/, "") : "a feature";
}

function featureDirectory() {
  if (process.env.SPECIFY_FEATURE_DIRECTORY)
    return process.env.SPECIFY_FEATURE_DIRECTORY;
  const taken = existsSync("specs") ? readdirSync("specs").length : 0;
  const slug =
    featureText()
      .toLowerCase()
      .match(/[a-z0-9]+/g)
      ?.slice(0, 4)
      .join("-") ?? "feature";
  return `specs/${String(taken + 1).padStart(3, "0")}-${slug}`;
}

const dir = featureDirectory();
switch (stage) {
  case "specify":
    write(
      `${dir}/spec.md`,
      `# Feature Specification: ${featureText().split("\n")[0]}\n\n## User Scenarios\n\n1. A user turns the feature on and sees it work.\n\n## Requirements\n\n- FR-001: The system MUST offer the feature.\n- FR-002: The choice MUST be remembered.\n`,
    );
    reply(`Wrote ${dir}/spec.md.`);
    break;
  case "plan":
    write(
      `${dir}/plan.md`,
      "# Implementation Plan\n\n## Technical Context\n\nTypeScript, no new dependencies.\n\n## Structure\n\n- src/feature.ts\n",
    );
    write(
      `${dir}/research.md`,
      "# Research\n\nDecision: keep it in one module.\n",
    );
    reply(`Wrote ${dir}/plan.md and research.md.`);
    break;
  case "tasks":
    write(
      `${dir}/tasks.md`,
      "# Tasks\n\n- [ ] T001 [US1] Add the feature in src/feature.ts\n- [ ] T002 [US1] Remember the choice in src/feature.ts\n",
    );
    reply(`Wrote ${dir}/tasks.md.`);
    break;
  case "analyze":
    reply(
      [
        "## Specification Analysis Report",
        "",
        "| ID | Category | Severity | Location(s) | Summary | Recommendation |",
        "|----|----------|----------|-------------|---------|----------------|",
        `| A1 | Ambiguity | LOW | ${dir}/spec.md:L7 | "remembered" does not say where | Name the storage |`,
        "",
        "**Metrics:**",
        "",
        "- Critical Issues Count: 0",
      ].join("\n"),
    );
    break;
  case "implement": {
    const tasks = readFileSync(`${dir}/tasks.md`, "utf8");
    write(`${dir}/tasks.md`, tasks.replaceAll("- [ ]", "- [X]"));
    write(
      "src/feature.ts",
      "export const enabled = () => true;\nexport const remember = (value: boolean) => value;\n",
    );
    reply("Implemented T001 and T002.");
    break;
  }
  default:
    reply(`Nothing to do for ${stage}.`);
}

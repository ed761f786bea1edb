import { tmpdir } from "node:os";
import { resolve } from "node:path";
import * as core from "@actions/core";
import type { ArtifactUploader } from "./bundle.js";
import { parseInputs, type RawInputs } from "./inputs.js";
import { secretVariants } from "./mask.js";
import { runStage } from "./run-stage.js";

const INPUT_NAMES: (keyof RawInputs)[] = [
  "request",
  "anthropic-api-key",
  "claude-code-oauth-token",
  "openai-api-key",
  "gemini-api-key",
  "copilot-token",
  "working-directory",
  "agent-isolation",
  "dry-run",
];

function getErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : JSON.stringify(error);
}

/** The real uploader: @actions/artifact, loaded only when a bundle is uploaded. */
export const actionsUploader: ArtifactUploader = {
  async upload(name, files, rootDirectory, retentionDays) {
    const { DefaultArtifactClient } = await import("@actions/artifact");
    return new DefaultArtifactClient().uploadArtifact(
      name,
      files,
      rootDirectory,
      { retentionDays },
    );
  },
};

/**
 * The action: reads the inputs, runs the stage, sets the outputs, writes the
 * job summary. Outputs start at safe values; failure is reported once.
 */
export async function run(
  uploader: ArtifactUploader = actionsUploader,
): Promise<void> {
  core.setOutput("status", "failed");
  core.setOutput("execution-path", "");
  core.setOutput("selected-skill", "");
  core.setOutput("artifact-name", "");
  try {
    const raw = Object.fromEntries(
      INPUT_NAMES.map((name) => [name, core.getInput(name) || undefined]),
    ) as RawInputs;
    for (const name of INPUT_NAMES) {
      if (name.endsWith("-key") || name.endsWith("-token")) {
        const value = raw[name];
        if (!value) continue;
        // The runner masks what it is told of, not its encodings.
        core.setSecret(value);
        for (const variant of secretVariants(value))
          if (variant !== value) core.setSecret(variant);
      }
    }
    const { inputs, request } = parseInputs(raw);
    const outcome = await runStage(request, {
      cwd: resolve(inputs["working-directory"]),
      tempDir: process.env.RUNNER_TEMP || tmpdir(),
      uploader,
      log: {
        info: core.info,
        warning: core.warning,
        startGroup: core.startGroup,
        endGroup: core.endGroup,
        write: (text) => process.stdout.write(text),
      },
      now: () => new Date(),
      env: process.env,
      credentials: {
        ...(inputs["anthropic-api-key"]
          ? { "anthropic-api-key": inputs["anthropic-api-key"] }
          : {}),
        ...(inputs["claude-code-oauth-token"]
          ? { "claude-code-oauth-token": inputs["claude-code-oauth-token"] }
          : {}),
        ...(inputs["openai-api-key"]
          ? { "openai-api-key": inputs["openai-api-key"] }
          : {}),
        ...(inputs["gemini-api-key"]
          ? { "gemini-api-key": inputs["gemini-api-key"] }
          : {}),
        ...(inputs["copilot-token"]
          ? { "copilot-token": inputs["copilot-token"] }
          : {}),
      },
      dryRun: inputs["dry-run"],
      isolation: inputs["agent-isolation"],
    });
    core.setOutput("execution-path", outcome.result.execution_path);
    core.setOutput("selected-skill", outcome.result.selected_skill_id ?? "");
    core.setOutput(
      "artifact-name",
      outcome.bundle.length > 0 ? outcome.artifactName : "",
    );
    // No default: without an upload the step that names it reads empty.
    if (outcome.artifactId !== undefined)
      core.setOutput("artifact-id", String(outcome.artifactId));
    if (process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(outcome.summary).write();
    }
    if (inputs["dry-run"]) {
      core.setOutput("status", "dry-run");
      if (outcome.result.error_message !== "dry run: nothing was run") {
        core.setFailed(`specwright: ${outcome.result.error_message}`);
      }
      return;
    }
    core.setOutput("status", outcome.result.status);
    if (outcome.result.status === "failed") {
      core.setFailed(
        `specwright: stage ${request.stage} failed: ${outcome.result.error_message}`,
      );
    }
  } catch (error) {
    core.setFailed(`specwright: ${getErrorMessage(error)}`);
  }
}

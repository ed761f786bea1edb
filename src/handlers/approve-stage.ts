import type { Context } from "probot";
import type { Dependencies } from "../app/dependencies.js";
import type { SlashCommand } from "../commands/parse-commands.js";
import { hasPermission, type Permission } from "../commands/permission.js";
import { isTerminalRun } from "../engine/run-state.js";
import { stageGate } from "../workflow/schema.js";
import { reply } from "./respond.js";

type CommentContext = Context<"issue_comment.created">;

/**
 * `/approve [stage]` (and `/implement`, which approves `implement`): lets a
 * stage that waits for approval run, if the commenter may approve it.
 */
export async function approveStage(
  context: CommentContext,
  deps: Dependencies,
  command: SlashCommand,
  permission: Permission,
  deliveryId: string,
): Promise<boolean> {
  const { owner, repo } = context.repo();
  const runs = await deps.store.findRunsFor(
    owner,
    repo,
    context.payload.issue.number,
  );
  const run = runs.find((r) => !isTerminalRun(r));
  if (run === undefined) {
    await reply(
      context,
      "There is no Specwright run in progress here to approve.",
    );
    return false;
  }
  const wanted = command.name === "implement" ? "implement" : command.args[0];
  const waiting = run.stages.filter((s) => s.status === "waiting_approval");
  const stage =
    wanted === undefined
      ? waiting.length === 1
        ? waiting[0]
        : undefined
      : waiting.find((s) => s.id === wanted);
  if (stage === undefined) {
    const list = waiting.map((s) => `\`${s.id}\``).join(", ");
    await reply(
      context,
      waiting.length === 0
        ? `Nothing in run \`${run.id}\` is waiting for approval.`
        : `Say which stage to approve: \`/approve <stage>\`, one of ${list}.`,
    );
    return false;
  }
  const def = run.workflow.stages.find((s) => s.id === stage.id);
  const gate = def ? stageGate(def) : undefined;
  const actor =
    context.payload.comment.user?.login ?? context.payload.sender.login;
  if (gate?.approvers && !gate.approvers.includes(actor)) {
    await reply(
      context,
      `@${actor} only ${gate.approvers.map((a) => `@${a}`).join(", ")} may approve \`${stage.id}\`.`,
    );
    return false;
  }
  if (gate && !hasPermission(permission, gate.permission)) {
    await reply(
      context,
      `@${actor} approving \`${stage.id}\` needs ${gate.permission} permission on this repository; you have ${permission}.`,
    );
    return false;
  }
  const result = await deps.store.apply(
    run.id,
    {
      type: "approve",
      stage: stage.id,
      by: actor,
      at: deps.now().toISOString(),
    },
    { delivery: { id: deliveryId, event: "issue_comment" } },
  );
  if (result.applied) deps.runner.kick();
  return result.applied;
}

import type { Dependencies } from "../app/dependencies.js";
import type { Decision } from "../commands/decide-command.js";
import { renderStatusReply } from "../github/render-status-reply.js";

export interface Acted {
  /** The engine took the event (false: a reply, or a delivery seen before). */
  applied: boolean;
  /** A stage was dispatched because of it. */
  dispatched: boolean;
}

/**
 * Carries out a command's decision: the event goes to the engine (once per
 * delivery), or the reply to whoever asked (and the delivery is recorded,
 * so a redelivery does not answer twice).
 */
export async function act(
  deps: Dependencies,
  decision: Decision,
  delivery: { id: string; event: string },
  reply: (body: string) => Promise<void>,
  options: { recordReplies?: boolean } = {},
): Promise<Acted> {
  if (decision.kind !== "apply") {
    await reply(
      decision.kind === "reply"
        ? decision.message
        : renderStatusReply(decision.run),
    );
    if (options.recordReplies !== false) {
      await deps.store.recordDelivery(delivery.id, delivery.event);
    }
    return { applied: false, dispatched: false };
  }
  const result = await deps.store.apply(decision.runId, decision.event, {
    delivery,
  });
  if (result.applied) deps.runner.kick();
  return {
    applied: result.applied,
    dispatched: result.effects.some((e) => e.kind === "dispatch_stage"),
  };
}

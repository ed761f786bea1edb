import * as deliveries from "./deliveries.js";
import { WorkStore } from "./work-store.js";

/**
 * The webhook deliveries the App acted on (by `X-GitHub-Delivery`: a
 * redelivery changes nothing), with the reply it gave, on top of the work
 * queue. `Store` is one of these, with the runs besides.
 */
export class DeliveryStore extends WorkStore {
  /** Whether a delivery has already been acted on. */
  hasDelivery(id: string): Promise<boolean> {
    return deliveries.hasDelivery(this.db, id);
  }

  /** A delivery acted on: its run, and the reply the App kept. */
  findDelivery(
    id: string,
  ): Promise<{ runId: string | null; reply: string | null } | undefined> {
    return deliveries.findDelivery(this.db, id);
  }

  /**
   * Records a delivery (with the reply given, to send again instead of
   * deciding again); false if it was already recorded.
   */
  recordDelivery(
    id: string,
    event: string,
    options: { runId?: string | null; reply?: string | null } = {},
  ): Promise<boolean> {
    return deliveries.insertDelivery(this.db, {
      id,
      event,
      runId: options.runId ?? null,
      reply: options.reply ?? null,
      receivedAt: this.now(),
    });
  }

  /** Forgets a delivery recorded as a claim whose work then failed. */
  forgetDelivery(id: string): Promise<void> {
    return deliveries.forgetDelivery(this.db, id);
  }
}

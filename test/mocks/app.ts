import type { DeliveryAttempt } from "../../src/reconcile/redeliverer.js";
import { github } from "../support/github.js";

/** One attempt in the App's webhook delivery log. */
export function deliveryAttempt(
  id: number,
  guid: string,
  at: string,
  statusCode: number,
  event = "issue_comment",
  action: string | null = "created",
): DeliveryAttempt & Record<string, unknown> {
  return {
    id,
    guid,
    delivered_at: at,
    redelivery: false,
    duration: 0.1,
    status: statusCode === 0 ? "failed to connect" : "OK",
    status_code: statusCode,
    event,
    action,
    installation_id: 1,
    repository_id: 2,
    throttled_at: null,
  };
}

/**
 * The App's delivery log, newest first, one page per array; each page but
 * the last links to the next by a cursor, as GitHub's does.
 */
export function nockDeliveries(...pages: DeliveryAttempt[][]) {
  pages.forEach((page, index) => {
    nockDeliveriesPage(page, index, index + 1 < pages.length);
  });
}

/** Page `index` (from 0) of the delivery log, linking to the next one if `next`. */
export function nockDeliveriesPage(
  page: DeliveryAttempt[],
  index: number,
  next: boolean,
) {
  const query: Record<string, string> = { per_page: "100" };
  if (index > 0) query.cursor = `v1_${index}`;
  return github()
    .get("/app/hook/deliveries")
    .query(query)
    .matchHeader("authorization", /^bearer /i)
    .reply(
      200,
      page,
      next
        ? {
            link: `<https://api.github.com/app/hook/deliveries?per_page=100&cursor=v1_${index + 1}>; rel="next"`,
          }
        : {},
    );
}

/** A request that GitHub send one delivery attempt again. */
export function nockRedeliver(deliveryId: number, status = 202) {
  return github()
    .post(`/app/hook/deliveries/${deliveryId}/attempts`)
    .matchHeader("authorization", /^bearer /i)
    .reply(status, status === 202 ? {} : { message: "Bad request" });
}

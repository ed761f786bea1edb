import { isTerminalRun } from "../../engine/run-state.js";
import { ApiError } from "../http/respond.js";
import type { ApiContext, ApiRequest } from "./api-context.js";
import { findReadableRun } from "./find-readable-run.js";

/**
 * `GET /runs/{id}/events`: Server-Sent Events from after `Last-Event-ID`
 * (the header a reconnecting EventSource sends, or `?after=` for a first
 * connection that already has the run's `last_event_id`), until the run
 * completes.
 */
export async function streamRunEvents(ctx: ApiContext, request: ApiRequest) {
  const { run } = await findReadableRun(
    ctx,
    request.session,
    request.params.id ?? "",
  );
  const header = request.req.headers["last-event-id"];
  const raw =
    (Array.isArray(header) ? header[0] : header) ??
    request.url.searchParams.get("after") ??
    undefined;
  let lastEventId: number | null = null;
  if (raw !== undefined && raw !== "") {
    if (!/^\d{1,15}$/.test(raw)) {
      throw new ApiError(
        "bad_request",
        "`Last-Event-ID` must be an event id this stream sent.",
        "Last-Event-ID",
      );
    }
    lastEventId = Number(raw);
  }
  ctx.hub.open(request.res, run.id, lastEventId, isTerminalRun(run));
}

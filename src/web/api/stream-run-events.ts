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
  const { req, res, session } = request;
  if (req.method === "HEAD") {
    // Headers only: a HEAD must not hold a stream open.
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
    });
    res.end();
    return;
  }
  const owner = {
    key: `${session.userId}`,
    // Signed out, refused by GitHub or expired: the stream ends.
    stillAllowed: () =>
      ctx.auth.session(req) !== undefined &&
      session.expiresAt.getTime() > Date.now(),
  };
  if (!ctx.hub.admits(owner)) {
    throw new ApiError(
      "too_many_requests",
      "Too many event streams are open: close some pages of the dashboard and try again.",
    );
  }
  ctx.hub.open(res, run.id, lastEventId, isTerminalRun(run), owner);
}

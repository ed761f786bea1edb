import { sendJson } from "../http/respond.js";
import type { ApiContext, ApiRequest } from "./api-context.js";
import { findReadableRun } from "./find-readable-run.js";
import { presentRun } from "./present-run.js";
import { RunDetail } from "./schemas.js";

/** `GET /runs/{id}`. */
export async function showRun(ctx: ApiContext, request: ApiRequest) {
  const { session } = request;
  const { run, permission } = await findReadableRun(
    ctx,
    session,
    request.params.id ?? "",
  );
  const lastEventId = await ctx.store.latestRunEventId(run.id);
  const detail = presentRun(
    run,
    { actor: { login: session.login, permission }, permission },
    lastEventId,
    ctx.now(),
  );
  sendJson(request.res, 200, RunDetail.parse(detail));
}

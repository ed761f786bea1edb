import { readJsonBody } from "../http/read-json-body.js";
import { ApiError, sendJson } from "../http/respond.js";
import type { ApiContext, ApiRequest } from "./api-context.js";
import { findReadableRun } from "./find-readable-run.js";
import { type Control, decideControl } from "./offered-controls.js";
import { presentRun } from "./present-run.js";
import { ControlResult } from "./schemas.js";

/**
 * `POST /runs/{id}/stages/{stage}/approve|reject|retry` and
 * `POST /runs/{id}/cancel|hold|unhold`: the same engine event, under the
 * same permission rule, as the comment command. A refusal is a 403 (not
 * allowed) or a 409 (not now) with the reason the comment would have got.
 */
export async function pressControl(
  ctx: ApiContext,
  request: ApiRequest,
  control: Control,
) {
  const { session } = request;
  if (!ctx.auth.checkCsrf(request.req, session)) {
    throw new ApiError(
      "forbidden",
      "The request has no valid CSRF token: reload the page and try again.",
    );
  }
  const body = await readJsonBody(request.req);
  const reason = readReason(body, control);
  const { run, permission } = await findReadableRun(
    ctx,
    session,
    request.params.id ?? "",
  );
  const stage = request.params.stage;
  if (stage !== undefined && !run.stages.some((s) => s.id === stage)) {
    throw new ApiError(
      "not_found",
      `Run ${run.id} has no stage ${stage.slice(0, 60)}.`,
    );
  }
  const actor = { login: session.login, permission };
  const decision = decideControl(run, control, actor, ctx.now().toISOString(), {
    ...(stage === undefined ? {} : { stage }),
    ...(reason === undefined ? {} : { reason }),
  });
  if ("refused" in decision) {
    throw new ApiError(
      decision.refused === "permission" ? "forbidden" : "conflict",
      decision.message,
    );
  }
  if (decision.kind !== "apply") {
    throw new ApiError("conflict", "That control does not change this run.");
  }
  const result = await ctx.store.apply(decision.runId, decision.event);
  if (!result.applied || result.state === undefined) {
    throw new ApiError("not_found", `There is no run ${run.id}.`);
  }
  ctx.kick();
  const lastEventId = await ctx.store.latestRunEventId(run.id);
  const answer: ControlResult = {
    run: presentRun(
      result.state,
      { actor, permission },
      lastEventId,
      ctx.now(),
    ),
  };
  sendJson(request.res, 200, ControlResult.parse(answer));
}

function readReason(
  body: Record<string, unknown>,
  control: Control,
): string | undefined {
  const allowed = control === "reject" ? ["reason"] : [];
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new ApiError(
        "bad_request",
        control === "reject"
          ? `Unknown field \`${key.slice(0, 40)}\`: a rejection takes only \`reason\`.`
          : `Unknown field \`${key.slice(0, 40)}\`: ${control} takes no body.`,
        key.slice(0, 40),
      );
    }
  }
  const reason = body.reason;
  if (reason === undefined || reason === null) return undefined;
  if (typeof reason !== "string" || reason.length > 500) {
    throw new ApiError(
      "bad_request",
      "`reason` must be text of at most 500 characters.",
      "reason",
    );
  }
  return reason.trim() === ""
    ? undefined
    : reason.trim().replace(/[\r\n]+/g, " ");
}

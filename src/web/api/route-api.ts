import type { IncomingMessage, ServerResponse } from "node:http";
import { SignedOutError } from "../auth/index.js";
import { ApiError, sendError, sendJson } from "../http/respond.js";
import type { ApiContext, ApiRequest } from "./api-context.js";
import { listRuns } from "./list-runs.js";
import type { Control } from "./offered-controls.js";
import { pressControl } from "./press-control.js";
import { SessionView } from "./schemas.js";
import { showRun } from "./show-run.js";
import { streamRunEvents } from "./stream-run-events.js";

export const API_PREFIX = "/specwright/api/v1/";

const AVATAR_HOST = "https://avatars.githubusercontent.com/";

type Handler = (ctx: ApiContext, request: ApiRequest) => Promise<void>;

const SEGMENT = "([^/]+)";

/** Method, path pattern (after the prefix), parameter names, handler. */
const ROUTES: [string, RegExp, string[], Handler][] = [
  ["GET", /^session$/, [], showSession],
  ["GET", /^runs$/, [], listRuns],
  ["GET", new RegExp(`^runs/${SEGMENT}$`), ["id"], showRun],
  ["GET", new RegExp(`^runs/${SEGMENT}/events$`), ["id"], streamRunEvents],
  ...(["approve", "reject", "retry"] as const).map(
    (control) =>
      [
        "POST",
        new RegExp(`^runs/${SEGMENT}/stages/${SEGMENT}/${control}$`),
        ["id", "stage"],
        control_(control),
      ] as [string, RegExp, string[], Handler],
  ),
  ...(["cancel", "hold", "unhold"] as const).map(
    (control) =>
      [
        "POST",
        new RegExp(`^runs/${SEGMENT}/${control}$`),
        ["id"],
        control_(control),
      ] as [string, RegExp, string[], Handler],
  ),
];

function control_(control: Control): Handler {
  return (ctx, request) => pressControl(ctx, request, control);
}

async function showSession(_ctx: ApiContext, request: ApiRequest) {
  const { session } = request;
  const view: SessionView = {
    login: session.login,
    // The page's policy lets images come from github.com's avatar host
    // only; GitHub Enterprise Server's avatars are left out.
    avatar_url: session.avatarUrl?.startsWith(AVATAR_HOST)
      ? session.avatarUrl
      : null,
    csrf_token: session.csrfToken,
  };
  sendJson(request.res, 200, SessionView.parse(view));
}

/**
 * Answers a request under `/specwright/api/v1/`: finds the route, asks for
 * a session, runs the handler, and turns every refusal into the one error
 * envelope. An unexpected error is a 500 whose details go to the log only.
 */
export async function routeApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  log: { error: (message: string) => void },
): Promise<void> {
  try {
    const path = url.pathname.slice(API_PREFIX.length);
    const matches = ROUTES.map(
      ([method, pattern, names, handler]) =>
        [method, pattern.exec(path), names, handler] as const,
    ).filter(([, match]) => match !== null);
    if (matches.length === 0) {
      throw new ApiError(
        "not_found",
        `There is no ${url.pathname.slice(0, 120)} in this API.`,
      );
    }
    const method = req.method === "HEAD" ? "GET" : req.method;
    const found = matches.find(([m]) => m === method);
    if (!found) {
      res.setHeader("Allow", matches.map(([m]) => m).join(", "));
      throw new ApiError(
        "method_not_allowed",
        `${url.pathname.slice(0, 120)} takes ${matches.map(([m]) => m).join(" or ")}, not ${String(req.method).slice(0, 10)}.`,
      );
    }
    const [, match, names, handler] = found;
    const session = ctx.auth.session(req);
    if (!session) {
      throw new ApiError(
        "unauthorized",
        "Sign in with GitHub first: /specwright/auth/sign-in.",
      );
    }
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = decodeSegment(match?.[i + 1] ?? "");
    });
    await handler(ctx, { req, res, url, session, params });
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof ApiError) {
      sendError(res, error);
      return;
    }
    if (error instanceof SignedOutError) {
      sendError(
        res,
        new ApiError(
          "unauthorized",
          "GitHub no longer accepts your sign-in: sign in again at /specwright/auth/sign-in.",
        ),
      );
      return;
    }
    log.error(
      `specwright: the dashboard API failed on ${req.method} ${url.pathname}: ${(error as Error)?.stack ?? String(error)}`,
    );
    sendError(
      res,
      new ApiError(
        "internal",
        "Specwright could not answer this request; the App's log says why.",
      ),
    );
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError("not_found", "The address has a malformed %-escape.");
  }
}

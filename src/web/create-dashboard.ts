import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiContext } from "./api/api-context.js";
import { API_PREFIX, routeApi } from "./api/route-api.js";
import { ApiError, sendError } from "./http/respond.js";
import { PAGE_HEADERS } from "./page/page-headers.js";
import { renderDashboardOff, servePage } from "./page/serve-page.js";

/** Everything under this path is the dashboard's; the rest is Probot's. */
export const DASHBOARD_PREFIX = "/specwright";

export type DashboardHandler = (
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<boolean>;

export interface DashboardLog {
  warn: (message: string) => void;
  error: (message: string) => void;
}

/**
 * The dashboard as a Probot HTTP handler: sign-in, the JSON API and its
 * event streams, and the page. With sign-in not configured, the page says
 * how to turn it on and the API answers 503 with the same words: runs are
 * never shown to someone GitHub has not vouched for.
 */
export function createDashboard(
  setup: { ctx: ApiContext } | { off: string },
  log: DashboardLog,
): DashboardHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    const path = url.pathname;
    if (path !== DASHBOARD_PREFIX && !path.startsWith(`${DASHBOARD_PREFIX}/`))
      return false;
    if (path === DASHBOARD_PREFIX) {
      res.writeHead(308, { Location: `${DASHBOARD_PREFIX}/${url.search}` });
      res.end();
      return true;
    }
    if ("off" in setup) {
      if (path.startsWith(API_PREFIX)) {
        sendError(res, new ApiError("dashboard_off", setup.off));
      } else {
        const html = renderDashboardOff(setup.off);
        res.writeHead(503, {
          ...PAGE_HEADERS,
          "Content-Type": "text/html; charset=utf-8",
          "Cache-Control": "no-store",
        });
        res.end(html);
      }
      return true;
    }
    const { ctx } = setup;
    if (await ctx.auth.handle(req, res, url)) return true;
    if (path.startsWith(API_PREFIX)) {
      await routeApi(ctx, req, res, url, log);
      return true;
    }
    if (await servePage(req, res, url)) return true;
    sendError(
      res,
      new ApiError("not_found", `There is no page ${path.slice(0, 120)}.`),
    );
    return true;
  };
}

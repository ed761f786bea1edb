import type { IncomingMessage, ServerResponse } from "node:http";
import { type Asset, loadAssets, type PageAssets } from "./load-assets.js";
import { PAGE_HEADERS } from "./page-headers.js";

// The dashboard's router takes both from here.
export { renderDashboardOff } from "./render-dashboard-off.js";

const PAGE_PATH = /^\/specwright\/(?:runs\/[A-Za-z0-9][A-Za-z0-9._-]{0,127})?$/;
/** `/specwright/assets/<file>` or `/specwright/assets/<version>/<file>`. */
const ASSET_PATH = /^\/specwright\/assets\/(?:([0-9a-f]{12})\/)?([^/]+)$/;
const FOR_GOOD = "public, max-age=31536000, immutable";

let loading: Promise<PageAssets> | undefined;

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string,
): void {
  res.writeHead(status, { ...PAGE_HEADERS, ...headers });
  res.end(req.method === "HEAD" ? undefined : body);
}

function sendAsset(
  req: IncomingMessage,
  res: ServerResponse,
  asset: Asset,
  cacheControl: string,
): void {
  const headers = { "Cache-Control": cacheControl, ETag: asset.etag };
  if (req.headers["if-none-match"] === asset.etag) {
    send(req, res, 304, headers, "");
    return;
  }
  send(
    req,
    res,
    200,
    { ...headers, "Content-Type": asset.contentType },
    asset.body,
  );
}

function sendNotFound(req: IncomingMessage, res: ServerResponse): void {
  send(
    req,
    res,
    404,
    {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-cache",
    },
    "Not found.\n",
  );
}

/**
 * Answers the dashboard's page and its static files; false for any other
 * path, which the caller then routes (the API, sign-in) or refuses.
 * `/specwright/` and `/specwright/runs/<id>` are the same page: it reads
 * the address and asks the API for what to show.
 */
export async function servePage(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const path = url.pathname;
  if (path === "/specwright") {
    send(req, res, 308, { Location: `/specwright/${url.search}` }, "");
    return true;
  }
  const isPage = PAGE_PATH.test(path);
  const asset = ASSET_PATH.exec(path);
  if (!isPage && !asset) return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    send(
      req,
      res,
      405,
      { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" },
      "Method not allowed.\n",
    );
    return true;
  }
  loading ??= loadAssets().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  const assets = await loading;
  if (isPage) {
    sendAsset(req, res, assets.index, "no-cache");
    return true;
  }
  const [, version, name = ""] = asset ?? [];
  // Only the names read from the assets folder: nothing else is reachable.
  const file = assets.files.get(name);
  if (!file) {
    sendNotFound(req, res);
    return true;
  }
  // An older version's address (a page loaded before a deploy) still gets
  // today's file, but not for good.
  sendAsset(req, res, file, version === assets.version ? FOR_GOOD : "no-cache");
  return true;
}

import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { packageRoot } from "../../package-root.js";

/** One file the page is made of, held in memory (they are a few kB). */
export interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface PageAssets {
  /** Served under /specwright/assets/: only these names, nothing else. */
  files: ReadonlyMap<string, Asset>;
  /** index.html with its asset links pointing at the versioned folder. */
  index: Asset;
  /** Changes whenever any file changes: the cache-busting path segment. */
  version: string;
}

/** A strict pattern: no slashes, no dots but the one before the extension. */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(?:js|css|svg)$/;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".html": "text/html; charset=utf-8",
};

/** Where the page's files are, both from source and from dist/. */
function assetsDir(): string {
  return join(packageRoot(), "src", "web", "page", "assets");
}

function hash(data: Buffer | string, length: number): string {
  return createHash("sha256").update(data).digest("hex").slice(0, length);
}

function makeAsset(name: string, body: Buffer): Asset {
  return {
    body,
    contentType: CONTENT_TYPES[extname(name)] ?? "application/octet-stream",
    etag: `"${hash(body, 16)}"`,
  };
}

/**
 * Reads the page's files once. index.html names its assets with the
 * `%ASSETS%` placeholder, replaced by `/specwright/assets/<version>/`: the
 * modules it loads import each other by relative path, so they all share
 * that versioned folder and can be cached for good.
 */
export async function loadAssets(dir = assetsDir()): Promise<PageAssets> {
  const names = (await readdir(dir)).filter((n) => ASSET_NAME.test(n)).sort();
  const bodies = await Promise.all(names.map((n) => readFile(join(dir, n))));
  const template = await readFile(join(dir, "index.html"), "utf8");
  const all = createHash("sha256");
  names.forEach((name, i) => {
    all.update(name).update(bodies[i] ?? "");
  });
  const version = all.digest("hex").slice(0, 12);
  const files = new Map<string, Asset>();
  names.forEach((name, i) => {
    files.set(name, makeAsset(name, bodies[i] ?? Buffer.alloc(0)));
  });
  const index = makeAsset(
    "index.html",
    Buffer.from(
      template.replaceAll("%ASSETS%", `/specwright/assets/${version}/`),
    ),
  );
  return { files, index, version };
}

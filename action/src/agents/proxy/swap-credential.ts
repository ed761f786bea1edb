import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** Where a CLI puts its key in a request: a header (with a scheme, as in `Bearer <key>`) or a query parameter. */
export type KeyLocation =
  | { header: string; scheme?: string }
  | { query: string };

/** A key the proxy holds, and where it goes in place of the agent's placeholder. */
export interface HeldKey {
  location: KeyLocation;
  value: string;
}

/**
 * Headers that describe one connection, not the request (RFC 9110 §7.6.1),
 * plus `proxy-connection`, which some clients still send. A proxy drops
 * them, and any header its `connection` header names.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** The headers without the hop-by-hop ones. */
export function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = String(headers.connection ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
  const drop = new Set([...HOP_BY_HOP, ...named]);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !drop.has(name)) out[name] = value;
  }
  return out;
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function headerForm(location: { scheme?: string }, key: string): string {
  return location.scheme ? `${location.scheme} ${key}` : key;
}

/** Whether the agent's placeholder is where this key goes. */
function carries(
  location: KeyLocation,
  headers: IncomingHttpHeaders,
  url: URL,
  placeholder: string,
): boolean {
  if ("query" in location)
    return url.searchParams
      .getAll(location.query)
      .some((value) => same(value, placeholder));
  const value = headers[location.header.toLowerCase()];
  if (typeof value !== "string") return false;
  if (!location.scheme) return same(value, placeholder);
  // A scheme is case-insensitive (RFC 9110 §11.1); the token is not.
  const [, scheme = "", token = ""] = /^(\S+) +(.*)$/.exec(value) ?? [];
  return (
    scheme.toLowerCase() === location.scheme.toLowerCase() &&
    same(token, placeholder)
  );
}

/**
 * The request as it goes upstream: its end-to-end headers and query, with
 * each placeholder the agent sent replaced by the real key for that
 * place. Undefined when the request carries the placeholder nowhere a key
 * goes: it does not come from the agent, and gets no key.
 */
export function swapCredential(options: {
  headers: IncomingHttpHeaders;
  url: URL;
  keys: readonly HeldKey[];
  placeholder: string;
}): { headers: OutgoingHttpHeaders; search: string } | undefined {
  const { headers, url, keys, placeholder } = options;
  const found = keys.filter((key) =>
    carries(key.location, headers, url, placeholder),
  );
  if (found.length === 0) return undefined;
  const out = endToEnd(headers);
  let search = url.search;
  for (const { location, value } of found) {
    if ("query" in location) {
      const query = new URLSearchParams(search);
      query.set(location.query, value);
      search = `?${query.toString()}`;
    } else out[location.header.toLowerCase()] = headerForm(location, value);
  }
  return { headers: out, search };
}

import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthState } from "./auth-state.js";
import { finishSignIn } from "./finish-sign-in.js";
import { SIGN_OUT_PATH, signOut } from "./sign-out.js";
import { CALLBACK_PATH, SIGN_IN_PATH, startSignIn } from "./start-sign-in.js";

/** Serves the sign-in's three paths; false for any other path. */
export async function handleAuthRoute(
  state: AuthState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const method = req.method ?? "GET";
  const route = {
    [SIGN_IN_PATH]: {
      allow: "GET",
      serve: () => startSignIn(state, req, res, url),
    },
    [CALLBACK_PATH]: {
      allow: "GET",
      serve: () => finishSignIn(state, req, res, url),
    },
    [SIGN_OUT_PATH]: { allow: "POST", serve: () => signOut(state, req, res) },
  }[url.pathname];
  if (route === undefined) return false;
  if (method !== route.allow) {
    res.writeHead(405, {
      allow: route.allow,
      "cache-control": "no-store",
      "content-type": "text/plain; charset=utf-8",
    });
    res.end(`${url.pathname} answers ${route.allow} only.\n`);
    return true;
  }
  await route.serve();
  return true;
}

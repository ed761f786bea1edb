// @ts-check
// The dashboard's entry: who is signed in, then the page the address
// names (/specwright/ or /specwright/runs/<id>).

import { showRunPage } from "./run-page.js";
import { showRunsList } from "./runs-list.js";
import { loadSession, renderSession } from "./session.js";

/** @typedef {import("./types.js").PageSettings} PageSettings */

const POLL_MS = 30_000;

async function start() {
  const settings = /** @type {PageSettings} */ (
    Reflect.get(window, "specwrightSettings") ?? {}
  );
  const pollMs = settings.pollMs ?? POLL_MS;
  const main = /** @type {HTMLElement} */ (document.getElementById("main"));
  const corner = /** @type {HTMLElement} */ (
    document.getElementById("session")
  );
  const session = await loadSession();
  renderSession(corner, session);
  const match = /^\/specwright\/runs\/([^/]+)$/.exec(window.location.pathname);
  if (match?.[1]) {
    await showRunPage(main, decodeURIComponent(match[1]), { session, pollMs });
  } else {
    showRunsList(main, { pollMs });
  }
}

start().catch((error) => {
  const main = document.getElementById("main");
  if (main) {
    main.textContent = `The dashboard could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
});

// @ts-check
// Who is signed in, and the sign-in / sign-out corner of the header.

import { ApiError, getJson, postJson } from "./api.js";
import { h, replaceKeepingFocus, safeHref } from "./dom.js";

/** @typedef {import("./types.js").SessionView} SessionView */

/**
 * The session, or null when nobody is signed in (401). Other failures
 * count as signed out too: the page's own requests then say what is wrong.
 * @returns {Promise<SessionView | null>}
 */
export async function loadSession() {
  try {
    return /** @type {SessionView} */ (await getJson("session"));
  } catch (error) {
    if (error instanceof ApiError) return null;
    throw error;
  }
}

/** Where "Sign in with GitHub" goes: back here afterwards. */
export function signInHref() {
  const back = window.location.pathname + window.location.search;
  return `/specwright/auth/sign-in?return_to=${encodeURIComponent(back)}`;
}

/**
 * @param {HTMLElement} container
 * @param {SessionView | null} session
 */
export function renderSession(container, session) {
  if (!session) {
    container.replaceChildren(
      h("a", { href: signInHref(), class: "button" }, "Sign in with GitHub"),
    );
    return;
  }
  const avatar = safeHref(session.avatar_url);
  const signOut = h("button", { type: "button" }, "Sign out");
  signOut.addEventListener("click", async () => {
    signOut.disabled = true;
    // Signed out or not, the reloaded page shows where things stand.
    await postJson("/specwright/auth/sign-out", {}, session.csrf_token).catch(
      () => undefined,
    );
    window.location.reload();
  });
  replaceKeepingFocus(
    container,
    avatar && h("img", { src: avatar, alt: "", width: 24, height: 24 }),
    h("span", {}, "Signed in as ", h("strong", {}, session.login)),
    signOut,
  );
}

/** The `name=value` part of a `Set-Cookie` header. */
export function cookiePair(setCookie: string): string {
  return setCookie.split(";")[0] ?? "";
}

/**
 * The dashboard's sign-in as a browser goes through it, without a browser:
 * the App's sign-in redirect, the simulated GitHub's form posted as
 * `login`, the App's callback. The session cookie, and what the callback
 * answered.
 */
export async function signInThrough(
  appUrl: string,
  simUrl: string,
  login: string,
  returnTo = "/specwright/",
): Promise<{ cookie: string; setCookie: string[]; callback: Response }> {
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${appUrl}${path}`, { redirect: "manual", headers });
  const start = await get(
    `/specwright/auth/sign-in?return_to=${encodeURIComponent(returnTo)}`,
  );
  const pending = start.headers.getSetCookie().map(cookiePair).join("; ");
  const authorize = new URL(start.headers.get("location") ?? "");
  const form = await fetch(`${simUrl}/login/oauth/authorize`, {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({
      client_id: authorize.searchParams.get("client_id") ?? "",
      redirect_uri: authorize.searchParams.get("redirect_uri") ?? "",
      state: authorize.searchParams.get("state") ?? "",
      login,
    }),
  });
  // A reverse proxy would bring the public URL's callback to the App.
  const back = new URL(form.headers.get("location") ?? "");
  const callback = await get(`${back.pathname}${back.search}`, {
    cookie: pending,
  });
  const setCookie = callback.headers.getSetCookie();
  const session = setCookie.find((c) => c.startsWith("specwright_session="));
  return { cookie: session ? cookiePair(session) : "", setCookie, callback };
}

// @ts-check
// The dashboard's JSON API (src/web/api/): every failure becomes an
// ApiError carrying the envelope's sentence, which the page shows as is.

export const API_BASE = "/specwright/api/v1/";

export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status; 0 when the server was not reached
   * @param {string} code the envelope's code
   * @param {string} message a sentence for the person
   * @param {string} [field] the query parameter at fault, for a 400
   */
  constructor(status, code, message, field) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/**
 * @param {Response} response
 * @returns {Promise<ApiError>}
 */
async function readError(response) {
  try {
    const body = await response.json();
    const error = body?.error;
    if (typeof error?.message === "string") {
      return new ApiError(
        response.status,
        String(error.code ?? "error"),
        error.message,
        typeof error.field === "string" ? error.field : undefined,
      );
    }
  } catch {
    // Not an envelope (a proxy's page): fall through to a plain sentence.
  }
  return new ApiError(
    response.status,
    "error",
    `The server answered ${response.status} ${response.statusText}.`.trim(),
  );
}

/**
 * @param {string} url
 * @param {RequestInit} init
 */
async function call(url, init) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(url, {
      credentials: "same-origin",
      ...init,
      headers: { Accept: "application/json", ...init.headers },
    });
  } catch {
    throw new ApiError(
      0,
      "network",
      "The dashboard could not reach the server.",
    );
  }
  if (!response.ok) throw await readError(response);
  // Sign-out may answer with no body at all.
  const text = await response.text();
  return text === "" ? null : JSON.parse(text);
}

/**
 * `GET /specwright/api/v1/<path>`.
 * @param {string} path relative to the API's base, query included
 * @returns {Promise<unknown>}
 */
export function getJson(path) {
  return call(API_BASE + path, { method: "GET" });
}

/**
 * A POST carrying the session's CSRF token, to the API or to sign-out.
 * @param {string} url an absolute path
 * @param {unknown} body
 * @param {string} csrfToken
 * @returns {Promise<unknown>}
 */
export function postJson(url, body, csrfToken) {
  return call(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
    body: JSON.stringify(body),
  });
}

import { hkdfSync } from "node:crypto";
import { readFileSync } from "node:fs";

/** What the dashboard's GitHub sign-in needs. */
export interface DashboardAuthConfig {
  /** The GitHub App's client id (`GITHUB_CLIENT_ID`). */
  clientId: string;
  /** One of the App's client secrets (`GITHUB_CLIENT_SECRET`). */
  clientSecret: string;
  /** At least 32 characters: the keys that seal cookies are derived from it. */
  sessionSecret: string;
  /**
   * The dashboard's origin as browsers reach it, e.g.
   * `https://specwright.example.com`: the OAuth callback is built on it, and
   * cookies are `Secure` when it is https. Without it the request's `Host`
   * is used.
   */
  publicUrl?: string;
  /** `https://github.com`, or the GitHub Enterprise Server (or simulator) origin. */
  githubWebUrl: string;
  /** `https://api.github.com`, or `https://<host>/api/v3`. */
  githubApiUrl: string;
}

export type DashboardAuthConfigResult =
  | { config: DashboardAuthConfig; problem?: undefined }
  | { config?: undefined; problem: string };

const MIN_SECRET = 32;
const OFF = "The dashboard is off:";

/**
 * The sign-in configuration from Probot's environment, or why the dashboard
 * is off and how to turn it on. Reads `GITHUB_CLIENT_ID`,
 * `GITHUB_CLIENT_SECRET`, `GHE_HOST`/`GHE_PROTOCOL` (as Probot does),
 * `SPECWRIGHT_SESSION_SECRET`, else `WEBHOOK_SECRET` with `PRIVATE_KEY` (or
 * the file at `PRIVATE_KEY_PATH`), and `SPECWRIGHT_PUBLIC_URL`.
 */
export function dashboardAuthConfigFromEnv(
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): DashboardAuthConfigResult {
  const clientId = env.GITHUB_CLIENT_ID?.trim() ?? "";
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim() ?? "";
  if (clientId === "" || clientSecret === "") {
    const missing = [
      clientId === "" ? "GITHUB_CLIENT_ID" : undefined,
      clientSecret === "" ? "GITHUB_CLIENT_SECRET" : undefined,
    ].filter(Boolean);
    return {
      problem: `${OFF} ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set. Set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET to the GitHub App's client id and a client secret (the manifest flow writes both to .env; the App's settings page shows the id and makes secrets), add <public URL>/specwright/auth/callback to the App's callback URLs, and restart.`,
    };
  }
  const publicUrl = parsePublicUrl(env.SPECWRIGHT_PUBLIC_URL);
  if (typeof publicUrl === "object") return publicUrl;
  const sessionSecret = sessionSecretFrom(env, readFile);
  if (typeof sessionSecret === "object") return sessionSecret;
  const host = env.GHE_HOST?.trim() ?? "";
  const protocol = env.GHE_PROTOCOL?.trim() || "https";
  const githubWebUrl =
    host === "" ? "https://github.com" : `${protocol}://${host}`;
  return {
    config: {
      clientId,
      clientSecret,
      sessionSecret,
      ...(publicUrl === "" ? {} : { publicUrl }),
      githubWebUrl,
      githubApiUrl:
        host === "" ? "https://api.github.com" : `${githubWebUrl}/api/v3`,
    },
  };
}

/** The origin, "" when unset, or the problem. */
function parsePublicUrl(raw: string | undefined): string | { problem: string } {
  const value = raw?.trim() ?? "";
  if (value === "") return "";
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.pathname !== "/" ||
    url.search !== "" ||
    url.hash !== ""
  ) {
    return {
      problem: `${OFF} SPECWRIGHT_PUBLIC_URL must be the origin browsers reach the App at, such as https://specwright.example.com (no path), not '${value}'.`,
    };
  }
  return url.origin;
}

function sessionSecretFrom(
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string,
): string | { problem: string } {
  const explicit = env.SPECWRIGHT_SESSION_SECRET ?? "";
  if (explicit !== "") {
    if (explicit.length >= MIN_SECRET) return explicit;
    return {
      problem: `${OFF} SPECWRIGHT_SESSION_SECRET must be at least ${MIN_SECRET} characters long (it has ${explicit.length}); \`openssl rand -hex 32\` makes one.`,
    };
  }
  const webhookSecret = env.WEBHOOK_SECRET ?? "";
  let privateKey = env.PRIVATE_KEY ?? "";
  if (privateKey === "" && env.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFile(env.PRIVATE_KEY_PATH);
    } catch {
      return {
        problem: `${OFF} no SPECWRIGHT_SESSION_SECRET is set, and the private key at PRIVATE_KEY_PATH (${env.PRIVATE_KEY_PATH}) could not be read to derive one. Set SPECWRIGHT_SESSION_SECRET to at least ${MIN_SECRET} random characters (\`openssl rand -hex 32\`).`,
      };
    }
  }
  if (webhookSecret === "" || privateKey === "") {
    return {
      problem: `${OFF} set SPECWRIGHT_SESSION_SECRET to at least ${MIN_SECRET} random characters (\`openssl rand -hex 32\`), or set WEBHOOK_SECRET and PRIVATE_KEY (or PRIVATE_KEY_PATH) to derive one from.`,
    };
  }
  // The manifest flow gives every deployment a webhook secret and a private
  // key but no session secret: deriving one from both turns the dashboard on
  // with no extra setting, and every replica (same environment) derives the
  // same one. HKDF under its own label makes a key that reveals neither
  // input and is good for nothing else; rotating either signs people out.
  return Buffer.from(
    hkdfSync(
      "sha256",
      privateKey,
      webhookSecret,
      "specwright/dashboard/session-secret/v1",
      32,
    ),
  ).toString("hex");
}

import { readFileSync } from "node:fs";
import addFormats from "ajv-formats";
import { OpenAPIBackend } from "openapi-backend";

/**
 * Validates requests against GitHub's published REST description
 * (@octokit/openapi): method, path, query and body. A request GitHub would
 * reject fails the test that made it.
 */
let api: OpenAPIBackend | undefined;

export async function loadGitHubApi(): Promise<void> {
  if (api) return;
  const definition = JSON.parse(
    readFileSync(
      "node_modules/@octokit/openapi/generated/api.github.com.json",
      "utf8",
    ),
  );
  const backend = new OpenAPIBackend({
    definition,
    quick: true,
    strict: false,
    validate: true,
    ajvOpts: { strict: false },
    customizeAjv: (ajv) => {
      addFormats.default(ajv as never);
      // GitHub's own format for "owner/name" (pulls.create's head_repo).
      ajv.addFormat("repo.nwo", /^[\w.-]+\/[\w.-]+$/);
      return ajv;
    },
  });
  await backend.init();
  api = backend;
}

/** Problems with a request, or none; also its operation id. */
export function validateGitHubRequest(
  method: string,
  pathWithQuery: string,
  body: unknown,
): { operationId?: string; errors: string[] } {
  if (api === undefined) throw new Error("loadGitHubApi() has not run");
  const url = new URL(pathWithQuery, "https://api.github.com");
  const request = {
    method: method.toLowerCase(),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body,
    headers: { "content-type": "application/json" },
  };
  const operation = api.matchOperation(request);
  if (operation === undefined) {
    return {
      errors: [
        `${method.toUpperCase()} ${url.pathname} is not a GitHub REST operation`,
      ],
    };
  }
  const result = api.validateRequest(request, operation);
  return {
    ...(operation.operationId ? { operationId: operation.operationId } : {}),
    errors: result.valid
      ? []
      : (result.errors ?? []).map(
          (e) =>
            `${operation.operationId}: ${e.instancePath || "/"} ${e.message}`,
        ),
  };
}

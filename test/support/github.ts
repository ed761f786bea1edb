import nock from "nock";
import { validateGitHubRequest } from "./github-openapi.js";

export const GITHUB_API = "https://api.github.com";

const problems: string[] = [];

/** Operation ids of the requests made through {@link github} scopes, in order. */
export const requestLog: {
  method: string;
  path: string;
  operationId?: string;
}[] = [];

/**
 * A nock scope for the GitHub API whose every request is checked against
 * GitHub's REST description (test/support/github-openapi.ts). Tests build
 * their mocks on it (test/mocks/), never on a bare `nock(...)`.
 */
export function github(): nock.Scope {
  const scope = nock(GITHUB_API);
  scope.on(
    "request",
    (
      req: { method: string; path: string },
      _interceptor: unknown,
      body: string,
    ) => {
      let parsed: unknown;
      try {
        parsed = body ? JSON.parse(body) : undefined;
      } catch {
        parsed = body;
      }
      const { operationId, errors } = validateGitHubRequest(
        req.method,
        req.path,
        parsed,
      );
      requestLog.push({
        method: req.method,
        path: req.path,
        ...(operationId ? { operationId } : {}),
      });
      for (const error of errors)
        problems.push(`${req.method} ${req.path}: ${error}`);
    },
  );
  return scope;
}

/** Problems found since the last call (requests GitHub would refuse). */
export function takeRequestProblems(): string[] {
  return problems.splice(0);
}

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HANDLED } from "../src/reconcile/redeliverer.js";

type Level = "read" | "write";
type Permission = [string, Level];

/**
 * The permission each GitHub call the App makes needs, from GitHub's
 * "Permissions required for GitHub Apps" page. A call missing here fails
 * the test: add it with its permission.
 */
const REST_PERMISSIONS: Record<string, Permission> = {
  "actions.createWorkflowDispatch": ["actions", "write"],
  "actions.listWorkflowRuns": ["actions", "read"],
  "actions.listWorkflowRunArtifacts": ["actions", "read"],
  "actions.downloadArtifact": ["actions", "read"],
  "checks.create": ["checks", "write"],
  "checks.update": ["checks", "write"],
  "checks.listForRef": ["checks", "read"],
  "checks.get": ["checks", "read"],
  "git.getRef": ["contents", "read"],
  "git.createRef": ["contents", "write"],
  "git.updateRef": ["contents", "write"],
  "git.getCommit": ["contents", "read"],
  "git.createCommit": ["contents", "write"],
  "git.createTree": ["contents", "write"],
  "git.createBlob": ["contents", "write"],
  "repos.getBranch": ["contents", "read"],
  "repos.getContent": ["contents", "read"],
  "repos.getCollaboratorPermissionLevel": ["metadata", "read"],
  "issues.createComment": ["issues", "write"],
  "issues.updateComment": ["issues", "write"],
  "issues.listComments": ["issues", "read"],
  "issues.addLabels": ["issues", "write"],
  "issues.getLabel": ["issues", "read"],
  "issues.createLabel": ["issues", "write"],
  "issues.removeLabel": ["issues", "write"],
  "actions.cancelWorkflowRun": ["actions", "write"],
  "actions.getWorkflowRun": ["actions", "read"],
  "reactions.createForIssueComment": ["issues", "write"],
  "pulls.create": ["pull_requests", "write"],
  "pulls.list": ["pull_requests", "read"],
  "pulls.requestReviewers": ["pull_requests", "write"],
};

/** Calls made as the App itself (a JWT): no installation permission. */
const APP_CALLS = new Set([
  "apps.listWebhookDeliveries",
  "apps.redeliverWebhookDelivery",
]);

const ROUTE_PERMISSIONS: Record<string, Permission> = {
  "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches": [
    "actions",
    "write",
  ],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? sources(path)
      : path.endsWith(".ts")
        ? [path]
        : [];
  });
}

function calls(): { rest: Set<string>; routes: Set<string>; config: boolean } {
  const rest = new Set<string>();
  const routes = new Set<string>();
  let config = false;
  for (const file of sources("src")) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/\.rest\.(\w+)\.(\w+)\b/g))
      rest.add(`${match[1]}.${match[2]}`);
    for (const match of text.matchAll(/\.request\(\s*"([A-Z]+ \/[^"]+)"/g))
      routes.add(match[1] ?? "");
    if (/context\.config\(/.test(text)) config = true;
  }
  return { rest, routes, config };
}

const manifest = parse(readFileSync("app.yml", "utf8")) as {
  default_events: string[];
  default_permissions: Record<string, Level>;
};

describe("app.yml", () => {
  it("has no apostrophe, which would break Probot's setup page", () => {
    // The page puts the manifest in a single-quoted HTML attribute, unescaped.
    expect(JSON.stringify(manifest)).not.toContain("'");
  });

  it("subscribes to exactly the events the App handles", () => {
    const index = readFileSync("src/index.ts", "utf8");
    // app.on("name.action", …) or app.on(["a.x", "b.y"], …)
    const handled = new Set(
      [...index.matchAll(/app\.on\(\s*(\[[^\]]*\]|"[^"]*")/g)].flatMap((m) =>
        [...(m[1] ?? "").matchAll(/"([a-z_]+)/g)].map((e) => e[1]),
      ),
    );
    expect([...manifest.default_events].sort()).toEqual([...handled].sort());
  });

  it("asks again for failed deliveries of exactly what the App handles", () => {
    const index = readFileSync("src/index.ts", "utf8");
    const registered = [
      ...index.matchAll(/app\.on\(\s*(\[[^\]]*\]|"[^"]*")/g),
    ].flatMap((m) =>
      [...(m[1] ?? "").matchAll(/"([a-z_]+(?:\.[a-z_]+)?)"/g)].map(
        (e) => e[1] ?? "",
      ),
    );
    const redelivered = Object.entries(HANDLED).flatMap(([event, actions]) =>
      actions === "all" ? [event] : actions.map((a) => `${event}.${a}`),
    );
    expect(redelivered.sort()).toEqual(registered.sort());
  });

  it("asks for exactly the permissions the App's GitHub calls need", () => {
    const found = calls();
    const needed = new Map<string, Level>([["metadata", "read"]]);
    const need = ([permission, level]: Permission) => {
      if (needed.get(permission) !== "write") needed.set(permission, level);
    };
    const unknown: string[] = [];
    for (const call of found.rest) {
      const permission = REST_PERMISSIONS[call];
      if (permission) need(permission);
      else if (!APP_CALLS.has(call)) unknown.push(call);
    }
    for (const route of found.routes) {
      const permission = ROUTE_PERMISSIONS[route];
      if (permission) need(permission);
      else unknown.push(route);
    }
    if (found.config) need(["contents", "read"]);
    expect(
      unknown,
      "calls with no known permission: add them to the table",
    ).toEqual([]);
    expect(found.rest.size).toBeGreaterThan(10);
    expect(manifest.default_permissions).toEqual(
      Object.fromEntries([...needed].sort()),
    );
  });
});

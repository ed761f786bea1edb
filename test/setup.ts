import nock from "nock";
import { afterEach, beforeAll } from "vitest";
import { takeRequestProblems } from "./support/github.js";
import { loadGitHubApi } from "./support/github-openapi.js";

// HTTP to GitHub is mocked at the HTTP boundary, strictly: no real network,
// no request without a mock, no mock without a request, and no request
// GitHub's REST description would refuse. Servers a test starts itself on
// this machine (the App, a local simulator) may be reached.
const LOCAL = /^(127\.0\.0\.1|localhost)(:\d+)?$/;
const unmatched: string[] = [];

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(LOCAL);
  nock.emitter.on(
    "no match",
    (req: { method?: string; path?: string; href?: string; host?: string }) => {
      if (LOCAL.test(req.host ?? "")) return;
      unmatched.push(`${req.method ?? "?"} ${req.href ?? req.path ?? "?"}`);
    },
  );
  await loadGitHubApi();
});

afterEach(() => {
  const pending = nock.pendingMocks();
  const problems = takeRequestProblems();
  const missing = unmatched.splice(0);
  nock.cleanAll();
  const report = [
    ...pending.map((m) => `mock not used: ${m}`),
    ...missing.map((r) => `request without a mock: ${r}`),
    ...problems.map((p) => `request GitHub would refuse: ${p}`),
  ];
  if (report.length > 0) throw new Error(`HTTP mocking:\n${report.join("\n")}`);
});

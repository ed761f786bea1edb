// The baseline for `npm run bench:probot`: a Probot app whose handlers do
// nothing, under the same server and Octokit as Specwright's `npm start`
// (src/main.ts), so the two differ only by Specwright's handlers.
import { run } from "probot";
import { SpecwrightOctokit } from "../src/github/specwright-octokit.js";

await run(
  (app) => {
    app.onAny(async () => {});
  },
  { Octokit: SpecwrightOctokit },
);

// `npm start`: the App under Probot's server, with Specwright's Octokit
// (bounded rate-limit retries, GitHub requests over undici's request API). Probot reads its settings from the
// environment and `.env`; without credentials it serves its setup page.
import { run } from "probot";
import { createGitHubFetch } from "./github/github-fetch.js";
import { specwrightOctokit } from "./github/specwright-octokit.js";
import app from "./index.js";

await run(app, {
  Octokit: specwrightOctokit({ fetch: createGitHubFetch() }),
});

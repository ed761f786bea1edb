// `npm start`: the App under Probot's server, with Specwright's Octokit
// (bounded rate-limit retries). Probot reads its settings from the
// environment and `.env`; without credentials it serves its setup page.
import { run } from "probot";
import { SpecwrightOctokit } from "./github/rate-limits.js";
import app from "./index.js";

await run(app, { Octokit: SpecwrightOctokit });

import type { ProbotOctokit } from "probot";

/** The installation-authenticated client the App is given by Probot. */
export type Octokit = InstanceType<typeof ProbotOctokit>;

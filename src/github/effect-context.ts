import type { RunState } from "../engine/run-state.js";
import type { GitHubMemory } from "./github-memory.js";
import type { Octokit } from "./octokit.js";

export interface Logger {
  info(message: string): void;
  info(object: object, message?: string): void;
  warn(message: string): void;
  warn(object: object, message?: string): void;
}

/** What performing an effect needs. */
export interface EffectContext {
  octokit: Octokit;
  /** The run as the effect was asked for (or later). */
  state: RunState;
  /**
   * How often this effect was tried before. A retry may follow a crash
   * after GitHub acted, so retries look for what a previous try did first.
   */
  retries: number;
  now: () => Date;
  log: Logger;
  /** What this process already learned from GitHub (none: ask every time). */
  memory?: GitHubMemory;
}

/** "owner/repo", as a key for the memory. */
export function repositoryName(state: RunState): string {
  return `${state.owner}/${state.repo}`;
}

export function repoOf(state: RunState): { owner: string; repo: string } {
  return { owner: state.owner, repo: state.repo };
}

import type { GitRepository } from "./git-repository.js";

export type Role = "read" | "triage" | "write" | "maintain" | "admin";

export interface User {
  login: string;
  id: number;
  type: "User" | "Bot";
}

export interface Comment {
  id: number;
  issue: number;
  body: string;
  user: User;
  created_at: string;
  updated_at: string;
  reactions: { content: string; user: User }[];
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  user: User;
  labels: string[];
  created_at: string;
  /** Set for a pull request. */
  pull: {
    head: string;
    base: string;
    draft: boolean;
    state: "open" | "closed";
    requested_reviewers: string[];
  } | null;
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: string;
  message: string;
  title?: string;
}

export interface CheckRun {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  external_id: string | null;
  status: string;
  conclusion: string | null;
  details_url: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: Annotation[];
  actions: { label: string; description: string; identifier: string }[];
  /** Every body the App sent, oldest first (for assertions). */
  history: Record<string, unknown>[];
}

export interface WorkflowRun {
  id: number;
  repo: string;
  run_number: number;
  name: string;
  path: string;
  display_title: string;
  head_branch: string;
  head_sha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  created_at: string;
  updated_at: string;
  run_started_at: string;
  inputs: Record<string, string>;
  /** The job's log, once it ran (masked). */
  log: string;
  summary: string;
  cancel: AbortController;
  jobId: number;
}

/** One repository of the simulated GitHub. */
export interface Repository {
  id: number;
  owner: string;
  name: string;
  full_name: string;
  default_branch: string;
  installation: number;
  git: GitRepository;
  /** Repository roles; anyone else has read on a public repository, none on a private one. */
  roles: Map<string, Role>;
  issues: Map<number, Issue>;
  labels: Map<string, Label>;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /**
   * False for a repository whose plan has no draft pull requests (a private
   * repository on GitHub Free or Pro): GitHub refuses `draft: true` there.
   */
  draftPullRequests: boolean;
  /** Seen only by people with a role: anyone else is told 404. */
  private: boolean;
  nextNumber: number;
  /**
   * When a branch last moved (GitHub's `pushed_at`, in every payload's
   * repository): any ref created or moved, by a push or the API.
   */
  pushedAt: string;
}

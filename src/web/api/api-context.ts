import type { IncomingMessage, ServerResponse } from "node:http";
import type { Usage } from "../../contracts/stage-result.js";
import type { RunEvent } from "../../engine/events.js";
import type { RunState, RunStatus } from "../../engine/run-state.js";
import type { DashboardAuth, Session } from "../auth/index.js";
import type { RunEventHub } from "../live/run-event-hub.js";
import type { RunPosition } from "./cursor.js";

/** A row of the runs list as the store reads it (columns, not the state). */
export interface RunListRow {
  id: string;
  owner: string;
  repo: string;
  /** GitHub's id of the repository; null in runs stored before it was kept. */
  repositoryId: number | null;
  issueNumber: number | null;
  feature: string;
  status: RunStatus;
  currentStage: string | null;
  requestedBy: string;
  branch: string;
  pullRequestNumber: number | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  usage: Usage;
}

/** What the API needs of the store. */
export interface DashboardStore {
  loadRun(runId: string): Promise<RunState | undefined>;
  listRuns(
    filter: {
      repositories?: readonly string[];
      repository?: string;
      status?: readonly RunStatus[];
      requestedBy?: string;
      createdAfter?: string;
      createdBefore?: string;
    },
    page: { after?: RunPosition; limit: number },
  ): Promise<{ rows: RunListRow[]; hasMore: boolean }>;
  distinctRepositories(): Promise<string[]>;
  latestRunEventId(runId: string): Promise<number | null>;
  apply(
    runId: string,
    event: RunEvent,
  ): Promise<{ applied: boolean; state?: RunState }>;
}

export interface ApiContext {
  store: DashboardStore;
  auth: DashboardAuth;
  hub: RunEventHub;
  /** Wakes the effect runner after an event was applied. */
  kick: () => void;
  now: () => Date;
  /** GitHub's web address (https://github.com, or GitHub Enterprise Server's), for links. */
  githubWebUrl: string;
}

/** One request, as the API's handlers see it. */
export interface ApiRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: Session;
  params: Record<string, string>;
}

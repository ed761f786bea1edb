import type { IncomingMessage, ServerResponse } from "node:http";
import type { RunEvent } from "../../engine/events.js";
import type { RunState } from "../../engine/run-state.js";
import type {
  RunListFilter,
  RunListPage,
  RunListRow,
} from "../../store/list-runs.js";
import type { DashboardAuth, Session } from "../auth/index.js";
import type { RunEventHub } from "../live/run-event-hub.js";

/** What the API needs of the store. */
export interface DashboardStore {
  loadRun(runId: string): Promise<RunState | undefined>;
  listRuns(
    filter: RunListFilter,
    page: RunListPage,
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

export type { RunListRow };

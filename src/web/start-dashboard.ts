import type { Dependencies } from "../app/dependencies.js";
import { openRunEventFeed } from "../store/run-event-feed.js";
import {
  createDashboardAuth,
  dashboardAuthConfigFromEnv,
} from "./auth/index.js";
import {
  createDashboard,
  type DashboardHandler,
  type DashboardLog,
} from "./create-dashboard.js";
import { RunEventHub } from "./live/run-event-hub.js";

export interface Dashboard {
  handler: DashboardHandler;
  close: () => Promise<void>;
  /** Why the dashboard is off, and how to turn it on; absent when it is on. */
  off?: string;
}

/**
 * The dashboard from the environment: GitHub sign-in from the App's OAuth
 * client (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET), live events from
 * the store's notifications (PostgreSQL LISTEN/NOTIFY, Redis pub/sub when
 * REDIS_URL is set, or PGlite's own in one process).
 */
export async function startDashboard(
  deps: Dependencies,
  env: NodeJS.ProcessEnv,
  log: DashboardLog,
): Promise<Dashboard> {
  const { config, problem } = dashboardAuthConfigFromEnv(env);
  if (!config) {
    const off = problem ?? "The dashboard is off.";
    return {
      handler: createDashboard({ off }, log),
      close: async () => {},
      off,
    };
  }
  const feed = await openRunEventFeed({
    store: deps.store,
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    log,
  });
  const hub = new RunEventHub(deps.store, feed, { log });
  const auth = createDashboardAuth(config);
  return {
    handler: createDashboard(
      {
        ctx: {
          store: deps.store,
          auth,
          hub,
          kick: () => deps.runner.kick(),
          now: deps.now,
          githubWebUrl: config.githubWebUrl,
        },
      },
      log,
    ),
    close: async () => {
      await hub.close();
      await feed.close();
    },
  };
}

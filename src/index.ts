// The Probot App. This file only registers handlers (webhook ones and the
// dashboard's HTTP one); they live in src/handlers/ and src/web/, the
// decisions in src/engine/, the GitHub calls in src/github/.
import type {
  ApplicationFunction,
  ApplicationFunctionOptions,
  Probot,
} from "probot";
import { createDependencies } from "./app/create-dependencies.js";
import type { Dependencies } from "./app/dependencies.js";
import { pacedHandlers } from "./github/pacing/pace-handler.js";
import { onCheckRun } from "./handlers/on-check-run.js";
import { onIssueComment } from "./handlers/on-issue-comment.js";
import { onLabeled } from "./handlers/on-label.js";
import { onWorkflowJob } from "./handlers/on-workflow-job.js";
import { onWorkflowRun } from "./handlers/on-workflow-run.js";
import { type Dashboard, startDashboard } from "./web/start-dashboard.js";

/** The App, with its dependencies given (tests) or made from the environment. */
export function createApp(
  dependencies?: (app: Probot) => Promise<Dependencies>,
): ApplicationFunction {
  return async (app, options) => {
    const deps = await (dependencies ?? createDependencies)(app);
    const paced = pacedHandlers(deps.paceHandler);
    app.on("issue_comment.created", paced(onIssueComment(deps)));
    app.on("workflow_run", paced(onWorkflowRun(deps)));
    app.on("workflow_job", paced(onWorkflowJob(deps)));
    app.on(["issues.labeled", "pull_request.labeled"], paced(onLabeled(deps)));
    app.on(
      ["check_run.rerequested", "check_run.requested_action"],
      paced(onCheckRun(deps)),
    );
    // The dashboard, on Probot's own HTTP server. Loaded without one (as in
    // handler tests), Probot's addHandler throws: then there is none.
    let dashboard: Dashboard | undefined;
    if (
      registerHandler(
        options,
        (req, res) => dashboard?.handler(req, res) ?? false,
      )
    ) {
      dashboard = await startDashboard(deps, process.env, {
        warn: (message) => app.log.warn(message),
        error: (message) => app.log.error(message),
      });
      app.log.info(
        dashboard.off
          ? `specwright: the dashboard at /specwright/ is off: ${dashboard.off}`
          : "specwright: the dashboard is at /specwright/",
      );
    }
    // Pick up what a previous process left undone, then sweep for what
    // webhooks miss.
    deps.runner.kick();
    deps.reconciler?.start();
  };
}

/** Adds an HTTP handler to Probot's server; false when there is no server. */
function registerHandler(
  options: ApplicationFunctionOptions | undefined,
  handler: Parameters<ApplicationFunctionOptions["addHandler"]>[0],
): boolean {
  if (typeof options?.addHandler !== "function") return false;
  try {
    options.addHandler(handler);
    return true;
  } catch {
    return false;
  }
}

export default createApp();

import type { Permission } from "../../commands/permission.js";
import type { RunState } from "../../engine/run-state.js";
import type { Session } from "../auth/index.js";
import { ApiError } from "../http/respond.js";
import type { ApiContext } from "./api-context.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The run, if this person may read its repository. A run of a repository
 * they cannot read is as unknown as one that does not exist: the answer
 * must not tell private repositories' runs apart from none.
 */
export async function findReadableRun(
  ctx: ApiContext,
  session: Session,
  runId: string,
): Promise<{ run: RunState; permission: Permission }> {
  const missing = new ApiError(
    "not_found",
    `There is no run ${runId.slice(0, 40)}.`,
  );
  if (!UUID.test(runId)) throw missing;
  const run = await ctx.store.loadRun(runId);
  if (run === undefined) throw missing;
  // By id as well as by name: a private repository's name may since
  // belong to another (a rename, a transfer, a deletion) that this person
  // can read.
  const permission = await ctx.auth.permission(
    session,
    run.owner,
    run.repo,
    run.repository_id,
  );
  if (permission === "none") throw missing;
  return { run, permission };
}

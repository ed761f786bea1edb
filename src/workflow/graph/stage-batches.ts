import type { Workflow } from "../schema.js";
import { buildGraph } from "./build-graph.js";
import { computeBatches } from "./compute-batches.js";

/**
 * A run's stage ids grouped as they can run: a stage's batch is one after
 * its latest dependency's, file order within a batch (as `specwright plan`
 * shows them). The workflow was checked before the run, so it is acyclic.
 */
export function stageBatches(workflow: Pick<Workflow, "stages">): string[][] {
  const { graph } = buildGraph(workflow.stages, ["workflow", "stages"]);
  return computeBatches(graph).map((batch) =>
    batch.map((index) => graph.ids[index] as string),
  );
}

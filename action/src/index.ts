// The action's entry point: it only runs run(). The logic is in run.ts and
// run-stage.ts. (Not measured for coverage: importing it runs the action.)
import { run } from "./run.js";

await run();

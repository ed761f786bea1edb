import { expect, it } from "vitest";
import * as runFolder from "../../../src/local/run-folder/index.js";

// The driver and the CLI import the run folder from here: a rename or a
// dropped export should be a decision, not an accident.
it("exports the run folder's API", () => {
  expect(Object.keys(runFolder).sort()).toStrictEqual([
    "AmbiguousRunError",
    "BrokenRunFolderError",
    "RUNS_DIR",
    "RUN_METADATA_FORMAT",
    "RunFolderError",
    "RunLockedError",
    "UnknownRunError",
    "acquireRunLock",
    "createRunFolder",
    "findRun",
    "listRuns",
    "postControl",
    "readLockOwner",
    "readRunMetadata",
    "runPaths",
    "stepDirName",
    "stepPaths",
    "takeControls",
    "watchInbox",
    "writeFileAtomic",
    "writeRunMetadata",
  ]);
  expect(runFolder.RUNS_DIR).toBe(".specwright/runs");
});

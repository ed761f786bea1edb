// The run folder: `.specwright/runs/<run-id>/`, where `specwright run`
// keeps a local run (its metadata, workflow snapshot, step folders,
// worktree, lock and control inbox).
export { writeFileAtomic } from "./atomic-write.js";
export { createRunFolder } from "./create-run-folder.js";
export {
  AmbiguousRunError,
  BrokenRunFolderError,
  RunFolderError,
  RunLockedError,
  UnknownRunError,
} from "./errors.js";
export { findRun } from "./find-run.js";
export {
  type ControlRequest,
  type InboxEntry,
  type InvalidControl,
  type PostedControl,
  postControl,
  takeControls,
} from "./inbox.js";
export { type BrokenRun, listRuns } from "./list-runs.js";
export { RUN_METADATA_FORMAT, type RunMetadata } from "./metadata-schema.js";
export {
  RUNS_DIR,
  type RunPaths,
  runPaths,
  type StepPaths,
  stepDirName,
  stepPaths,
} from "./paths.js";
export {
  acquireRunLock,
  type LockOwner,
  type RunLock,
  readLockOwner,
} from "./run-lock.js";
export { readRunMetadata, writeRunMetadata } from "./run-metadata.js";
export { watchInbox } from "./watch-inbox.js";

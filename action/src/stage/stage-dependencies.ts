import type { Changes } from "../../../src/contracts/changes.js";
import type { StageResult } from "../../../src/contracts/stage-result.js";
import type { Credential } from "../agents/backends.js";
import type { IsolationMode } from "../agents/isolation/agent-user.js";
import type { ArtifactUploader } from "../bundle.js";
import type { StagedTree } from "../collect-changes.js";
import type { WorkerStartupProfile } from "../preflight.js";

export interface ActionLog {
  info(message: string): void;
  warning(message: string): void;
  startGroup(name: string): void;
  endGroup(): void;
  /** Writes agent output as it streams. */
  write(text: string): void;
}

/** What a stage runs with: the runner, passed in rather than read from globals. */
export interface StageDependencies {
  cwd: string;
  tempDir: string;
  uploader: ArtifactUploader;
  log: ActionLog;
  now: () => Date;
  /** The runner's environment; the agent gets a cleaned copy. */
  env: NodeJS.ProcessEnv;
  credentials: Partial<Record<Credential["input"], string>>;
  dryRun: boolean;
  /** The action's user id (root gets its CLI's sandbox settings when the agent is not isolated). */
  uid?: number | undefined;
  /** Whether the agent runs as its own user (default: as the action's). */
  isolation?: IsolationMode | undefined;
  /**
   * Stops the stage: the agent's process group ends, no fallback runs,
   * and the bundle says it was cancelled (a local run's Ctrl+C).
   */
  signal?: AbortSignal | undefined;
  /** Told each agent's process id as it starts (a local run records it). */
  onAgentSpawn?: ((pid: number) => void) | undefined;
  /**
   * Stage the changes in the checkout's own index and leave them there,
   * rather than in a throw-away index: a local stage that runs in the
   * run's own worktree, clean at the base commit when it starts, is then
   * committed as staged. On GitHub the checkout's index is left alone.
   */
  stageInCheckout?: boolean | undefined;
  /**
   * With `stageInCheckout`: told the tree the index holds each time the
   * changes are staged (the last time is what the bundle has), so that
   * they can be committed without git looking at the index again.
   */
  onStaged?: ((staged: StagedTree) => Promise<void>) | undefined;
}

/**
 * What the stage hands back, masked: the step's outputs, failure message
 * and summary are made from it (see `stage/hand-back.ts`).
 */
export interface StageOutcome {
  result: StageResult;
  profile: WorkerStartupProfile;
  changes: Changes;
  artifactName: string;
  /** The uploaded bundle's artifact id, when the upload gave one. */
  artifactId?: number | undefined;
  /** Paths of the bundle's files (empty in a dry run). */
  bundle: string[];
  /** What a dry run would have run. */
  plan?: string;
  /** The step summary's Markdown. */
  summary: string;
}

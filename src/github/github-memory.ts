import { InFlight } from "./in-flight.js";

/**
 * What this process learned from GitHub and may use again instead of asking:
 * a commit's tree (content-addressed, so never stale), that a repository's
 * labels exist (checked again after `labelsTtlMs`, in case someone deleted
 * one), and how many annotations a check run it wrote has (only the App
 * adds them; forgotten while a write is under way, so one that failed
 * half-way is counted on GitHub again), and which artifact holds a workflow
 * run's result bundle (told by the run's job, in a step's name: see
 * contracts/bundle-step.ts); and looks under way, which effects that would
 * make the same look share (`shared`). Per process and bounded: another replica, or
 * this one after a restart, asks GitHub once more, as before.
 */
export class GitHubMemory {
  private readonly trees = new Map<string, string>();
  private readonly labels = new Map<string, number>();
  private readonly annotations = new Map<string, number>();
  private readonly bundles = new Map<string, number>();
  /** Looks under way that callers meanwhile share (`shared`). */
  private readonly underWay = new InFlight();

  constructor(
    private readonly options: {
      now?: () => Date;
      /** Entries of each kind kept; the oldest go first. */
      limit?: number;
      labelsTtlMs?: number;
    } = {},
  ) {}

  /** The tree of `commit` in `repository` ("owner/repo"), if known. */
  treeOf(repository: string, commit: string): string | undefined {
    return this.trees.get(`${repository}@${commit}`);
  }

  rememberTree(repository: string, commit: string, tree: string): void {
    remember(this.trees, `${repository}@${commit}`, tree, this.limit);
  }

  /** Whether this process made sure of the repository's labels lately. */
  hasLabels(repository: string): boolean {
    const at = this.labels.get(repository);
    return at !== undefined && this.nowMs() - at < this.labelsTtlMs;
  }

  rememberLabels(repository: string): void {
    remember(this.labels, repository, this.nowMs(), this.limit);
  }

  /** How many annotations the check run has, if this process wrote them all. */
  annotationsOf(repository: string, checkRun: number): number | undefined {
    return this.annotations.get(`${repository}#${checkRun}`);
  }

  /** `count` once a write worked; undefined (forget) before one starts. */
  rememberAnnotations(
    repository: string,
    checkRun: number,
    count: number | undefined,
  ): void {
    const key = `${repository}#${checkRun}`;
    if (count === undefined) this.annotations.delete(key);
    else remember(this.annotations, key, count, this.limit);
  }

  /** The result bundle's artifact id of a workflow run, if a job named it. */
  bundleOf(repository: string, workflowRun: number): number | undefined {
    return this.bundles.get(`${repository}#${workflowRun}`);
  }

  rememberBundle(
    repository: string,
    workflowRun: number,
    artifactId: number,
  ): void {
    remember(
      this.bundles,
      `${repository}#${workflowRun}`,
      artifactId,
      this.limit,
    );
  }

  /**
   * `work`, or the same work under `key` already under way: its outcome
   * (result or failure) is every caller's. For looks that several effects
   * at once would make the same (a burst of runs in one repository).
   */
  shared<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.underWay.share(key, work);
  }

  private get limit(): number {
    return this.options.limit ?? 10_000;
  }

  private get labelsTtlMs(): number {
    return this.options.labelsTtlMs ?? 3_600_000;
  }

  private nowMs(): number {
    return (this.options.now?.() ?? new Date()).getTime();
  }
}

/** Sets a key as the newest, dropping the oldest past `limit`. */
export function remember<T>(
  map: Map<string, T>,
  key: string,
  value: T,
  limit: number,
): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

import type { Octokit } from "../github/octokit.js";

export interface ClientPoolOptions {
  /** Makes an installation's client (Probot's `app.auth(id)`, paced). */
  make: (installationId: number) => Promise<Octokit>;
  /** Readies a client handed out again for its next effect (pacing). */
  reuse?: (octokit: Octokit) => void;
  /** Idle clients kept per installation (at most the runner's concurrency). */
  idlePerInstallation?: number;
  /** Installations whose idle clients are kept; the least recent go first. */
  installations?: number;
}

/**
 * Installation clients kept from one effect to the next. Making one is not
 * free (Probot's `app.auth` builds an Octokit with its plugins and a child
 * logger: measured under `npm run bench:e2e`, about 2 % of the App's CPU
 * when every effect made its own), and it holds nothing of an effect's
 * but its pacing count, which `reuse` starts again. A client is handed to
 * one effect at a time, so that count stays that effect's own; its token
 * is the App's auth's to renew, as for any client.
 */
export class ClientPool {
  private readonly idle = new Map<number, Octokit[]>();

  constructor(private readonly options: ClientPoolOptions) {}

  /** A client of the installation for one effect; `release` it after. */
  async acquire(installationId: number): Promise<Octokit> {
    const kept = this.idle.get(installationId)?.pop();
    if (kept === undefined) return this.options.make(installationId);
    this.options.reuse?.(kept);
    return kept;
  }

  /** Hands a client back once its effect is done. */
  release(installationId: number, octokit: Octokit): void {
    const { idlePerInstallation = 8, installations = 500 } = this.options;
    const kept = this.idle.get(installationId) ?? [];
    // The most recently used installation last, so the first is the oldest.
    this.idle.delete(installationId);
    this.idle.set(installationId, kept);
    if (kept.length < idlePerInstallation) kept.push(octokit);
    if (this.idle.size > installations) {
      const oldest = this.idle.keys().next().value;
      if (oldest !== undefined) this.idle.delete(oldest);
    }
  }

  /** How many idle clients are kept (for tests). */
  get size(): number {
    let size = 0;
    for (const kept of this.idle.values()) size += kept.length;
    return size;
  }
}

/**
 * A request the pacer held back: sending it now would spend more of the
 * installation's budget than there is. Not a failure: what made the
 * request tries again at `retryAt` (the effect runner puts the effect back
 * without counting a try).
 */
export class PacingDeferred extends Error {
  constructor(
    readonly installationId: number,
    readonly budget: string,
    readonly retryAt: Date,
  ) {
    super(
      `specwright: GitHub requests of installation ${installationId} are paced (budget ${budget} is spent); this one waits until ${retryAt.toISOString()}`,
    );
    this.name = "PacingDeferred";
  }
}

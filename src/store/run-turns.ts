/**
 * One transition of a run at a time in this process: a transition takes
 * the run as this process last committed it, without reading it again
 * (see `RunCache`), so two of the same run side by side here would only
 * make one of them lose at its save and start again. Another replica's
 * writes are still found at the save, as before. Runs do not wait for
 * each other.
 */
export class RunTurns {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Does `work` once every earlier turn of `runId` here has ended. */
  async take<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(runId) ?? Promise.resolve();
    const mine = before.then(work);
    const tail = mine.catch(() => undefined);
    this.tails.set(runId, tail);
    try {
      return await mine;
    } finally {
      if (this.tails.get(runId) === tail) this.tails.delete(runId);
    }
  }
}

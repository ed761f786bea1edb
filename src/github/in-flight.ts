// Looks several callers at once would make the same: one request, its
// outcome everyone's.

/**
 * Work under way, by key: a caller asking for the same key meanwhile gets
 * the same outcome (result or failure) instead of starting it again. Once
 * settled it is forgotten, so the next caller starts afresh.
 */
export class InFlight {
  private readonly underWay = new Map<string, Promise<unknown>>();

  share<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.underWay.get(key);
    if (running !== undefined) return running as Promise<T>;
    const started = work().finally(() => this.underWay.delete(key));
    this.underWay.set(key, started);
    return started;
  }
}

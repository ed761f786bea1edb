/**
 * A small in-memory cache whose entries live `ttlMs`, holding at most
 * `maxEntries` (the oldest goes first). Loads of one key at the same time
 * share one promise, so a page that asks twice makes one request; a load
 * that fails is not kept.
 */
export class TtlCache<V> {
  private readonly entries = new Map<
    string,
    { value: Promise<V>; expiresAt: number }
  >();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** The value kept for `key`, or undefined. */
  peek(key: string): Promise<V> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` for `key`. */
  set(key: string, value: V): void {
    this.put(key, Promise.resolve(value));
  }

  /** The value kept for `key`, else what `load` gives (kept if it succeeds). */
  remember(key: string, load: () => Promise<V>): Promise<V> {
    const kept = this.peek(key);
    if (kept !== undefined) return kept;
    const value = load();
    this.put(key, value);
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  private put(key: string, value: Promise<V>): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

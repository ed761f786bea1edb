/**
 * A latch the driver sleeps on: woken by a finished stage, a request from
 * another process, Ctrl+C — or by its own timer.
 */
export class Wakeup {
  private pending = false;
  private waiters: (() => void)[] = [];

  wake(): void {
    this.pending = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** True when woken, false when `timeoutMs` passed first. */
  wait(timeoutMs: number | undefined): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.pending = false;
        resolve(true);
      };
      this.waiters.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== done);
          resolve(false);
        }, timeoutMs);
      }
    });
  }
}

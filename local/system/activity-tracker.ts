/**
 * Counts work in flight outside the workflow runtime — API requests, SQS and S3 pumps — so the local system knows
 * when it is idle and virtual time may move.
 */
export class ActivityTracker {
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  /** True when nothing tracked is running. */
  get isIdle(): boolean {
    return this.inFlight === 0;
  }

  /** Runs `work`, counting it as busy until it settles. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  /** Resolves when nothing tracked is running (at once if nothing is). */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

import type { Execution } from './execution';

/**
 * Counts the executions that are running and those that are busy (between states or inside a handler, real I/O
 * included) rather than parked (waiting on a token or a virtual timer), so the runtime knows exactly when it is idle
 * and virtual time may move.
 */
export class BusyLedger {
  private busyCount = 0;
  private runningCount = 0;
  private idleWaiters: (() => void)[] = [];

  /** How many executions are running (busy or parked). */
  get running(): number {
    return this.runningCount;
  }

  /** True when no execution is between states or inside a handler. */
  get isIdle(): boolean {
    return this.busyCount === 0;
  }

  /** A new execution runs, busy from its first state on. */
  started(): void {
    this.busyCount += 1;
    this.runningCount += 1;
  }

  /** An execution ended (it is parked first, see {@link markParked}). */
  ended(): void {
    this.runningCount -= 1;
  }

  /** The execution is busy again (a wait of it settled); no-op once it is released. */
  markBusy(execution: Execution): void {
    if (execution.busy || execution.released) return;
    execution.busy = true;
    this.busyCount += 1;
  }

  /** The execution is parked (or has ended): when no execution is busy any more, the idle waiters wake. */
  markParked(execution: Execution): void {
    if (!execution.busy) return;
    execution.busy = false;
    this.busyCount -= 1;
    if (this.busyCount === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /**
   * Resolves when no execution is between states or inside a handler: every one waits on a token or a virtual
   * timer, or has ended. Exact (counts busy executions, handler promises included), not a sleep.
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.busyCount > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      // One macrotask turn: history consumers and promise continuations catch up before time may move.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.busyCount === 0) return;
    }
  }
}

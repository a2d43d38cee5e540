import { performance } from 'node:perf_hooks';
import type { Clock } from '../functions/shared/clock';

/** Cancels a timer set with {@link VirtualClock.setTimer}; calling it after the timer fired does nothing. */
export type CancelTimer = () => void;

/** Waits until the code woken by a timer has run as far as it can (see {@link VirtualClock.advanceTo}). */
export type Settle = () => Promise<void>;

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

interface RealTimeAnchor {
  readonly speed: number;
  virtualMs: number;
  realMs: number;
  handle?: NodeJS.Timeout;
}

/** The longest real delay armed at once: Node's setTimeout overflows (and fires at once) above 2^31-1 ms. */
const MAX_REAL_DELAY_MS = 3_600_000;

/** Lets every queued microtask (and the promise chains they continue) run before going on. */
export const flushMicrotasks: Settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock whose time only moves when told to — {@link advanceTo}, {@link advanceBy}, {@link runFast} — or, in
 * real-time mode ({@link startRealTime}), at `speed` times the wall clock. Timers fire in time order (ties in the
 * order they were set), each one with the clock reading its instant. Time never moves backwards.
 */
export class VirtualClock implements Clock {
  private nowMs: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private realTime?: RealTimeAnchor;
  private advancing: Promise<void> = Promise.resolve();

  constructor(start: Date) {
    if (Number.isNaN(start.getTime())) throw new RangeError('VirtualClock: start is not a valid date');
    this.nowMs = start.getTime();
  }

  /** The virtual instant. */
  now(): Date {
    return new Date(this.currentMs());
  }

  /** Whether the clock follows the wall clock (see {@link startRealTime}). */
  get isRealTime(): boolean {
    return this.realTime !== undefined;
  }

  /** How many timers are waiting to fire. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** The instant of the next timer to fire, if any. */
  nextTimerAt(): Date | undefined {
    const first = this.timers[0];
    return first ? new Date(first.at) : undefined;
  }

  /**
   * Calls `fn` when the virtual clock reaches `at` (a past instant fires at the next advance). Returns a function
   * that cancels the timer.
   */
  setTimer(at: Date, fn: () => void): CancelTimer {
    const atMs = at.getTime();
    if (Number.isNaN(atMs)) throw new RangeError('VirtualClock.setTimer: `at` is not a valid date');
    const timer: Timer = { at: atMs, seq: this.seq++, fn };
    this.timers.splice(this.insertionIndex(timer), 0, timer);
    this.armRealTimer();
    return () => {
      const index = this.timers.indexOf(timer);
      if (index < 0) return;
      this.timers.splice(index, 1);
      this.armRealTimer();
    };
  }

  /**
   * Resolves when the virtual clock reaches `at`; rejects with the signal's reason (and cancels the timer) if
   * `signal` aborts first.
   */
  sleepUntil(at: Date, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.setTimer(at, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Moves the clock forward to `target`, firing every timer due on the way in time order, the clock reading each
   * timer's instant while it fires. Before each firing it awaits `settle` (by default: the microtask queue drains)
   * so the code woken by a timer can set new timers before the next one fires; pass a runtime's `whenIdle` to also
   * wait for real I/O. A `target` in the past fires the due timers and leaves the time as it is.
   */
  advanceTo(target: Date, settle: Settle = flushMicrotasks): Promise<void> {
    const targetMs = target.getTime();
    if (Number.isNaN(targetMs)) return Promise.reject(new RangeError('VirtualClock.advanceTo: not a valid date'));
    const run = this.advancing.then(async () => {
      for (;;) {
        await settle();
        const next = this.timers[0];
        if (!next || next.at > targetMs) break;
        this.fire(next);
      }
      this.moveTo(targetMs);
    });
    this.advancing = run.catch(() => undefined);
    return run;
  }

  /** {@link advanceTo} `ms` milliseconds after now. */
  advanceBy(ms: number, settle: Settle = flushMicrotasks): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      return Promise.reject(new RangeError(`VirtualClock.advanceBy: ms must be a finite number >= 0, got ${ms}`));
    }
    return this.advanceTo(new Date(this.currentMs() + ms), settle);
  }

  /**
   * "As fast as possible": repeatedly waits until the system is idle (`whenIdle`), then jumps to the next timer and
   * fires it — one timer per round, so whatever it wakes runs to its next wait before time moves again. Stops when
   * `stop()` returns true, when no timer is left, or when the next timer lies after `until` (the clock then reads
   * `until`).
   */
  async runFast(options: { whenIdle: Settle; until?: Date; stop?: () => boolean }): Promise<void> {
    if (this.realTime) throw new Error('VirtualClock.runFast: the clock is in real-time mode; stopRealTime() first');
    const untilMs = options.until?.getTime();
    for (;;) {
      await options.whenIdle();
      if (options.stop?.()) return;
      const next = this.timers[0];
      if (!next) return;
      if (untilMs !== undefined && next.at > untilMs) {
        this.moveTo(untilMs);
        return;
      }
      this.fire(next);
    }
  }

  /**
   * Real-time mode: from now on virtual time runs at `speed` times the wall clock (`speed: 86400` = one virtual
   * day per real second) and timers fire on their own. `stopRealTime()` freezes the clock again.
   */
  startRealTime(speed: number): void {
    if (!Number.isFinite(speed) || speed <= 0) {
      throw new RangeError(`VirtualClock.startRealTime: speed must be a finite number > 0, got ${speed}`);
    }
    this.stopRealTime();
    this.realTime = { speed, virtualMs: this.nowMs, realMs: performance.now() };
    this.armRealTimer();
  }

  /** Leaves real-time mode; the clock keeps the instant it reached. */
  stopRealTime(): void {
    const realTime = this.realTime;
    if (!realTime) return;
    this.nowMs = this.currentMs();
    if (realTime.handle) clearTimeout(realTime.handle);
    this.realTime = undefined;
  }

  private currentMs(): number {
    const realTime = this.realTime;
    if (!realTime) return this.nowMs;
    return Math.floor(realTime.virtualMs + (performance.now() - realTime.realMs) * realTime.speed);
  }

  private moveTo(ms: number): void {
    if (ms <= this.currentMs()) return;
    if (this.realTime) {
      this.realTime.virtualMs = ms;
      this.realTime.realMs = performance.now();
    } else {
      this.nowMs = ms;
    }
  }

  private fire(timer: Timer): void {
    const index = this.timers.indexOf(timer);
    if (index >= 0) this.timers.splice(index, 1);
    this.moveTo(timer.at);
    timer.fn();
    this.armRealTimer();
  }

  /** Binary search: after every timer due earlier, or at the same instant and set before. */
  private insertionIndex(timer: Timer): number {
    let low = 0;
    let high = this.timers.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.timers[mid] as Timer;
      if (other.at < timer.at || (other.at === timer.at && other.seq < timer.seq)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private armRealTimer(): void {
    const realTime = this.realTime;
    if (!realTime) return;
    if (realTime.handle) clearTimeout(realTime.handle);
    realTime.handle = undefined;
    const next = this.timers[0];
    if (!next) return;
    const delay = Math.min(Math.max(0, (next.at - this.currentMs()) / realTime.speed), MAX_REAL_DELAY_MS);
    realTime.handle = setTimeout(() => {
      realTime.handle = undefined;
      this.advanceTo(this.now()).then(
        () => this.armRealTimer(),
        (error: unknown) => {
          // A throwing timer callback is a bug: surface it like a throwing setTimeout callback would.
          queueMicrotask(() => {
            throw error;
          });
        },
      );
    }, delay);
  }
}

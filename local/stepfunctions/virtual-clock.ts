import { performance } from 'node:perf_hooks';
import type { Clock } from '../../functions/platform/clock';

/**
 * Virtual time for the local system: a clock with timers that moves only when told to — to an instant, by a span,
 * as fast as the system runs, or paced against the wall clock — never backwards.
 */

/** Cancels a timer set with {@link VirtualClock.setTimer}; calling it after the timer fired does nothing. */
export type CancelTimer = () => void;

/** Waits until the code woken by a timer has run as far as it can (see {@link VirtualClock.advanceTo}). */
export type Settle = () => Promise<void>;

interface Timer {
  readonly at: number;
  /** Orders the timers of one instant (then the order they were set in). */
  readonly tie: string;
  readonly seq: number;
  readonly fn: () => void;
  /** False for a deadline (an execution's time limit): it ends what waits, it wakes nothing (see runFast). */
  readonly wakes: boolean;
  /** A schedule's tick (the reconciler's): wakes nothing, and does not keep a paced clock going. */
  readonly background: boolean;
}

/** Lets every queued microtask (and the promise chains they continue) run before going on. */
export const flushMicrotasks: Settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock whose time only moves when told to — {@link advanceTo}, {@link advanceBy}, {@link runFast} (as fast as
 * the system goes) or {@link runPaced} (`speed` times the wall clock while the system is idle). Timers fire in time
 * order (ties in the order they were set), each one with the clock reading its instant. Time never moves backwards.
 */
export class VirtualClock implements Clock {
  private nowMs: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  /** How many of the timers wake something (are not deadlines). */
  private waking = 0;
  /** How many of the timers are background ticks. */
  private background = 0;
  private advancing: Promise<void> = Promise.resolve();

  constructor(start: Date) {
    if (Number.isNaN(start.getTime())) throw new RangeError('VirtualClock: start is not a valid date');
    this.nowMs = start.getTime();
  }

  /** The virtual instant. */
  now(): Date {
    return new Date(this.currentMs());
  }

  /** How many timers are waiting to fire, a schedule's background ticks left out. */
  get pendingTimers(): number {
    return this.timers.length - this.background;
  }

  /** The instant of the next timer to fire, if any. */
  nextTimerAt(): Date | undefined {
    const first = this.timers[0];
    return first ? new Date(first.at) : undefined;
  }

  /**
   * Calls `fn` when the virtual clock reaches `at` (a past instant fires at the next advance). Timers of one instant
   * fire in the order of their `tie` key, then in the order they were set: give a stable key (e.g. the execution's
   * name) and a run fires them in the same order every time. A `deadline` (an execution's time limit) fires like any
   * timer but wakes nothing: {@link runFast} does not play time forward for deadlines alone. A `background` timer (a
   * schedule's tick) is a deadline that does not count in {@link pendingTimers} either, so a paced clock does not keep
   * running for it alone. Returns a function that cancels the timer.
   */
  setTimer(
    at: Date,
    fn: () => void,
    tie = '',
    options: { deadline?: boolean; background?: boolean } = {},
  ): CancelTimer {
    const atMs = at.getTime();
    if (Number.isNaN(atMs)) throw new RangeError('VirtualClock.setTimer: `at` is not a valid date');
    const background = options.background === true;
    const wakes = options.deadline !== true && !background;
    const timer: Timer = { at: atMs, tie, seq: this.seq++, fn, wakes, background };
    this.timers.splice(this.insertionIndex(timer), 0, timer);
    if (timer.wakes) this.waking += 1;
    if (timer.background) this.background += 1;
    return () => {
      // the timers are in (at, tie, seq) order: a binary search finds it (an execution's end cancels its deadline)
      const index = this.insertionIndex(timer);
      if (this.timers[index] === timer) this.remove(index);
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
   * timer's instant while it fires. The timers of one instant fire together (they happen at the same time); before
   * each instant it awaits `settle` (by default: the microtask queue drains) so the code woken by a timer can set
   * new timers before a later one fires; pass a runtime's `whenIdle` to also wait for real I/O. A `target` in the
   * past fires the due timers and leaves the time as it is.
   */
  advanceTo(target: Date, settle: Settle = flushMicrotasks): Promise<void> {
    const targetMs = target.getTime();
    if (Number.isNaN(targetMs)) return Promise.reject(new RangeError('VirtualClock.advanceTo: not a valid date'));
    const run = this.advancing.then(async () => {
      for (;;) {
        await settle();
        const next = this.timers[0];
        if (!next || next.at > targetMs) break;
        this.fireInstant(next.at);
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
   * "As fast as possible": repeatedly waits until the system is idle (`whenIdle`), then jumps to the next instant a
   * timer is due and fires that instant's timers — so whatever they wake runs to its next wait before time moves
   * again. With `oneAtATime`, the timers of an instant fire one per round instead (in their order: see setTimer), so
   * what each one wakes runs alone: a run is then the same every time, whatever the I/O timing. Stops when `stop()`
   * returns true, when no timer is left, or when the next timer lies after `until` (the clock then reads `until`).
   * Deadlines alone do not keep it going: when only deadlines are left, it stops, unless `until` is given and the
   * next one is due by then (an execution ends at its time limit only when time is played that far).
   */
  async runFast(options: {
    whenIdle: Settle;
    until?: Date;
    stop?: () => boolean;
    oneAtATime?: boolean;
  }): Promise<void> {
    const untilMs = options.until?.getTime();
    for (;;) {
      await this.advancing;
      await options.whenIdle();
      if (options.stop?.()) return;
      const next = this.timers[0];
      if (!next) return;
      if (this.waking === 0 && (untilMs === undefined || next.at > untilMs)) return;
      if (untilMs !== undefined && next.at > untilMs) {
        this.moveTo(untilMs);
        return;
      }
      if (options.oneAtATime) this.fireOne(next);
      else this.fireInstant(next.at);
    }
  }

  /**
   * Paced mode (`npm start`): virtual time runs at `speed()` times the wall clock while the system is idle and
   * stands still while it is busy (each step awaits `whenIdle`), so a handler never sees time jump under it and
   * every timer fires at its own instant. `speed()` is read at every step (0 = paused: time moves only through
   * {@link advanceTo}). Returns when `signal` aborts.
   */
  async runPaced(options: {
    speed: () => number;
    whenIdle: Settle;
    signal: AbortSignal;
    /** Real milliseconds per step. @default 25 */
    tickMs?: number;
  }): Promise<void> {
    const tickMs = options.tickMs ?? 25;
    while (!options.signal.aborted) {
      const slept = await realSleep(tickMs, options.signal);
      const speed = options.speed();
      if (!Number.isFinite(speed) || speed < 0) throw new RangeError(`VirtualClock.runPaced: bad speed ${speed}`);
      if (speed > 0 && !options.signal.aborted) {
        await this.advanceTo(new Date(this.nowMs + Math.round(slept * speed)), options.whenIdle);
      }
    }
  }

  private currentMs(): number {
    return this.nowMs;
  }

  private moveTo(ms: number): void {
    if (ms > this.nowMs) this.nowMs = ms;
  }

  /** Fires the first timer, the clock reading its instant. */
  private fireOne(timer: Timer): void {
    this.moveTo(timer.at);
    this.remove(0);
    timer.fn();
  }

  /** Takes the timer at `index` out of the queue. */
  private remove(index: number): Timer {
    const [timer] = this.timers.splice(index, 1) as [Timer];
    if (timer.wakes) this.waking -= 1;
    if (timer.background) this.background -= 1;
    return timer;
  }

  /** Fires the timers due at `atMs` that are set now, in their order, the clock reading `atMs`. */
  private fireInstant(atMs: number): void {
    this.moveTo(atMs);
    const due: Timer[] = [];
    while (this.timers[0]?.at === atMs) due.push(this.remove(0));
    for (const timer of due) timer.fn();
  }

  /** Binary search: after every timer due earlier, or at the same instant and ordered before (tie, then seq). */
  private insertionIndex(timer: Timer): number {
    let low = 0;
    let high = this.timers.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.timers[mid] as Timer;
      const before =
        other.at < timer.at ||
        (other.at === timer.at && (other.tie < timer.tie || (other.tie === timer.tie && other.seq < timer.seq)));
      if (before) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Sleeps `ms` real milliseconds (less if `signal` aborts); resolves with the milliseconds actually slept. */
function realSleep(ms: number, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  return new Promise<number>((resolve) => {
    if (signal.aborted) {
      resolve(0);
      return;
    }
    const done = (): void => {
      clearTimeout(handle);
      signal.removeEventListener('abort', done);
      resolve(performance.now() - started);
    };
    const handle = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

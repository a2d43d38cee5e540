import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks, VirtualClock } from '../../../local/stepfunctions/virtual-clock';
import { pacedSpeed } from '../../../local/system/local-control';

const T0 = new Date('2026-11-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('virtual time only moves when told to', () => {
  it('reads the start instant until advanced, and never moves backwards', async () => {
    // Prepare
    const clock = new VirtualClock(T0);

    // Act
    await clock.advanceBy(5_000);
    await clock.advanceTo(T0);

    // Assess
    expect(clock.now()).toEqual(at(5_000));
  });

  it('refuses an invalid start, target or step', async () => {
    // Act / Assess
    expect(() => new VirtualClock(new Date('nope'))).toThrow(RangeError);
    const clock = new VirtualClock(T0);
    await expect(clock.advanceBy(-1)).rejects.toThrow(RangeError);
    await expect(clock.advanceTo(new Date('nope'))).rejects.toThrow(RangeError);
    expect(() => clock.setTimer(new Date('nope'), () => {})).toThrow(RangeError);
  });
});

describe('timers fire in time order, each reading its own instant', () => {
  it('fires every timer due up to the target, ties in the order they were set, and none after it', async () => {
    // Prepare
    const clock = new VirtualClock(T0);
    const fired: [string, string][] = [];
    const record = (label: string) => () => fired.push([label, clock.now().toISOString()]);
    clock.setTimer(at(3_000), record('c'));
    clock.setTimer(at(1_000), record('a'));
    clock.setTimer(at(3_000), record('d'));
    clock.setTimer(at(2_000), record('b'));
    clock.setTimer(at(9_000), record('late'));

    // Act
    await clock.advanceTo(at(5_000));

    // Assess
    expect(fired).toEqual([
      ['a', '2026-11-01T00:00:01.000Z'],
      ['b', '2026-11-01T00:00:02.000Z'],
      ['c', '2026-11-01T00:00:03.000Z'],
      ['d', '2026-11-01T00:00:03.000Z'],
    ]);
    expect(clock.now()).toEqual(at(5_000));
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerAt()).toEqual(at(9_000));
  });

  it('holds for any set of timers (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 10 ** 9 }), { maxLength: 30 }), async (offsets) => {
        // Prepare
        const clock = new VirtualClock(T0);
        const fired: { offset: number; read: number }[] = [];
        for (const offset of offsets) {
          clock.setTimer(at(offset), () => fired.push({ offset, read: clock.now().getTime() - T0.getTime() }));
        }

        // Act
        await clock.advanceTo(at(10 ** 9));

        // Assess
        expect(fired.map((f) => f.offset)).toEqual([...offsets].sort((a, b) => a - b));
        for (const f of fired) expect(f.read).toBe(f.offset);
      }),
      { numRuns: 50 },
    );
  });

  it('lets the code a timer wakes set a new timer before the next one fires', async () => {
    // Prepare: the woken code awaits a few microtasks before setting its follow-up timer
    const clock = new VirtualClock(T0);
    const fired: string[] = [];
    clock.setTimer(at(1_000), () => {
      void (async () => {
        await Promise.resolve();
        await Promise.resolve();
        clock.setTimer(at(1_500), () => fired.push('follow-up'));
      })();
      fired.push('first');
    });
    clock.setTimer(at(2_000), () => fired.push('second'));

    // Act
    await clock.advanceTo(at(3_000));

    // Assess
    expect(fired).toEqual(['first', 'follow-up', 'second']);
  });

  it('does not fire a cancelled timer', async () => {
    // Prepare
    const clock = new VirtualClock(T0);
    let fired = false;
    const cancel = clock.setTimer(at(1_000), () => {
      fired = true;
    });

    // Act
    cancel();
    await clock.advanceBy(2_000);

    // Assess
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('sleepUntil', () => {
  it('resolves when the clock reaches the instant', async () => {
    // Prepare
    const clock = new VirtualClock(T0);
    let wokeAt: Date | undefined;
    const sleeping = clock.sleepUntil(at(60_000)).then(() => {
      wokeAt = clock.now();
    });

    // Act
    await clock.advanceBy(30_000);
    const beforeDue = wokeAt;
    await clock.advanceBy(60_000);
    await sleeping;

    // Assess
    expect(beforeDue).toBeUndefined();
    expect(wokeAt).toEqual(at(60_000));
  });

  it('rejects with the abort reason and cancels its timer when the signal aborts', async () => {
    // Prepare
    const clock = new VirtualClock(T0);
    const controller = new AbortController();
    const sleeping = clock.sleepUntil(at(60_000), controller.signal);

    // Act
    controller.abort(new Error('payment arrived'));

    // Assess
    await expect(sleeping).rejects.toThrow('payment arrived');
    expect(clock.pendingTimers).toBe(0);
    await expect(clock.sleepUntil(at(1), controller.signal)).rejects.toThrow('payment arrived');
  });
});

describe('fast mode jumps to the next timer only when the system is idle', () => {
  it('waits for idle before each timer, so work started by one timer finishes before time moves', async () => {
    // Prepare: each timer starts 5 ms of real work that then sets the next timer a virtual day later
    const clock = new VirtualClock(T0);
    let busy = 0;
    const log: string[] = [];
    const whenIdle = async () => {
      while (busy > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    const step = (n: number) => () => {
      busy += 1;
      setTimeout(() => {
        log.push(`step ${n} done at ${clock.now().toISOString()}`);
        if (n < 3) clock.setTimer(new Date(clock.now().getTime() + 86_400_000), step(n + 1));
        busy -= 1;
      }, 5);
    };
    clock.setTimer(at(0), step(1));

    // Act
    await clock.runFast({ whenIdle });

    // Assess
    expect(log).toEqual([
      'step 1 done at 2026-11-01T00:00:00.000Z',
      'step 2 done at 2026-11-02T00:00:00.000Z',
      'step 3 done at 2026-11-03T00:00:00.000Z',
    ]);
  });

  it('stops before a timer after `until` (the clock then reads `until`) or when told to', async () => {
    // Prepare
    const clock = new VirtualClock(T0);
    const fired: number[] = [];
    for (const day of [1, 2, 3, 4]) clock.setTimer(at(day * 86_400_000), () => fired.push(day));
    const whenIdle = () => Promise.resolve();

    // Act
    await clock.runFast({ whenIdle, until: at(2.5 * 86_400_000) });
    const untilStop = [...fired];
    await clock.runFast({ whenIdle, stop: () => fired.length >= 3 });

    // Assess
    expect(untilStop).toEqual([1, 2]);
    expect(fired).toEqual([1, 2, 3]);
    expect(clock.now()).toEqual(at(3 * 86_400_000));
  });
});

describe('paced mode runs virtual time at a speed factor while the system is idle', () => {
  it('fires timers on its own, about `speed` times faster than the wall clock, and stops when aborted', async () => {
    // Prepare: one virtual day per real 10 ms
    const clock = new VirtualClock(T0);
    const fired: string[] = [];
    for (const day of [1, 2, 3]) clock.setTimer(at(day * 86_400_000), () => fired.push(clock.now().toISOString()));
    const controller = new AbortController();
    const realStart = performance.now();

    // Act
    const pacing = clock.runPaced({
      speed: () => 86_400_000 / 10,
      whenIdle: flushMicrotasks,
      signal: controller.signal,
    });
    await clock.sleepUntil(at(3 * 86_400_000));
    const realElapsed = performance.now() - realStart;
    controller.abort();
    await pacing;
    const stoppedAt = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 30));

    // Assess: each timer fired reading its own instant; time stands still once aborted
    expect(fired).toEqual(['2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z', '2026-11-04T00:00:00.000Z']);
    expect(realElapsed).toBeGreaterThanOrEqual(25);
    expect(realElapsed).toBeLessThan(1_000);
    expect(clock.now()).toEqual(stoppedAt);
  });

  it('stands still while nothing waits on it (npm start before the first invoice), and runs once a walk sets a timer', async () => {
    // Prepare: npm start's pace, one virtual day per real 10 ms, and no timer yet
    const clock = new VirtualClock(T0);
    const pace = { speed: 86_400_000 / 10 };
    const controller = new AbortController();
    const pacing = clock.runPaced({
      speed: () => pacedSpeed(pace, clock.pendingTimers),
      whenIdle: flushMicrotasks,
      signal: controller.signal,
      tickMs: 5,
    });

    // Act: 40 real ms with nothing waiting, then a walk's timer 2 virtual days ahead
    await new Promise((resolve) => setTimeout(resolve, 40));
    const beforeWork = clock.now();
    const fired: string[] = [];
    clock.setTimer(at(2 * 86_400_000), () => fired.push(clock.now().toISOString()));
    await clock.sleepUntil(at(2 * 86_400_000));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const afterWork = clock.now();
    controller.abort();
    await pacing;

    // Assess: no time passed before the timer; once it fired and nothing waits again, the clock stopped
    expect(beforeWork).toEqual(T0);
    expect(fired).toEqual(['2026-11-03T00:00:00.000Z']);
    expect(afterWork.getTime() - at(2 * 86_400_000).getTime()).toBeLessThanOrEqual(2 * 86_400_000);
    expect(pacedSpeed({ speed: 3600 }, 0)).toBe(0);
    expect(pacedSpeed({ speed: 3600 }, 4)).toBe(3600);
  });

  it('stands still while the system is busy, and while the speed is 0', async () => {
    // Prepare: the system is busy for 60 real ms; then the speed drops to 0
    const clock = new VirtualClock(T0);
    let busyUntil = performance.now() + 60;
    let speed = 86_400_000;
    const whenIdle = async () => {
      while (performance.now() < busyUntil) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const controller = new AbortController();
    const pacing = clock.runPaced({ speed: () => speed, whenIdle, signal: controller.signal, tickMs: 10 });

    // Act
    await new Promise((resolve) => setTimeout(resolve, 40));
    const whileBusy = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 80));
    const afterBusy = clock.now();
    speed = 0;
    await new Promise((resolve) => setTimeout(resolve, 30));
    const paused = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    await pacing;
    busyUntil = 0;

    // Assess: at most one step (10 real ms = 10 virtual days) before the busy wait took hold
    expect(whileBusy.getTime() - T0.getTime()).toBeLessThanOrEqual(20 * 86_400_000);
    expect(afterBusy.getTime()).toBeGreaterThan(whileBusy.getTime());
    expect(clock.now()).toEqual(paused);
  });

  it('refuses a negative speed', async () => {
    // Prepare
    const clock = new VirtualClock(T0);

    // Act / Assess
    await expect(
      clock.runPaced({ speed: () => -1, whenIdle: flushMicrotasks, signal: new AbortController().signal, tickMs: 1 }),
    ).rejects.toThrow(RangeError);
  });
});

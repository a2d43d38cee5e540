import type { VirtualClock } from '../stepfunctions/virtual-clock';

/**
 * The reconciler's two EventBridge schedules (lib/constructs/walk-reconciler.ts) on the virtual clock: every whole hour
 * `{ "mode": "executions" }` (failed and timed-out executions), at 03:00 UTC `{ "mode": "full" }` (also the look over
 * every open invoice). The ticks are background timers: they run when the clock passes them, but never move a fast
 * run forward nor keep a paced clock going by themselves — a quiet system stays quiet, a simulation still ends.
 */

const HOUR_MS = 3_600_000;
/** The hour (UTC) of the daily full run, as the stack's cron says. */
export const FULL_RUN_HOUR_UTC = 3;

/** Arms the hourly tick after `clock`'s now; `run` gets each tick's mode. Returns a function that stops it. */
export function scheduleReconciler(clock: VirtualClock, run: (mode: 'executions' | 'full') => void): () => void {
  let cancel: () => void = () => {};
  let stopped = false;
  const arm = () => {
    const next = (Math.floor(clock.now().getTime() / HOUR_MS) + 1) * HOUR_MS;
    cancel = clock.setTimer(
      new Date(next),
      () => {
        if (stopped) return;
        run(new Date(next).getUTCHours() === FULL_RUN_HOUR_UTC ? 'full' : 'executions');
        arm();
      },
      'reconciler',
      { background: true },
    );
  };
  arm();
  return () => {
    stopped = true;
    cancel();
  };
}

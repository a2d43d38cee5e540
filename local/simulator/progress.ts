import type { LocalSystem } from '../system/system';
import { PROGRESS_PREFIX, type WorkerProgress } from './shards';
import type { SimulationIo, SimulationOptions } from './simulation-options';

/**
 * A simulation's progress on standard error every `progressSeconds` (the first after that long, so short runs print
 * none): readable lines for a person, or `@@progress {json}` lines for the parent process of a worker.
 */

/** Progress of a simulation in this process, read from its local system. */
export function startProgress(
  system: LocalSystem,
  total: number,
  io: SimulationIo,
  options: SimulationOptions,
): { stop(): void } {
  const seconds = options.progressSeconds ?? 2;
  if (seconds <= 0) return { stop: () => {} };
  const began = performance.now();
  const timer = setInterval(() => {
    const registered = system.runtime.listExecutions().length;
    const progress = {
      virtual: system.clock.now().toISOString(),
      registered,
      ended: registered - system.runtime.running,
    };
    reportProgress(io, options, progress, total, began, 1);
  }, seconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Progress of a simulation spread over workers: the latest of each summed up (the earliest virtual instant). */
export function startWorkersProgress(
  latest: ReadonlyMap<number, WorkerProgress>,
  total: number,
  workers: number,
  io: SimulationIo,
  options: SimulationOptions,
): { stop(): void } {
  const began = performance.now();
  const seconds = options.progressSeconds ?? 2;
  const timer =
    seconds > 0
      ? setInterval(() => {
          const all = [...latest.values()];
          if (all.length === 0) return;
          const virtual = all.map((p) => p.virtual).sort()[0] ?? '';
          const registered = all.reduce((n, p) => n + p.registered, 0);
          const ended = all.reduce((n, p) => n + p.ended, 0);
          reportProgress(io, options, { virtual, registered, ended }, total, began, workers);
        }, seconds * 1000)
      : undefined;
  timer?.unref();
  return {
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}

function reportProgress(
  io: SimulationIo,
  options: SimulationOptions,
  progress: WorkerProgress,
  total: number,
  began: number,
  workers: number,
): void {
  if (options.progress === 'json') {
    io.err(`${PROGRESS_PREFIX}${JSON.stringify(progress)}\n`);
    return;
  }
  const elapsed = Math.round((performance.now() - began) / 1000);
  io.err(
    `[simulate] virtual ${progress.virtual.slice(0, 16)}Z · ${progress.registered}/${total} registered · ` +
      `${progress.ended}/${total} walks ended · ${elapsed}s${workers > 1 ? ` · ${workers} workers` : ''}\n`,
  );
}

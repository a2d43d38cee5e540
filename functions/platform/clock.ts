/** Source of "now" for handlers. Production uses the system clock; the local runtime installs its virtual clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

let installed: Clock = systemClock;

/** The clock handlers must use instead of `new Date()`. */
export function now(): Date {
  return installed.now();
}

/** Installs another clock (local runtime, tests). Returns a function that restores the previous one. */
export function installClock(clock: Clock): () => void {
  const previous = installed;
  installed = clock;
  return () => {
    installed = previous;
  };
}

import type { Retrier } from './virtual-timers';

/**
 * Mirrors aws-local-stepfunctions' retry decision for one execution, so the backoff the library would sleep in
 * real time (the runtime overrides it to 0 ms) is waited on the virtual clock instead, before the retried attempt.
 *
 * The decision follows the library exactly: the first retrier whose ErrorEquals matches the error's name
 * (`States.ALL` and — as the library has it — `States.TaskFailed` match any error the runtime raises, the local
 * `States.Timeout` included) decides; it retries while its attempt
 * count is below MaxAttempts (default 3), after IntervalSeconds (default 1) × BackoffRate (default 2)^attempts,
 * capped by MaxDelaySeconds, drawn uniformly in [0, delay] with JitterStrategy FULL.
 */
export class RetryBackoff {
  private readonly attempts = new Map<string, number[]>();
  private readonly pendingDelayMs = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  /**
   * Records a failed attempt of `stateName`. Returns the delay (ms) before the retry the engine will make, or
   * undefined when it will not retry (the state's next entry then starts with fresh counts).
   */
  failed(stateName: string, retriers: readonly Retrier[], errorName: string, retryable = true): number | undefined {
    const counts = this.attempts.get(stateName) ?? retriers.map(() => 0);
    const index = retryable ? retriers.findIndex((retrier) => matches(retrier, errorName)) : -1;
    const retrier = retriers[index];
    const attempts = counts[index] ?? 0;
    if (!retrier || attempts >= (retrier.MaxAttempts ?? 3)) {
      this.reset(stateName);
      return undefined;
    }
    const interval = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempts;
    const capped = retrier.MaxDelaySeconds ? Math.min(interval, retrier.MaxDelaySeconds) : interval;
    let delayMs = Math.max(0, capped) * 1000;
    if (retrier.JitterStrategy === 'FULL') delayMs = Math.floor(this.random() * (delayMs + 1));
    counts[index] = attempts + 1;
    this.attempts.set(stateName, counts);
    this.pendingDelayMs.set(stateName, delayMs);
    return delayMs;
  }

  /** Records a successful attempt: the state's next entry starts with fresh counts. */
  succeeded(stateName: string): void {
    this.reset(stateName);
  }

  /** The delay (ms) to wait before the attempt about to start (0 for a first attempt); consumes it. */
  takeDelay(stateName: string): number {
    const delay = this.pendingDelayMs.get(stateName) ?? 0;
    this.pendingDelayMs.delete(stateName);
    return delay;
  }

  private reset(stateName: string): void {
    this.attempts.delete(stateName);
    this.pendingDelayMs.delete(stateName);
  }
}

function matches(retrier: Retrier, errorName: string): boolean {
  return retrier.ErrorEquals.some(
    (name) => name === errorName || name === 'States.ALL' || name === 'States.TaskFailed',
  );
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StepResult } from '../../../functions/contracts/step-result';
import {
  CONTINUE_MARGIN_SECONDS,
  EXECUTION_LIFE_SECONDS,
  EXECUTION_MAX_SECONDS,
  secondsLeftToWait,
  withinExecutionLife,
} from '../../../functions/executions/execution-life';

// Every wait stays inside a Standard execution's year (functions/executions/execution-life.ts): AWS ends an execution
// TIMED_OUT after 365 days, whatever it is doing, with no Catch — the walk would stop silently.

const STARTED = '2026-01-10T12:00:00.000Z';
const DAY = 86_400;
const at = (days: number) => new Date(Date.parse(STARTED) + days * DAY * 1000);
const result = (outcome: StepResult['outcome'], seconds: number): StepResult => ({
  outcome,
  stageId: 'D+400',
  seconds,
  until: '2027-03-01T12:00:00.000Z',
  reason: '',
});

describe("keeping every wait inside the execution's year", () => {
  it('leaves a week before the limit for retries and deferrals', () => {
    expect(EXECUTION_MAX_SECONDS).toBe(365 * DAY);
    expect(EXECUTION_LIFE_SECONDS + CONTINUE_MARGIN_SECONDS).toBe(EXECUTION_MAX_SECONDS);
    expect(secondsLeftToWait(STARTED, at(0))).toBe(358 * DAY);
    expect(secondsLeftToWait(STARTED, at(358))).toBe(0);
    expect(() => secondsLeftToWait('yesterday', at(0))).toThrow(/startedAt/);
  });

  it('passes a wait that fits, and any result without a start or that waits for nothing', () => {
    expect(withinExecutionLife(result('wait', 30 * DAY), STARTED, at(10))).toEqual(result('wait', 30 * DAY));
    expect(withinExecutionLife(result('wait', 900 * DAY), undefined, at(10))).toEqual(result('wait', 900 * DAY));
    for (const outcome of ['sent', 'skipped', 'superseded'] as const) {
      expect(withinExecutionLife(result(outcome, 30 * DAY), STARTED, at(10))).toEqual(result(outcome, 30 * DAY));
    }
    for (const outcome of ['paid', 'closed', 'completed', 'changed'] as const) {
      expect(withinExecutionLife(result(outcome, 1), STARTED, at(364))).toEqual(result(outcome, 1));
    }
    // the last stage sent, skipped or superseded: nothing is waited for next
    for (const outcome of ['sent', 'skipped', 'superseded'] as const) {
      const last = { ...result(outcome, 1), stageId: '', until: '' };
      expect(withinExecutionLife(last, STARTED, at(364))).toEqual(last);
    }
  });

  it('turns a stage wait or a deferral past the year into a wait until the year ends, then a new execution', () => {
    expect(withinExecutionLife(result('wait', 400 * DAY), STARTED, at(10))).toEqual({
      ...result('wait', 400 * DAY),
      outcome: 'wait-then-continue',
      seconds: 348 * DAY,
      // the wait ends (its schedule fires) at the year's end, not at the stage's instant
      until: at(358).toISOString(),
      reason: 'execution-year',
    });
    expect(withinExecutionLife(result('deferred', 9 * DAY), STARTED, at(355))).toMatchObject({
      outcome: 'wait-then-continue',
      seconds: 3 * DAY,
      until: at(358).toISOString(),
    });
  });

  it("turns the next stage's wait past the year, after a stage was sent, skipped or superseded, into a wait until the year ends", () => {
    // a rule may space its stages 455 days apart (offsets -90 to +365): the wait after a stage can outlive the year
    for (const outcome of ['sent', 'skipped', 'superseded'] as const) {
      expect(withinExecutionLife(result(outcome, 300 * DAY), STARTED, at(100))).toEqual({
        ...result(outcome, 300 * DAY),
        outcome: 'wait-then-continue',
        seconds: 258 * DAY,
        until: at(358).toISOString(),
        reason: 'execution-year',
      });
    }
  });

  it('ends a hold or a promise at the year at the latest (they plan again then)', () => {
    expect(withinExecutionLife(result('held', 1), STARTED, at(100))).toEqual(result('held', 258 * DAY));
    expect(withinExecutionLife(result('promised', 5 * DAY), STARTED, at(100))).toEqual(result('promised', 5 * DAY));
    expect(withinExecutionLife(result('promised', 395 * DAY), STARTED, at(100))).toEqual({
      ...result('promised', 258 * DAY),
      until: at(358).toISOString(),
    });
  });

  it('continues at once when no time is left', () => {
    for (const outcome of ['wait', 'deferred', 'held', 'promised'] as const) {
      expect(withinExecutionLife(result(outcome, 60), STARTED, at(358))).toMatchObject({
        outcome: 'continue',
        stageId: 'D+400',
        reason: 'execution-year',
      });
    }
  });

  it('never plans a wait that ends after the limit, for any start, instant and wait (property)', () => {
    const outcomes = fc.constantFrom('wait', 'deferred', 'held', 'promised', 'sent', 'skipped', 'paid') as fc.Arbitrary<
      StepResult['outcome']
    >;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 * DAY }),
        fc.integer({ min: 1, max: 10 * 365 * DAY }),
        outcomes,
        (elapsed, seconds, outcome) => {
          const now = new Date(Date.parse(STARTED) + elapsed * 1000);
          const kept = withinExecutionLife(result(outcome, seconds), STARTED, now);
          expect(kept.seconds).toBeGreaterThanOrEqual(1);
          const waits = ['wait', 'deferred', 'held', 'promised', 'wait-then-continue', 'sent', 'skipped'].includes(
            kept.outcome,
          );
          if (waits)
            expect(elapsed + kept.seconds).toBeLessThanOrEqual(EXECUTION_MAX_SECONDS - CONTINUE_MARGIN_SECONDS);
          // a wait that fits is never cut short
          if (
            ['wait', 'deferred', 'promised', 'sent', 'skipped'].includes(outcome) &&
            elapsed + seconds <= EXECUTION_LIFE_SECONDS
          ) {
            expect(kept).toEqual(result(outcome, seconds));
          }
        },
      ),
    );
  });
});

import { minutesOf } from '../calendar/business-hours';
import { isValidTimeZone } from '../calendar/time-zone';
import { atTimeOfDay, plusDays, startOfDate } from '../calendar/zoned-time';
import type { BillingRule, Stage } from './billing-rule';

/**
 * Instant at which a stage is due: the local date `dueDate + offsetDays`, at `stage.at`, wall clock in `timezone`.
 * A time inside a DST gap is shifted forward by the gap (02:30 on a 02:00→03:00 day is 03:30); a time in a fall-back
 * overlap is its earlier occurrence.
 * @throws Error on a malformed due date or an invalid time zone.
 */
export function stageDueInstant(dueDate: string, stage: Pick<Stage, 'offsetDays' | 'at'>, timezone: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dueDate)) throw new Error(`Invalid due date "${dueDate}": expected YYYY-MM-DD`);
  const due = startOfDate(dueDate, timezone);
  if (!due) {
    const why = isValidTimeZone(timezone) ? 'not a real date' : `the zone "${timezone}" is not supported`;
    throw new Error(`Invalid due date "${dueDate}" or time zone "${timezone}": ${why}`);
  }
  return new Date(atTimeOfDay(plusDays(due, stage.offsetDays), minutesOf(stage.at)).ms);
}

/** The debtor's time zone when it is a valid IANA zone, else the rule's. */
export function debtorTimezone(
  rule: Pick<BillingRule, 'timezone'>,
  customer: { timezone?: string | undefined },
): string {
  return customer.timezone && isValidTimeZone(customer.timezone) ? customer.timezone : rule.timezone;
}

export interface StagePlan {
  readonly stageIndex: number;
  readonly stageId: string;
  readonly dueAt: Date;
  /** Stages already due that are skipped because a later one is due too. */
  readonly superseded: { stageId: string; dueAt: Date }[];
}

/**
 * Which stage to act on next at `now`, from stage index `fromIndex` (0 on registration). Among the stages from
 * `fromIndex` whose due instant has passed, only the latest is performed; the earlier ones are superseded
 * (docs/formats.md). When none has passed, the plan is `stages[fromIndex]`. Null when no stage is left.
 */
export function planStage(
  rule: BillingRule,
  dueDate: string,
  timezone: string,
  now: Date,
  fromIndex = 0,
): StagePlan | null {
  const first = rule.stages[fromIndex];
  if (!first) return null;
  const due = rule.stages.slice(fromIndex).map((stage, i) => ({
    stageIndex: fromIndex + i,
    stageId: stage.id,
    dueAt: stageDueInstant(dueDate, stage, timezone),
  }));
  const passed = due.filter((d) => d.dueAt.getTime() <= now.getTime());
  const chosen = passed.at(-1) ?? due[0];
  if (!chosen) return null;
  return {
    ...chosen,
    superseded: passed.slice(0, -1).map(({ stageId, dueAt }) => ({ stageId, dueAt })),
  };
}

/** Whole seconds from `now` until `at`, at least 1 (Step Functions timeouts are >= 1 s). */
export function secondsUntil(now: Date, at: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
}

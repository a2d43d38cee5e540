import type { BillingRule } from './billing-rule';
import { closedReason, nextOpenInstant, type OpeningCalendar } from './calendar';

export type DeferReason = 'holiday' | 'outside-business-hours' | 'frequency-cap' | 'min-gap';

export interface Debtor {
  readonly timezone?: string | undefined;
  readonly country?: string | undefined;
  readonly region?: string | undefined;
}

export interface ContactDecisionInput {
  readonly now: Date;
  readonly rule: BillingRule;
  /** The debtor's time zone (already resolved: debtor's or the rule's). */
  readonly debtor: Debtor;
  /** Instants of earlier contacts with this customer (stages in which a message was sent), any invoice. */
  readonly history: readonly Date[];
}

export type ContactDecision = { allowed: true } | { allowed: false; nextAllowedAt: Date; reason: DeferReason };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The calendar that governs contact with a debtor: the debtor's zone (else the rule's), the rule's holidays. */
export function calendarFor(rule: BillingRule, debtor: Debtor): OpeningCalendar {
  return {
    timezone: debtor.timezone ?? rule.timezone,
    businessHours: rule.businessHours,
    country: rule.country,
    ...(rule.region ? { region: rule.region } : {}),
    ...(rule.extraHolidays ? { extraHolidays: rule.extraHolidays } : {}),
  };
}

/**
 * The earliest instant >= t that keeps the frequency caps: fewer than `maxContacts` contacts in the rolling window
 * (t - windowDays, t] and the last contact at least `minHoursBetween` before t. Returns t when already fine.
 */
function capsAllowFrom(t: number, rule: BillingRule, history: readonly number[]): { at: number; reason?: DeferReason } {
  const policy = rule.contactPolicy;
  if (!policy) return { at: t };
  const past = history.filter((h) => h <= t).sort((a, b) => a - b);
  const last = past.at(-1);
  const gapMs = policy.minHoursBetween * HOUR;
  if (last !== undefined && t - last < gapMs) return { at: last + gapMs, reason: 'min-gap' };
  const windowMs = policy.windowDays * DAY;
  const inWindow = past.filter((h) => h > t - windowMs);
  if (inWindow.length >= policy.maxContacts) {
    // The window frees up when the oldest contact that keeps it full leaves it.
    const leaving = inWindow[inWindow.length - policy.maxContacts] as number;
    return { at: leaving + windowMs, reason: 'frequency-cap' };
  }
  return { at: t };
}

/**
 * The contact policy (DESIGN §6/§8), a pure function: may we contact this debtor now? If not, the earliest instant
 * after now that is open in the debtor's calendar and keeps the caps, with the first reason that applies now
 * (holiday, then outside-business-hours, then frequency-cap, then min-gap).
 */
export function evaluateContact(input: ContactDecisionInput): ContactDecision {
  const { now, rule, history } = input;
  const cal = calendarFor(rule, input.debtor);
  const times = history.map((h) => h.getTime());
  const closed = closedReason(now, cal);
  const caps = capsAllowFrom(now.getTime(), rule, times);
  if (!closed && caps.at === now.getTime()) return { allowed: true };

  let t = now.getTime();
  for (let i = 0; i < 1000; i++) {
    const open = nextOpenInstant(new Date(t), cal).getTime();
    const capped = capsAllowFrom(open, rule, times).at;
    if (capped === open) {
      const reason: DeferReason = closed ?? caps.reason ?? 'frequency-cap';
      return { allowed: false, nextAllowedAt: new Date(open), reason };
    }
    t = capped;
  }
  throw new Error('Contact policy could not find an allowed instant (rule too strict?)');
}

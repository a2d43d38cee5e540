import type { BillingRule } from './billing-rule';
import { closedReason, nextOpenInstant, type OpeningCalendar } from './calendar';
import { debtorTimezone } from './schedule';

/** Why a contact is deferred; the order is the order of precedence when several apply. */
export type DeferReason = 'holiday' | 'outside-business-hours' | 'frequency-cap' | 'min-gap';

/** What the policy knows of the debtor (the customer). */
export interface Debtor {
  /** IANA zone; when missing or invalid, the rule's zone applies. */
  readonly timezone?: string | undefined;
  readonly country?: string | undefined;
  readonly region?: string | undefined;
}

export interface ContactDecisionInput {
  readonly now: Date;
  readonly rule: BillingRule;
  readonly debtor: Debtor;
  /** Instants of earlier *contacts* with this customer (stages in which at least one message was sent), any invoice. */
  readonly history: readonly Date[];
}

export type ContactDecision = { allowed: true } | { allowed: false; nextAllowedAt: Date; reason: DeferReason };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The calendar that governs contact with a debtor: the debtor's time zone (else the rule's), the rule's business
 * hours, the public holidays of the rule's country/region and the rule's extra holidays.
 */
export function calendarFor(rule: BillingRule, debtor: Debtor): OpeningCalendar {
  return {
    timezone: debtorTimezone(rule, debtor),
    businessHours: rule.businessHours,
    country: rule.country,
    region: rule.region,
    extraHolidays: rule.extraHolidays,
  };
}

/** A constraint on the contact instant: at `t`, either fine (undefined) or the earliest instant > t that may be fine. */
interface Constraint {
  readonly reason: DeferReason;
  /** Undefined when `t` satisfies it, else a lower bound (> t) of the instants that do. */
  readonly notBefore: (t: number) => number | undefined;
}

/** Contacts per rolling window: fewer than `maxContacts` in (t - windowDays, t]. */
function frequencyCap(maxContacts: number, windowDays: number, history: readonly number[]): Constraint {
  const windowMs = windowDays * DAY;
  return {
    reason: 'frequency-cap',
    notBefore: (t) => {
      const inWindow = history.filter((h) => h <= t && h > t - windowMs);
      if (inWindow.length < maxContacts) return undefined;
      // The window has room again once the oldest of the latest `maxContacts` contacts leaves it.
      return (inWindow[inWindow.length - maxContacts] as number) + windowMs;
    },
  };
}

/** A minimum gap after the last contact: t - last >= minHoursBetween. */
function minimumGap(minHoursBetween: number, history: readonly number[]): Constraint {
  const gapMs = Math.ceil(minHoursBetween * HOUR); // instants are whole milliseconds
  return {
    reason: 'min-gap',
    notBefore: (t) => {
      const last = history.filter((h) => h <= t).at(-1);
      return last !== undefined && t - last < gapMs ? last + gapMs : undefined;
    },
  };
}

/** The frequency constraints of a rule, in order of precedence (none without a contactPolicy). */
function frequencyConstraints(rule: BillingRule, history: readonly Date[]): Constraint[] {
  const policy = rule.contactPolicy;
  if (!policy) return [];
  const times = history.map((h) => h.getTime()).sort((a, b) => a - b);
  return [frequencyCap(policy.maxContacts, policy.windowDays, times), minimumGap(policy.minHoursBetween, times)];
}

/**
 * The contact policy (DESIGN §6, §8), a pure function: may this debtor be contacted at `now`?
 * Allowed iff `now` is open in the debtor's calendar (business hours in the debtor's zone, not a holiday), fewer than
 * `maxContacts` contacts fall in the rolling window (now - windowDays, now], and the last contact is at least
 * `minHoursBetween` hours before now. Otherwise returns the earliest instant after now that satisfies all of them,
 * with the first reason violated at `now`: holiday, outside-business-hours, frequency-cap, min-gap.
 */
export function evaluateContact(input: ContactDecisionInput): ContactDecision {
  const { now, rule } = input;
  const cal = calendarFor(rule, input.debtor);
  const constraints = frequencyConstraints(rule, input.history);
  const reason = closedReason(now, cal) ?? constraints.find((c) => c.notBefore(now.getTime()) !== undefined)?.reason;
  if (reason === undefined) return { allowed: true };
  return { allowed: false, nextAllowedAt: earliestAllowed(now, cal, constraints), reason };
}

/**
 * The earliest instant >= `from` that is open and satisfies every constraint: alternately move to the next open
 * instant and past the first violated constraint until both hold. Each step only skips instants that break a
 * constraint, so the fixed point is the earliest.
 */
function earliestAllowed(from: Date, cal: OpeningCalendar, constraints: readonly Constraint[]): Date {
  let t = from;
  for (let step = 0; step < 10_000; step++) {
    const open = nextOpenInstant(t, cal);
    const pushed = constraints.map((c) => c.notBefore(open.getTime())).find((ms) => ms !== undefined);
    if (pushed === undefined) return open;
    t = new Date(pushed);
  }
  throw new Error(`Contact policy found no allowed instant after ${from.toISOString()} (is the rule too strict?)`);
}

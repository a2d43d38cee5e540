import type { BusinessHours } from '../calendar/business-hours';
import { closedReason, nextOpenInstant, type OpeningCalendar } from '../calendar/calendar';
import { knownHolidayArea } from '../calendar/holiday-data';
import { type BillingRule, contactHours, type MessageChannel } from '../rules/billing-rule';
import { debtorTimezone } from '../rules/schedule';

/*
 * The contact policy: may this debtor be contacted now (docs/architecture.md "Contact policy")? Pure. Business
 * hours (each channel's), public holidays (the rule's and the debtor's) and the frequency cap are all decided here,
 * in {@link evaluateContact}; nothing else in the code decides them.
 *
 * The frequency cap — at most `maxContacts` contacts in any rolling `windowDays`, and at least `minHoursBetween`
 * hours after the last one ({@link frequencyCap}, {@link minimumGap}) — takes its data from:
 * - the limits: the billing rule's `contactPolicy` (functions/rules/schema/contact-policy.ts; no policy, no cap),
 *   bounded by law under a preset (functions/rules/presets.ts, `maxContactsIn7Days`);
 * - the contacts it counts (`history`): the customer's `recentContacts` (functions/invoices/invoice.ts), one entry per
 *   stage of any of the customer's invoices in which a message went out, a consolidated message being one entry
 *   that `covers` the other invoices' stages (./consolidation.ts). The send step reads them from the customer record
 *   and keeps them: it takes its entry (the contact slot) with a write conditional on `contactsVersion` before its
 *   messages go out, gives it back when none went out, and narrows its `covers` (./send/contact-slot.ts).
 */

/** Why a contact is deferred; the order is the order of precedence when several apply. */
export type DeferReason = 'holiday' | 'outside-business-hours' | 'frequency-cap' | 'min-gap';

/** What the policy knows of the debtor (the customer). */
export interface Debtor {
  /** IANA zone; when missing or invalid, the rule's zone applies. */
  readonly timezone?: string | undefined;
  /** ISO 3166-1 alpha-2; the public holidays of the debtor's country (and region) are closed too. */
  readonly country?: string | undefined;
  readonly region?: string | undefined;
}

export interface ContactDecisionInput {
  readonly now: Date;
  readonly rule: BillingRule;
  readonly debtor: Debtor;
  /** Instants of earlier *contacts* with this customer (stages in which at least one message was sent), any invoice. */
  readonly history: readonly Date[];
  /**
   * The message channels about to be sent together (a stage's actions): contact must be open for every one of them,
   * each by its `channelHours` entry, else `businessHours`. Default (none given): `businessHours`.
   */
  readonly channels?: readonly MessageChannel[] | undefined;
}

export type ContactDecision = { allowed: true } | { allowed: false; nextAllowedAt: Date; reason: DeferReason };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Contact hours per rule and channel set, so that the calendar's per-hours caches keep hitting. */
const hoursByRule = new WeakMap<BillingRule, Map<string, BusinessHours>>();

function memoizedContactHours(rule: BillingRule, channels: readonly MessageChannel[]): BusinessHours {
  if (channels.length === 0) return rule.businessHours;
  let byChannels = hoursByRule.get(rule);
  if (!byChannels) {
    byChannels = new Map();
    hoursByRule.set(rule, byChannels);
  }
  const key = [...new Set(channels)].sort().join('+');
  let hours = byChannels.get(key);
  if (!hours) {
    hours = contactHours(rule, channels);
    byChannels.set(key, hours);
  }
  return hours;
}

/**
 * The calendar that governs contact with a debtor: the debtor's time zone (else the rule's); the hours open for
 * every channel being sent (each channel's `channelHours`, else `businessHours`; no channels: `businessHours`);
 * closed on the public holidays of the rule's country/region, of the debtor's own country/region (when the
 * holiday data knows it), and on the rule's extra holidays.
 */
export function calendarFor(
  rule: BillingRule,
  debtor: Debtor,
  channels: readonly MessageChannel[] = [],
): OpeningCalendar {
  const debtorArea = knownHolidayArea(debtor.country, debtor.region);
  const sameAsRule = debtorArea?.country === rule.country && debtorArea.region === rule.region;
  return {
    timezone: debtorTimezone(rule, debtor),
    businessHours: memoizedContactHours(rule, channels),
    country: rule.country,
    region: rule.region,
    extraHolidays: rule.extraHolidays,
    ...(debtorArea && !sameAsRule ? { moreHolidayAreas: [debtorArea] } : {}),
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
 * The contact policy (docs/architecture.md "Contact policy", docs/formats.md), a pure function: may this debtor be contacted at `now`?
 * Allowed iff `now` is open in the debtor's calendar ({@link calendarFor}: the hours of every channel being sent, in
 * the debtor's zone; not a holiday of the rule's or the debtor's country/region nor an extra holiday), fewer than
 * `maxContacts` contacts fall in the rolling window (now - windowDays, now], and the last contact is at least
 * `minHoursBetween` hours before now. Otherwise returns the earliest instant after now that satisfies all of them,
 * with the first reason violated at `now`: holiday, outside-business-hours, frequency-cap, min-gap.
 */
export function evaluateContact(input: ContactDecisionInput): ContactDecision {
  const { now, rule } = input;
  const cal = calendarFor(rule, input.debtor, input.channels);
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

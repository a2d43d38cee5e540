import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { knownHolidayArea } from '../../functions/calendar/holiday-data';
import type { InvoiceRegistration } from '../../functions/invoices/invoice';
import type { BillingRule } from '../../functions/rules/billing-rule';
import { CONSOLIDATED_REASON, type TimelineEvent } from './timeline';

/**
 * An independent check of a dunning timeline against the law as the billing rule states it (docs/architecture.md "Contact policy", docs/formats.md): it does
 * not use the contact policy's code, only the rule, luxon and date-holidays (and the normalisation of a country /
 * region code to what date-holidays knows), so a bug in the policy shows up here instead of agreeing with itself.
 * Holidays are date-holidays' `public` ones and the rule's `extraHolidays`: a holiday the product adds on top of the
 * data (e.g. BR 20 Nov) is not required here.
 */

export const VIOLATION_KINDS = [
  'outside-business-hours',
  'holiday',
  'frequency-cap',
  'min-gap',
  'opted-out',
  'after-payment',
  'duplicate',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

export interface Violation {
  readonly kind: ViolationKind;
  readonly event: TimelineEvent;
  readonly detail: string;
}

/** Opt-outs known to the check (the simulator's `optout` events): no message on `channel` after `at`. */
export interface OptOut {
  readonly at: string;
  readonly customerId: string;
  readonly channel: string;
}

export interface TimelineCheckInput {
  /** The rule every invoice walks — or, with a rule file's segments, the default one (see `ruleOf`). */
  readonly rule: BillingRule;
  /** With segments: the rule an invoice walks (its hours, holidays and caps are checked against it). */
  readonly ruleOf?: (invoiceId: string) => BillingRule;
  readonly invoices: readonly InvoiceRegistration[];
  readonly timeline: readonly TimelineEvent[];
  readonly optOuts?: readonly OptOut[];
}

/** Every message of the timeline that breaks the rule's hours, holidays, caps, an opt-out or a payment. */
export function checkTimeline(input: TimelineCheckInput): Violation[] {
  const { timeline } = input;
  const ruleOf = (invoiceId: string) => input.ruleOf?.(invoiceId) ?? input.rule;
  const invoices = new Map(input.invoices.map((i) => [i.invoiceId, i]));
  const holidays = new HolidayBook();
  const violations: Violation[] = [];
  const sent = timeline.filter((e) => e.event === 'sent');

  const seen = new Set<string>();
  for (const e of sent) {
    const key = `${e.invoiceId}#${e.stage}#${e.channel}`;
    if (seen.has(key)) violations.push({ kind: 'duplicate', event: e, detail: `a second ${e.channel} for ${e.stage}` });
    seen.add(key);
    violations.push(...checkWhen(e, ruleOf(e.invoiceId), invoices.get(e.invoiceId), holidays));
  }

  violations.push(...checkCaps(ruleOf, sent, invoices));
  violations.push(...checkOptOuts(input.optOuts ?? [], sent));
  violations.push(...checkAfterPayment(timeline));
  return violations;
}

/** A message sent outside the hours of its channel, or on a holiday of the rule's or the customer's area. */
function checkWhen(
  e: TimelineEvent,
  rule: BillingRule,
  invoice: InvoiceRegistration | undefined,
  holidays: HolidayBook,
): Violation[] {
  const violations: Violation[] = [];
  const zone = zoneOf(rule, invoice);
  const local = DateTime.fromISO(e.at, { zone });
  if (!isOpen(rule, e.channel, local)) {
    violations.push({
      kind: 'outside-business-hours',
      event: e,
      detail: `${local.toFormat('ccc HH:mm')} ${zone} is outside the ${e.channel ?? ''} hours`,
    });
  }
  const date = local.toISODate() ?? '';
  const areas = [
    { country: rule.country, region: rule.region },
    { country: invoice?.customer.country, region: invoice?.customer.region },
  ];
  const holiday = holidays.name(date, areas, rule.extraHolidays ?? []);
  if (holiday) violations.push({ kind: 'holiday', event: e, detail: `${date} is ${holiday}` });
  return violations;
}

/** Whether `local` is within the rule's hours for `channel` (its channel hours, else its business hours). */
function isOpen(rule: BillingRule, channel: TimelineEvent['channel'], local: DateTime): boolean {
  const hours = (channel && rule.channelHours?.[channel as 'email' | 'sms']) || rule.businessHours;
  const weekday = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const)[local.weekday - 1] ?? 'mon';
  const minute = local.hour * 60 + local.minute + local.second / 60;
  return (hours[weekday] ?? []).some(([from, to]) => minute >= minutes(from) && minute < minutes(to));
}

/** Messages sent on a channel after the customer opted out of it. */
function checkOptOuts(optOuts: readonly OptOut[], sent: readonly TimelineEvent[]): Violation[] {
  const violations: Violation[] = [];
  for (const optOut of optOuts) {
    for (const e of sent) {
      if (e.customerId === optOut.customerId && e.channel === optOut.channel && e.at > optOut.at) {
        violations.push({ kind: 'opted-out', event: e, detail: `${optOut.channel} refused at ${optOut.at}` });
      }
    }
  }
  return violations;
}

/** Messages sent and escalations made after the invoice was paid. */
function checkAfterPayment(timeline: readonly TimelineEvent[]): Violation[] {
  const paidAt = new Map(timeline.filter((e) => e.event === 'paid').map((e) => [e.invoiceId, e.at]));
  const violations: Violation[] = [];
  for (const e of timeline) {
    const paid = paidAt.get(e.invoiceId);
    if (paid !== undefined && (e.event === 'sent' || e.event === 'escalated') && e.at > paid) {
      violations.push({ kind: 'after-payment', event: e, detail: `paid at ${paid}` });
    }
  }
  return violations;
}

/**
 * The caps of `contactPolicy`: a contact is a stage of an invoice in which at least one message went out (at its
 * first message), counted across all of a customer's invoices. A `sent` with reason `consolidated` is an invoice
 * another invoice's message listed: part of the contact that message made — when the timeline holds it: a message
 * of its own (not consolidated) to the same customer, at the same instant, on the same channel. Without one it is a
 * contact of its own.
 */
function checkCaps(
  ruleOf: (invoiceId: string) => BillingRule,
  sent: readonly TimelineEvent[],
  invoices: ReadonlyMap<string, InvoiceRegistration>,
): Violation[] {
  const customerOf = (e: TimelineEvent) => invoices.get(e.invoiceId)?.customer.customerId ?? e.customerId;
  const messageKey = (e: TimelineEvent) => `${customerOf(e)}#${e.at}#${e.channel}`;
  const messages = new Set(sent.filter((e) => e.reason !== CONSOLIDATED_REASON).map(messageKey));
  const contacts = new Map<string, TimelineEvent[]>();
  const counted = new Set<string>();
  for (const e of [...sent].sort((a, b) => a.at.localeCompare(b.at))) {
    if (e.reason === CONSOLIDATED_REASON && messages.has(messageKey(e))) continue;
    const key = `${e.invoiceId}#${e.stage}`;
    if (counted.has(key)) continue;
    counted.add(key);
    const customer = customerOf(e);
    contacts.set(customer, [...(contacts.get(customer) ?? []), e]);
  }
  const violations: Violation[] = [];
  for (const list of contacts.values()) {
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as TimelineEvent;
      // each contact against the policy of the rule its invoice walks (the customer's other contacts all count)
      const policy = ruleOf(e.invoiceId).contactPolicy;
      if (!policy) continue;
      const windowMs = policy.windowDays * 86_400_000;
      const gapMs = policy.minHoursBetween * 3_600_000;
      const t = Date.parse(e.at);
      const inWindow = list.filter((c) => Date.parse(c.at) <= t && Date.parse(c.at) > t - windowMs).length;
      if (inWindow > policy.maxContacts) {
        violations.push({
          kind: 'frequency-cap',
          event: e,
          detail: `contact ${inWindow} within ${policy.windowDays} days (at most ${policy.maxContacts})`,
        });
      }
      const previous = list[i - 1];
      if (previous && t - Date.parse(previous.at) < gapMs) {
        violations.push({
          kind: 'min-gap',
          event: e,
          detail: `${((t - Date.parse(previous.at)) / 3_600_000).toFixed(1)} h after ${previous.invoiceId} ${previous.stage} (at least ${policy.minHoursBetween} h)`,
        });
      }
    }
  }
  return violations;
}

function zoneOf(rule: BillingRule, invoice: InvoiceRegistration | undefined): string {
  const zone = invoice?.customer.timezone;
  return zone && DateTime.now().setZone(zone).isValid ? zone : rule.timezone;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Public holidays by date-holidays (type public), per country/region, plus the rule's extra closed dates. */
class HolidayBook {
  private readonly calendars = new Map<string, Holidays | undefined>();
  /** date-holidays computes a year's holidays per question: remember the answers. */
  private readonly answers = new Map<string, string | undefined>();

  /** The name of the holiday `date` (YYYY-MM-DD) is in any of `areas`, if it is one. */
  name(
    date: string,
    areas: readonly { country?: string | undefined; region?: string | undefined }[],
    extra: readonly string[],
  ): string | undefined {
    if (extra.includes(date)) return 'a company closure (extraHolidays)';
    for (const area of areas) {
      const key = `${area.country}|${area.region}|${date}`;
      if (!this.answers.has(key)) {
        const found = this.calendar(area.country, area.region)?.isHoliday(new Date(`${date}T12:00:00Z`));
        const holiday = Array.isArray(found)
          ? found.find((h) => h.type === 'public' && h.date.startsWith(date))
          : undefined;
        this.answers.set(key, holiday && `${holiday.name} (${area.country}${area.region ? `-${area.region}` : ''})`);
      }
      const name = this.answers.get(key);
      if (name) return name;
    }
    return undefined;
  }

  private calendar(country: string | undefined, region: string | undefined): Holidays | undefined {
    const area = knownHolidayArea(country, region);
    if (!area) return undefined;
    const key = `${area.country}-${area.region ?? ''}`;
    if (!this.calendars.has(key)) {
      const calendar = new Holidays();
      if (area.region) calendar.init(area.country, area.region);
      else calendar.init(area.country);
      this.calendars.set(key, calendar);
    }
    return this.calendars.get(key);
  }
}

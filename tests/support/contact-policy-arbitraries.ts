import fc from 'fast-check';
import { hasOpenHours, WEEKDAYS } from '../../functions/calendar/business-hours';
import type { Debtor } from '../../functions/contact/contact-policy';
import { type BillingRule, contactHours, type MessageChannel } from '../../functions/rules/billing-rule';
import { DAY, OFFSETS, ZONES } from './contact-policy-oracle';
import { defaultRule } from './fixtures';

// The generators of the contact policy's property tests (tests/unit/contact/contact-policy/): rules, hours, debtors,
// channels and instants. The model they are checked against: contact-policy-oracle.ts.

const FROM = Date.UTC(2025, 0, 1);
const UNTIL = Date.UTC(2028, 11, 31);
const hhmm = (m: number) =>
  m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Business hours: per weekday 0–2 sorted windows on a `grid`-minute grid (at least one open weekday). */
export const hoursArb = (grid: number): fc.Arbitrary<BillingRule['businessHours']> =>
  fc
    .tuple(...WEEKDAYS.map(() => fc.uniqueArray(fc.integer({ min: 0, max: 1440 / grid }), { maxLength: 4 })))
    .map((perDay) => {
      const hours: Record<string, [string, string][]> = {};
      perDay.forEach((points, d) => {
        const sorted = [...points].sort((a, b) => a - b).map((p) => p * grid);
        const windows: [string, string][] = [];
        for (let i = 0; i + 1 < sorted.length; i += 2)
          windows.push([hhmm(sorted[i] as number), hhmm(sorted[i + 1] as number)]);
        hours[WEEKDAYS[d] as string] = windows;
      });
      return hours;
    })
    .filter(hasOpenHours);

/** Instants over 2025–2028, half of them from 3 days before to 1 day after one of the zone's DST changes. */
export const instantArb = (zone: string): fc.Arbitrary<number> => {
  const uniform = fc.integer({ min: FROM, max: UNTIL });
  const changes = (OFFSETS.get(zone)?.changes ?? []).filter((c) => c > FROM && c < UNTIL);
  if (changes.length === 0) return uniform;
  const near = fc
    .tuple(fc.constantFrom(...changes), fc.integer({ min: -3 * DAY, max: DAY }))
    .map(([change, delta]) => change + delta);
  return fc.oneof(uniform, near);
};

/** The channels a stage may send: none given (businessHours), one, or both. */
export const channelsArb = fc.constantFrom<MessageChannel[] | undefined>(
  undefined,
  ['email'],
  ['sms'],
  ['email', 'sms'],
);
/** Debtors without an address, or living where other public holidays apply. */
export const debtorAreaArb = fc.constantFrom<Pick<Debtor, 'country' | 'region'>>(
  {},
  { country: 'BR', region: 'RJ' },
  { country: 'US', region: 'NY' },
  { country: 'US' },
  { country: 'PT' },
);

const policyArb = fc.record({
  maxContacts: fc.integer({ min: 1, max: 4 }),
  windowDays: fc.integer({ min: 1, max: 10 }),
  minHoursBetween: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 72, noNaN: true })),
});

/** Rules around the default one: random business hours, per-channel hours, caps and extra holidays. */
export const ruleArb: fc.Arbitrary<BillingRule> = fc
  .record({
    businessHours: fc.oneof(fc.constant(defaultRule.businessHours), hoursArb(15)),
    channelHours: fc.option(fc.record({ email: hoursArb(15), sms: hoursArb(15) }, { requiredKeys: [] }), {
      nil: undefined,
    }),
    contactPolicy: fc.option(policyArb, { nil: undefined }),
    extraHolidays: fc.option(fc.constant<string[]>(['2026-12-24', '2027-03-29', '2027-11-02']), { nil: undefined }),
  })
  .map((fields) => ({ ...defaultRule, ...fields }));

/** A rule, a debtor and the channels of the stage, such that the channels share some open hours. */
export const contactScenarioArb = fc
  .record({ rule: ruleArb, zone: fc.constantFrom(...ZONES), area: debtorAreaArb, channels: channelsArb })
  .filter(({ rule, channels }) => hasOpenHours(contactHours(rule, channels)));

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BusinessHours, minutesOf, WEEKDAYS } from '../../../functions/calendar/business-hours';
import {
  type BillingRule,
  contactHours,
  InvalidBillingRule,
  parseBillingRule,
} from '../../../functions/rules/billing-rule';
import { maxContactsIn7Days, PRESETS } from '../../../functions/rules/presets';
import { brSp, regF } from '../../support/billing-rules';

const hhmm = (m: number) =>
  m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Per weekday 0–2 sorted windows on a 30-minute grid within [from, to] half hours; may be empty on every day. */
const hoursArb = (from: number, to: number): fc.Arbitrary<BusinessHours> =>
  fc
    .tuple(...WEEKDAYS.map(() => fc.uniqueArray(fc.integer({ min: from, max: to }), { maxLength: 4 })))
    .map((perDay) => {
      const hours: Record<string, [string, string][]> = {};
      perDay.forEach((points, d) => {
        const sorted = [...points].sort((a, b) => a - b).map((p) => p * 30);
        const windows: [string, string][] = [];
        for (let i = 0; i + 1 < sorted.length; i += 2)
          windows.push([hhmm(sorted[i] as number), hhmm(sorted[i + 1] as number)]);
        hours[WEEKDAYS[d] as string] = windows;
      });
      return hours;
    });

/**
 * Hours derived from a law's, one integer per weekday deciding how: mostly each window shrunk by 0–3 half hours at
 * each end; now and then started or ended half an hour outside it, the day dropped, or a one-hour window put
 * anywhere. About half the rules built from them pass validation. (Plain integers: cheap to generate.)
 */
function nearLaw(law: BusinessHours, seeds: readonly number[]): BusinessHours {
  return Object.fromEntries(
    WEEKDAYS.map((day, d) => {
      const seed = seeds[d] ?? 0;
      const mode = seed % 96;
      if (mode === 0) return [day, []];
      if (mode === 1) {
        const start = ((seed >> 7) % 47) * 30;
        return [day, [[hhmm(start), hhmm(start + 60)]]];
      }
      const early = mode === 2 ? 1 : 0;
      const late = mode === 3 ? 1 : 0;
      const windows = (law[day] ?? [])
        .map(([s, e]) => [
          minutesOf(s) + (((seed >> 7) % 4) - early) * 30,
          minutesOf(e) - (((seed >> 9) % 4) - late) * 30,
        ])
        .filter(([s, e]) => (s as number) >= 0 && (e as number) <= 1440 && (s as number) < (e as number))
        .map(([s, e]) => [hhmm(s as number), hhmm(e as number)]);
      return [day, windows];
    }),
  );
}

/** The half hours of the week a set of hours is open at, by weekday (minutesOf read once per window). */
function openHalfHours(hours: BusinessHours): boolean[][] {
  return WEEKDAYS.map((day) => {
    const slots = Array<boolean>(48).fill(false);
    for (const [s, e] of hours[day] ?? []) for (let m = minutesOf(s); m < minutesOf(e); m += 30) slots[m / 30] = true;
    return slots;
  });
}

describe('a rule accepted under a preset is never open when the law is closed (property)', () => {
  it('for any business, email and sms hours, and any contact policy', () => {
    const seedsArb = fc.array(fc.nat(), { minLength: 7, maxLength: 7 });
    const hoursFor = (law: BusinessHours) =>
      fc.oneof(
        { weight: 1, arbitrary: hoursArb(0, 48) },
        { weight: 8, arbitrary: seedsArb.map((seeds) => nearLaw(law, seeds)) },
      );
    const scenarioArb = fc.constantFrom(brSp, regF).chain((base) => {
      const hours = hoursFor(PRESETS[base.preset as keyof typeof PRESETS].hours);
      return fc.tuple(fc.constant(base), hours, hours, hours);
    });
    const policyArb = fc.record({
      maxContacts: fc.integer({ min: 1, max: 10 }),
      windowDays: fc.integer({ min: 1, max: 10 }),
      minHoursBetween: fc.integer({ min: 0, max: 48 }),
    });
    const lawSlots = new Map(Object.values(PRESETS).map((p) => [p.name, openHalfHours(p.hours)]));
    let accepted = 0;
    fc.assert(
      fc.property(scenarioArb, policyArb, ([base, business, email, sms], policy) => {
        // Prepare
        const raw = { ...base, businessHours: business, channelHours: { email, sms }, contactPolicy: policy };
        let rule: BillingRule;
        try {
          // Act
          rule = parseBillingRule(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidBillingRule);
          return;
        }
        // Assess: every channel combination a stage can send is open only when the law is, half hour by half hour
        accepted++;
        const law = PRESETS[rule.preset ?? 'BR-SP'];
        const allowed = lawSlots.get(law.name) ?? [];
        const openWhenLawIsClosed: string[] = [];
        for (const channels of [[], ['email'], ['sms'], ['email', 'sms']] as const) {
          openHalfHours(contactHours(rule, channels)).forEach((slots, d) => {
            slots.forEach((isOpen, slot) => {
              if (isOpen && !allowed[d]?.[slot])
                openWhenLawIsClosed.push(`${channels.join('+')} ${WEEKDAYS[d]} ${hhmm(slot * 30)}`);
            });
          });
        }
        expect(openWhenLawIsClosed).toEqual([]);
        if (law.maxContactsPer7Days !== undefined && rule.contactPolicy)
          expect(maxContactsIn7Days(rule.contactPolicy)).toBeLessThanOrEqual(law.maxContactsPer7Days);
      }),
      { numRuns: 10_000 },
    );
    // a property over rejected rules only would prove nothing
    expect(accepted).toBeGreaterThan(2_500);
  });
});

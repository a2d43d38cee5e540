import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasOpenHours } from '../../../../functions/calendar/business-hours';
import { type Debtor, evaluateContact } from '../../../../functions/contact/contact-policy';
import { contactHours, parseBillingRule } from '../../../../functions/rules/billing-rule';
import { maxContactsIn7Days } from '../../../../functions/rules/presets';
import defaultRuleJson from '../../../../rules/default.json';
import { channelsArb, debtorAreaArb, instantArb, ruleArb } from '../../../support/contact-policy-arbitraries';
import { closedAt, DAY, HOUR, isHolidayIn, wallClock, ZONES } from '../../../support/contact-policy-oracle';

// Contact attempts in a row, each sent when the policy allows it or at the instant it names: no cap is ever
// exceeded, no contact falls out of hours (the presets' legal limits included).

describe('the contact policy, for all rules, channels, debtors, histories and instants (property)', () => {
  it('never exceeds a cap nor contacts out of hours, over any sequence of contact attempts (presets included)', () => {
    let regFAtCap = 0;
    const intPolicyArb = fc.record({
      maxContacts: fc.integer({ min: 1, max: 10 }),
      windowDays: fc.integer({ min: 1, max: 10 }),
      minHoursBetween: fc.integer({ min: 0, max: 48 }),
    });
    // Rules under a preset, with a policy the preset's validation accepts (rules/preset-law-property.test.ts proves
    // that it accepts a policy only when maxContactsIn7Days is within the law's cap); parsed once, the policies varied.
    const brSp = parseBillingRule({ id: 'br', preset: 'BR-SP', stages: defaultRuleJson.stages });
    const regF = parseBillingRule({
      id: 'us',
      preset: 'US-RegF',
      timezone: 'America/New_York',
      stages: defaultRuleJson.stages,
    });
    const presetRuleArb = fc.oneof(
      fc.constant(regF),
      intPolicyArb
        .filter((policy) => maxContactsIn7Days(policy) <= 7)
        .map((contactPolicy) => ({ ...regF, contactPolicy })),
      fc.option(intPolicyArb, { nil: undefined }).map((contactPolicy) => ({ ...brSp, contactPolicy })),
    );
    const scenarioArb = fc
      .record({
        rule: fc.oneof(ruleArb, presetRuleArb),
        zone: fc.constantFrom(...ZONES),
        area: debtorAreaArb,
        channels: channelsArb,
      })
      .filter(({ rule, channels }) => hasOpenHours(contactHours(rule, channels)))
      .chain((scenario) =>
        fc.record({
          scenario: fc.constant(scenario),
          start: instantArb(scenario.zone),
          waits: fc.array(fc.integer({ min: 0, max: 2 * DAY }), { minLength: 1, maxLength: 10 }),
        }),
      );
    fc.assert(
      fc.property(scenarioArb, ({ scenario: { rule, zone, area, channels }, start, waits }) => {
        // Prepare
        const debtorHere: Debtor = { timezone: zone, ...area };
        const contacts: Date[] = [];
        let t = start;

        // Act: every attempt is sent now if allowed, else at the instant the policy names
        const refusedAtNamedInstant: number[] = [];
        for (const wait of waits) {
          t += wait;
          const ask = (now: number) =>
            evaluateContact({ now: new Date(now), rule, debtor: debtorHere, history: contacts, channels });
          const decision = ask(t);
          if (!decision.allowed) {
            t = decision.nextAllowedAt.getTime();
            if (!ask(t).allowed) refusedAtNamedInstant.push(t);
          }
          contacts.push(new Date(t));
        }

        // Assess (problems collected, then one assertion: expect() per contact would dominate the run time)
        const times = contacts.map((c) => c.getTime());
        if (rule.preset === 'US-RegF' && times.some((c) => inLastWeek(times, c) === 7)) regFAtCap++;
        const inLast = (days: number, at: number) => times.filter((c) => c <= at && c > at - days * DAY).length;
        const policy = rule.contactPolicy;
        const input = { now: new Date(start), rule, debtor: debtorHere, history: [], channels };
        const problems: string[] = refusedAtNamedInstant.map(
          (c) => `${new Date(c).toISOString()} refused when asked again`,
        );
        times.forEach((c, i) => {
          const when = new Date(c).toISOString();
          const closed = closedAt(c, input);
          if (closed) problems.push(`${when} ${closed}`);
          if (policy && inLast(policy.windowDays, c) > policy.maxContacts) problems.push(`${when} over maxContacts`);
          if (policy && i > 0 && c - (times[i - 1] as number) < policy.minHoursBetween * HOUR)
            problems.push(`${when} under minHoursBetween`);
          for (const problem of presetProblems(rule.preset, times, c, zone)) problems.push(`${when} ${problem}`);
        });
        expect(problems).toEqual([]);
      }),
      { numRuns: 10_000 },
    );
    // the US-RegF cap is reached (and held) in many runs, not only approached
    expect(regFAtCap).toBeGreaterThan(200);
  });
});

const inLastWeek = (times: number[], at: number) => times.filter((c) => c <= at && c > at - 7 * DAY).length;

/** What a contact at c breaks of its preset's legal limits (US-RegF, BR-SP), given every contact made (`times`). */
function presetProblems(preset: string | undefined, times: number[], c: number, zone: string): string[] {
  const problems: string[] = [];
  const { weekday, minutes, epochDay } = wallClock(c, zone);
  if (preset === 'US-RegF') {
    if (inLastWeek(times, c) > 7) problems.push('Reg F: more than 7 contacts in 7 days');
    if (minutes < 8 * 60 || minutes >= 21 * 60) problems.push('Reg F: outside 08:00-21:00 local');
  }
  if (preset === 'BR-SP') {
    const closesAt = weekday === 5 ? 14 * 60 : 20 * 60; // Saturday 14:00, weekdays 20:00
    if (weekday === 6 || minutes < 8 * 60 || minutes >= closesAt) problems.push('Lei 15.426: out of hours');
    if (isHolidayIn(epochDay, 'BR', 'SP')) problems.push('Lei 15.426: on a holiday');
  }
  return problems;
}

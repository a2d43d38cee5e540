import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasOpenHours } from '../../../../functions/calendar/business-hours';
import { nextOpenInstant } from '../../../../functions/calendar/calendar';
import { type ContactDecisionInput, calendarFor, evaluateContact } from '../../../../functions/contact/contact-policy';
import { type BillingRule, contactHours } from '../../../../functions/rules/billing-rule';
import {
  channelsArb,
  contactScenarioArb,
  debtorAreaArb,
  hoursArb,
  instantArb,
} from '../../../support/contact-policy-arbitraries';
import { DAY, HOUR, MINUTE, minuteModel, violations, wallClock } from '../../../support/contact-policy-oracle';
import { defaultRule } from '../../../support/fixtures';

// One decision of the contact policy against an independent model (tests/support/contact-policy-oracle.ts): allowed
// only when nothing is violated, else deferred to the earliest instant that keeps every constraint.

describe('the contact policy, for all rules, channels, debtors, histories and instants (property)', () => {
  it('never allows a contact that breaks a constraint; defers to the earliest instant that keeps them all', () => {
    const scenarioArb = contactScenarioArb.chain((scenario) =>
      fc.record({
        scenario: fc.constant(scenario),
        now: instantArb(scenario.zone),
        ago: fc.array(fc.integer({ min: 0, max: 20 * DAY }), { maxLength: 8 }),
      }),
    );
    fc.assert(
      fc.property(scenarioArb, ({ scenario: { rule, zone, area, channels }, now, ago }) => {
        // Prepare
        const input: ContactDecisionInput = {
          now: new Date(now),
          rule,
          debtor: { timezone: zone, ...area },
          history: ago.map((a) => new Date(now - a)),
          channels,
        };

        // Act
        const decision = evaluateContact(input);

        // Assess
        const atNow = violations(now, input);
        if (decision.allowed) {
          expect(atNow).toEqual([]);
          return;
        }
        // the reason is the first constraint violated now
        expect(decision.reason).toBe(atNow[0]);
        // the deferred instant is later, keeps everything, is allowed when asked again, and is the earliest such
        const next = decision.nextAllowedAt.getTime();
        expect(next).toBeGreaterThan(now);
        expect(violations(next, input)).toEqual([]);
        expect(evaluateContact({ ...input, now: decision.nextAllowedAt })).toEqual({ allowed: true });
        expect(violations(next - 1, input)).not.toEqual([]);
        // nothing earlier is allowed: an allowed stretch can only start where the calendar opens or where a
        // contact leaves the window or the gap, so checking those points between now and next is enough
        const policy = rule.contactPolicy;
        const releases = policy
          ? input.history.flatMap((h) => [
              h.getTime() + policy.windowDays * DAY,
              Math.ceil(h.getTime() + policy.minHoursBetween * HOUR),
            ])
          : [];
        const cal = calendarFor(rule, input.debtor, channels);
        const starts = [now, ...releases]
          .filter((t) => t >= now && t < next)
          .map((t) => nextOpenInstant(new Date(t), cal).getTime());
        expect(
          [...releases, ...starts].filter((t) => t > now && t < next && violations(t, input).length === 0),
        ).toEqual([]);
      }),
      { numRuns: 10_000 },
    );
  });

  it('nextAllowedAt is the first allowed minute of a brute-force scan (2 days ahead, small calendars)', () => {
    // Everything on whole minutes (30-minute windows, whole-minute zone offsets, history on minutes, gaps in
    // quarter hours, windows in days), so the policy can only change its answer on a UTC minute boundary and a
    // minute-by-minute scan of an independent model finds the earliest allowed instant exactly.
    const HORIZON = 2 * DAY;
    let foundByScan = 0;
    const scanZones = ['America/New_York', 'Europe/Lisbon', 'America/Sao_Paulo', 'Australia/Lord_Howe'];
    const smallRuleArb = fc
      .record({
        businessHours: hoursArb(30),
        channelHours: fc.option(fc.record({ sms: hoursArb(30) }), { nil: undefined }),
        contactPolicy: fc.option(
          fc.record({
            maxContacts: fc.integer({ min: 1, max: 3 }),
            windowDays: fc.integer({ min: 1, max: 2 }),
            minHoursBetween: fc.integer({ min: 0, max: 36 * 4 }).map((quarters) => quarters / 4),
          }),
          { nil: undefined },
        ),
      })
      .map((fields): BillingRule => ({ ...defaultRule, ...fields }));
    const scenarioArb = fc
      .record({ rule: smallRuleArb, zone: fc.constantFrom(...scanZones), area: debtorAreaArb, channels: channelsArb })
      .filter(({ rule, channels }) => hasOpenHours(contactHours(rule, channels)))
      .chain((scenario) =>
        fc.record({
          scenario: fc.constant(scenario),
          now: instantArb(scenario.zone),
          minutesAgo: fc.array(fc.integer({ min: 0, max: 3 * 1440 }), { maxLength: 5 }),
          closedDaysFromNow: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }),
        }),
      );
    fc.assert(
      fc.property(scenarioArb, ({ scenario: { rule, zone, area, channels }, now, minutesAgo, closedDaysFromNow }) => {
        // Prepare
        const minute = Math.floor(now / MINUTE) * MINUTE;
        const extra =
          closedDaysFromNow === undefined
            ? {}
            : {
                extraHolidays: [
                  new Date((wallClock(now, zone).epochDay + closedDaysFromNow) * DAY).toISOString().slice(0, 10),
                ],
              };
        const input: ContactDecisionInput = {
          now: new Date(now),
          rule: { ...rule, ...extra },
          debtor: { timezone: zone, ...area },
          history: minutesAgo.map((m) => new Date(minute - m * MINUTE)),
          channels,
        };
        const allowedAt = minuteModel(input);

        // Act
        const decision = evaluateContact(input);

        // Assess
        expect(decision.allowed).toBe(allowedAt(minute));
        if (decision.allowed) return;
        let first: number | undefined;
        for (let m = minute + MINUTE; m < minute + HORIZON && first === undefined; m += MINUTE) {
          if (allowedAt(m)) first = m;
        }
        if (first === undefined) expect(decision.nextAllowedAt.getTime()).toBeGreaterThanOrEqual(minute + HORIZON);
        else {
          expect(new Date(first)).toEqual(decision.nextAllowedAt);
          foundByScan++;
        }
      }),
      { numRuns: 10_000 },
    );
    // most runs defer to an instant the scan reaches (a property of allowed-at-once runs alone would prove little)
    expect(foundByScan).toBeGreaterThan(4_000);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOpen } from '../../functions/domain/calendar';
import { calendarFor, evaluateContact } from '../../functions/domain/contact-policy';
import { localDaysBetween } from '../../functions/domain/local-date';
import { debtorTimezone, planStage, secondsUntil, stageDueInstant } from '../../functions/domain/schedule';
import { defaultRule } from '../support/fixtures';

describe('stage due instants', () => {
  it('puts a stage at its wall-clock time in the debtor zone, across DST', () => {
    expect(stageDueInstant('2026-12-10', { offsetDays: -3, at: '09:00' }, 'America/Sao_Paulo').toISOString()).toBe(
      '2026-12-07T12:00:00.000Z',
    );
    // New York: 09:00 EST before the change, 09:00 EDT after it (2026-03-08)
    expect(stageDueInstant('2026-03-08', { offsetDays: -1, at: '09:00' }, 'America/New_York').toISOString()).toBe(
      '2026-03-07T14:00:00.000Z',
    );
    expect(stageDueInstant('2026-03-08', { offsetDays: 1, at: '09:00' }, 'America/New_York').toISOString()).toBe(
      '2026-03-09T13:00:00.000Z',
    );
    // 02:30 does not exist on 2026-03-08 in New York: moved forward to 03:30 EDT
    expect(stageDueInstant('2026-03-08', { offsetDays: 0, at: '02:30' }, 'America/New_York').toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    );
  });

  it('uses the debtor zone when valid, else the rule zone', () => {
    expect(debtorTimezone(defaultRule, { timezone: 'Europe/Madrid' })).toBe('Europe/Madrid');
    expect(debtorTimezone(defaultRule, { timezone: 'Nowhere/Land' })).toBe('America/Sao_Paulo');
    expect(debtorTimezone(defaultRule, {})).toBe('America/Sao_Paulo');
  });

  it('counts whole local days from the due date', () => {
    expect(localDaysBetween('2026-12-10', new Date('2026-12-07T12:00:00Z'), 'America/Sao_Paulo')).toBe(-3);
    expect(localDaysBetween('2026-12-10', new Date('2026-12-11T02:00:00Z'), 'America/Sao_Paulo')).toBe(0); // 23:00 local
    expect(localDaysBetween('2026-12-10', new Date('2026-12-17T13:00:00Z'), 'America/Sao_Paulo')).toBe(7);
  });

  it('keeps at least one second for Step Functions timeouts', () => {
    expect(secondsUntil(new Date('2026-01-01T00:00:00Z'), new Date('2025-12-31T00:00:00Z'))).toBe(1);
    expect(secondsUntil(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:01.500Z'))).toBe(2);
  });
});

describe('which stage to act on (superseded rule)', () => {
  const zone = 'America/Sao_Paulo';

  it('starts at the first stage when registered before it is due', () => {
    const plan = planStage(defaultRule, '2026-12-10', zone, new Date('2026-12-01T12:00:00Z'));
    expect(plan).toMatchObject({ stageId: 'D-3', stageIndex: 0, superseded: [] });
  });

  it('performs only the latest passed stage when registered late, superseding the earlier ones', () => {
    // Registered at D+5: D-3, D0, D+3 have passed → act on D+3, supersede D-3 and D0.
    const plan = planStage(defaultRule, '2026-12-10', zone, new Date('2026-12-15T15:00:00Z'));
    expect(plan?.stageId).toBe('D+3');
    expect(plan?.superseded.map((s) => s.stageId)).toEqual(['D-3', 'D0']);
  });

  it('resumes from a given stage and reports nothing left after the last', () => {
    expect(planStage(defaultRule, '2026-12-10', zone, new Date('2026-12-01T12:00:00Z'), 3)?.stageId).toBe('D+7');
    expect(planStage(defaultRule, '2026-12-10', zone, new Date('2026-12-01T12:00:00Z'), 6)).toBeNull();
  });
});

const HOUR = 3_600_000;

describe('contact policy', () => {
  const debtor = { timezone: 'America/Sao_Paulo' };
  const monday9 = new Date('2026-12-07T12:00:00Z');

  it('allows a contact in business hours with no recent history', () => {
    expect(evaluateContact({ now: monday9, rule: defaultRule, debtor, history: [] })).toEqual({ allowed: true });
  });

  it('defers to the next open instant outside business hours and on holidays, with the reason', () => {
    expect(evaluateContact({ now: new Date('2026-12-13T15:00:00Z'), rule: defaultRule, debtor, history: [] })).toEqual({
      allowed: false,
      nextAllowedAt: new Date('2026-12-14T11:00:00Z'),
      reason: 'outside-business-hours',
    });
    expect(evaluateContact({ now: new Date('2026-12-25T15:00:00Z'), rule: defaultRule, debtor, history: [] })).toEqual({
      allowed: false,
      nextAllowedAt: new Date('2026-12-26T11:00:00Z'),
      reason: 'holiday',
    });
  });

  it('keeps the minimum gap, then lands on an open instant', () => {
    // last contact Monday 19:00 local; 20 h later is Tuesday 15:00 local
    const decision = evaluateContact({
      now: new Date('2026-12-08T12:00:00Z'),
      rule: defaultRule,
      debtor,
      history: [new Date('2026-12-07T22:00:00Z')],
    });
    expect(decision).toEqual({ allowed: false, nextAllowedAt: new Date('2026-12-08T18:00:00Z'), reason: 'min-gap' });
  });

  it('caps contacts in the rolling window (3 in 7 days)', () => {
    const history = [new Date('2026-12-01T12:00:00Z'), new Date('2026-12-03T12:00:00Z'), new Date('2026-12-05T12:00:00Z')];
    const decision = evaluateContact({ now: monday9, rule: defaultRule, debtor, history });
    // the window frees when the 12-01 contact is 7 days old: 12-08 12:00Z (09:00 local, open)
    expect(decision).toEqual({ allowed: false, nextAllowedAt: new Date('2026-12-08T12:00:00Z'), reason: 'frequency-cap' });
  });

  const historyArb = fc.array(fc.integer({ min: -20 * 24, max: 0 }), { maxLength: 8 });
  const nowArb = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) });

  it('never allows a contact that breaks the caps, and nextAllowedAt is itself allowed (property)', () => {
    const policy = defaultRule.contactPolicy;
    if (!policy) throw new Error('default rule has a contact policy');
    fc.assert(
      fc.property(nowArb, historyArb, fc.constantFrom('America/Sao_Paulo', 'America/New_York', 'Europe/Lisbon'), (nowMs, hoursAgo, zone) => {
        const now = new Date(nowMs);
        const history = hoursAgo.map((h) => new Date(nowMs + h * HOUR));
        const input = { now, rule: defaultRule, debtor: { timezone: zone }, history };
        const decision = evaluateContact(input);
        const at = decision.allowed ? now : decision.nextAllowedAt;
        if (!decision.allowed) expect(at.getTime()).toBeGreaterThan(now.getTime());
        // the instant chosen is open and keeps both caps
        expect(isOpen(at, calendarFor(defaultRule, { timezone: zone }))).toBe(true);
        const past = history.filter((h) => h.getTime() <= at.getTime());
        const inWindow = past.filter((h) => h.getTime() > at.getTime() - policy.windowDays * 24 * HOUR);
        expect(inWindow.length).toBeLessThan(policy.maxContacts);
        for (const h of past) expect(at.getTime() - h.getTime()).toBeGreaterThanOrEqual(policy.minHoursBetween * HOUR);
        // and asking again at that instant allows it
        expect(evaluateContact({ ...input, now: at })).toEqual({ allowed: true });
      }),
      { numRuns: 10_000 },
    );
  });
});

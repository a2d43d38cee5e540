import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { localWallClock } from '../../../functions/calendar/calendar';
import { localDaysBetween } from '../../../functions/calendar/local-date';
import { parseBillingRule } from '../../../functions/rules/billing-rule';
import { debtorTimezone, planStage, secondsUntil, stageDueInstant } from '../../../functions/rules/schedule';
import defaultRuleJson from '../../../rules/default.json';

const defaultRule = parseBillingRule(defaultRuleJson);
const SP = 'America/Sao_Paulo';
const dueAt = (dueDate: string, offsetDays: number, at: string, zone: string) =>
  stageDueInstant(dueDate, { offsetDays, at }, zone).toISOString();

describe('a stage is due at its wall-clock time on due date + offset, in the debtor zone', () => {
  it('counts calendar days, across months and years', () => {
    expect(dueAt('2026-12-10', -3, '09:00', SP)).toBe('2026-12-07T12:00:00.000Z');
    expect(dueAt('2026-12-30', 3, '10:00', SP)).toBe('2027-01-02T13:00:00.000Z');
    expect(dueAt('2026-03-01', -1, '09:00', SP)).toBe('2026-02-28T12:00:00.000Z');
    expect(dueAt('2026-12-10', 0, '09:00', 'Asia/Kolkata')).toBe('2026-12-10T03:30:00.000Z');
  });

  it('keeps the local time on both sides of a DST change (New York 2026-03-08, 2026-11-01)', () => {
    expect(dueAt('2026-03-08', -1, '09:00', 'America/New_York')).toBe('2026-03-07T14:00:00.000Z'); // EST
    expect(dueAt('2026-03-08', 1, '09:00', 'America/New_York')).toBe('2026-03-09T13:00:00.000Z'); // EDT
    expect(dueAt('2026-11-01', -1, '09:00', 'America/New_York')).toBe('2026-10-31T13:00:00.000Z'); // EDT
    expect(dueAt('2026-11-01', 1, '09:00', 'America/New_York')).toBe('2026-11-02T14:00:00.000Z'); // EST
  });

  it('shifts a time in a spring-forward gap forward, and takes the earlier of two in a fall-back overlap', () => {
    expect(dueAt('2026-03-08', 0, '02:30', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z'); // → 03:30 EDT
    expect(dueAt('2026-11-01', 0, '01:30', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
    expect(dueAt('2026-03-29', 0, '01:30', 'Europe/Lisbon')).toBe('2026-03-29T01:30:00.000Z'); // → 02:30 WEST
    expect(dueAt('2026-10-25', 0, '01:30', 'Europe/Lisbon')).toBe('2026-10-25T00:30:00.000Z'); // 01:30 WEST
  });

  it('rejects a malformed due date or time zone', () => {
    expect(() => stageDueInstant('10/12/2026', { offsetDays: 0, at: '09:00' }, SP)).toThrow(
      'Invalid due date "10/12/2026"',
    );
    expect(() => stageDueInstant('2026-02-30', { offsetDays: 0, at: '09:00' }, SP)).toThrow(
      'Invalid due date "2026-02-30"',
    );
    expect(() => stageDueInstant('2026-02-10', { offsetDays: 0, at: '09:00' }, 'Mars/Olympus')).toThrow(
      /time zone "Mars\/Olympus"/,
    );
  });

  it('reads the stage day back as whole local days from the due date', () => {
    expect(localDaysBetween('2026-12-10', new Date(dueAt('2026-12-10', -3, '09:00', SP)), SP)).toBe(-3);
    expect(localDaysBetween('2026-12-10', new Date('2026-12-11T02:00:00Z'), SP)).toBe(0); // 23:00 local on the 10th
    expect(localDaysBetween('2026-12-10', new Date(dueAt('2026-12-10', 7, '10:00', SP)), SP)).toBe(7);
  });

  it('lands on the requested local date and time, or just after a DST gap (property)', () => {
    const zones = ['America/Sao_Paulo', 'America/New_York', 'Europe/Lisbon', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    const dateArb = fc
      .integer({ min: 0, max: 4 * 365 })
      .map((d) => DateTime.fromISO('2025-01-01', { zone: 'utc' }).plus({ days: d }).toISODate() ?? '');
    const timeArb = fc
      .integer({ min: 0, max: 1439 })
      .map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    fc.assert(
      fc.property(
        dateArb,
        fc.integer({ min: -90, max: 365 }),
        timeArb,
        fc.constantFrom(...zones),
        (dueDate, offsetDays, at, zone) => {
          const due = stageDueInstant(dueDate, { offsetDays, at }, zone);
          const wall = localWallClock(due, zone);
          const expectedDate = DateTime.fromISO(dueDate, { zone: 'utc' }).plus({ days: offsetDays }).toISODate();
          expect(wall.date).toBe(expectedDate);
          if (wall.time !== at) {
            // only in a gap: the requested time does not exist, and the result is less than an hour later
            const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
            expect(minutes(wall.time) - minutes(at)).toBeGreaterThan(0);
            expect(minutes(wall.time) - minutes(at)).toBeLessThanOrEqual(60);
            expect(
              localWallClock(new Date(due.getTime() - (minutes(wall.time) - minutes(at)) * 60_000), zone).time,
            ).not.toBe(at);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });
});

describe("the debtor's time zone", () => {
  it("is the customer's when it is a valid IANA zone, else the rule's", () => {
    expect(debtorTimezone(defaultRule, { timezone: 'Europe/Madrid' })).toBe('Europe/Madrid');
    expect(debtorTimezone(defaultRule, { timezone: 'Nowhere/Land' })).toBe(SP);
    expect(debtorTimezone(defaultRule, { timezone: '' })).toBe(SP);
    expect(debtorTimezone(defaultRule, {})).toBe(SP);
  });
});

describe('which stage to act on: only the latest stage already due, earlier ones superseded', () => {
  const dueDate = '2026-12-10';

  it('starts at the first stage when registered before it is due', () => {
    // Act
    const plan = planStage(defaultRule, dueDate, SP, new Date('2026-12-01T12:00:00Z'));
    // Assess
    expect(plan).toEqual({ stageIndex: 0, stageId: 'D-3', dueAt: new Date('2026-12-07T12:00:00Z'), superseded: [] });
  });

  it('acts on D+3 when registered at D+5, superseding D-3 and D0', () => {
    // Act
    const plan = planStage(defaultRule, dueDate, SP, new Date('2026-12-15T15:00:00Z'));
    // Assess
    expect(plan).toEqual({
      stageIndex: 2,
      stageId: 'D+3',
      dueAt: new Date('2026-12-13T13:00:00Z'),
      superseded: [
        { stageId: 'D-3', dueAt: new Date('2026-12-07T12:00:00Z') },
        { stageId: 'D0', dueAt: new Date('2026-12-10T12:00:00Z') },
      ],
    });
  });

  it('counts a stage as due at its exact instant, not a millisecond before', () => {
    expect(planStage(defaultRule, dueDate, SP, new Date('2026-12-10T12:00:00Z'))?.stageId).toBe('D0');
    expect(planStage(defaultRule, dueDate, SP, new Date('2026-12-10T11:59:59.999Z'))?.stageId).toBe('D-3');
  });

  it('resumes from a given stage, superseding only stages from there on', () => {
    // D-3 done, resuming from D0 (index 1) at D+8: D0 and D+3 are superseded by D+7
    const plan = planStage(defaultRule, dueDate, SP, new Date('2026-12-18T15:00:00Z'), 1);
    expect(plan?.stageId).toBe('D+7');
    expect(plan?.superseded.map((s) => s.stageId)).toEqual(['D0', 'D+3']);
    expect(planStage(defaultRule, dueDate, SP, new Date('2026-12-01T12:00:00Z'), 3)).toMatchObject({
      stageId: 'D+7',
      superseded: [],
    });
  });

  it('reports nothing left after the last stage, and acts on the last one when all have passed', () => {
    expect(planStage(defaultRule, dueDate, SP, new Date('2027-06-01T12:00:00Z'), 6)).toBeNull();
    const late = planStage(defaultRule, dueDate, SP, new Date('2027-06-01T12:00:00Z'));
    expect(late?.stageId).toBe('D+30');
    expect(late?.superseded).toHaveLength(5);
  });

  it('uses the debtor zone for due instants', () => {
    expect(planStage(defaultRule, dueDate, 'Asia/Kolkata', new Date('2026-12-01T00:00:00Z'))?.dueAt.toISOString()).toBe(
      '2026-12-07T03:30:00.000Z',
    );
  });
});

describe('seconds to wait until an instant', () => {
  it('rounds up to whole seconds and never goes below 1 (Step Functions timeouts)', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(secondsUntil(now, new Date('2025-12-31T00:00:00Z'))).toBe(1);
    expect(secondsUntil(now, now)).toBe(1);
    expect(secondsUntil(now, new Date('2026-01-01T00:00:01.500Z'))).toBe(2);
    expect(secondsUntil(now, new Date('2026-01-02T00:00:00Z'))).toBe(86_400);
  });
});

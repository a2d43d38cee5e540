import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../cli/simulate';
import { PROJECT_ROOT } from '../../lib/config';
import { type InputProblem, readPortfolio, readRule } from '../../local/simulator/simulation-input';
import type { TimelineEvent } from '../../local/simulator/timeline';
import { checkTimeline } from '../../local/simulator/timeline-check';

// The simulator over a portfolio built to hit the contact policy's corners (tests/fixtures/scenarios): stages on a
// Sunday, on Christmas, on the debtor's own holiday, at 07:00 and 21:30 local, three invoices of one customer due the
// same day, an opt-out and a payment mid-walk. Each deferral and skip must carry its reason, and the independent
// check (local/simulator/timeline-check.ts) must find no message outside hours, on a holiday, over the caps, to an opted-out
// channel or after the payment. The three invoices due the same day get one consolidated message per stage (the
// message itself: tests/e2e/consolidated-message.test.ts).

const dir = join(PROJECT_ROOT, 'tests', 'fixtures', 'scenarios');
const files = {
  rule: join(dir, 'rule.json'),
  invoices: join(dir, 'invoices.csv'),
  events: join(dir, 'events.jsonl'),
};
let timeline: TimelineEvent[] = [];

beforeAll(async () => {
  const out: string[] = [];
  await simulate(
    { ...files, format: 'json', workers: 1, progressSeconds: 0 },
    { out: (text) => out.push(text), err: () => {} },
  );
  timeline = out
    .join('')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TimelineEvent);
});

const of = (invoiceId: string) =>
  timeline
    .filter((e) => e.invoiceId === invoiceId && e.event !== 'registered')
    .map((e) => [e.at, e.stage, e.channel, e.event, e.reason, e.until].filter(Boolean).join(' '));

describe('the simulator defers every closed instant, with its reason', () => {
  it('moves a stage due on Sunday to Monday 08:00 local', () => {
    expect(of('SUNDAY-1')[0]).toBe(
      '2026-12-13T10:00:00.000Z D-3 deferred outside-business-hours 2026-12-14T11:00:00.000Z',
    );
    expect(of('SUNDAY-1')[1]).toBe('2026-12-14T11:00:00.000Z D-3 email sent');
  });

  it('moves a stage due on Christmas (a national holiday) to the next open instant', () => {
    expect(of('XMAS-1').slice(0, 2)).toEqual([
      '2026-12-25T10:00:00.000Z D-3 deferred holiday 2026-12-26T11:00:00.000Z',
      '2026-12-26T11:00:00.000Z D-3 email sent',
    ]);
  });

  it("keeps the debtor's own public holiday (Thanksgiving in New York) and their zone", () => {
    expect(of('THANKS-1').slice(0, 2)).toEqual([
      '2026-11-26T12:00:00.000Z D-3 deferred holiday 2026-11-27T13:00:00.000Z',
      '2026-11-27T13:00:00.000Z D-3 email sent',
    ]);
  });

  it('moves 07:00 to 08:00 the same day, and 21:30 to 08:00 the next morning', () => {
    const walk = of('OPTOUT-1');
    expect(walk.slice(0, 5)).toEqual([
      '2026-11-29T10:00:00.000Z D-3 deferred outside-business-hours 2026-11-30T11:00:00.000Z', // Sunday 07:00
      '2026-11-30T11:00:00.000Z D-3 email sent',
      '2026-12-03T00:30:00.000Z D0 deferred outside-business-hours 2026-12-03T11:00:00.000Z', // Wednesday 21:30
      '2026-12-03T11:00:00.000Z D0 email sent',
      '2026-12-03T11:00:00.000Z D0 sms sent',
    ]);
  });
});

describe('the simulator keeps the caps across a customer’s invoices and honours opt-outs and payments', () => {
  it('contacts a customer with three invoices due the same day once per stage: one message listing all three', () => {
    // D-3 falls at 07:00 on Monday: all three wait for 08:00, then the first one's email covers the other two
    const sent = timeline.filter((e) => e.customerId === 'C-TRIO' && e.event === 'sent' && e.stage === 'D-3');
    expect(sent.map((e) => [e.at, e.invoiceId, e.channel, e.reason ?? ''].join(' ').trim())).toEqual([
      '2026-12-07T11:00:00.000Z TRIO-1 email',
      '2026-12-07T11:00:00.000Z TRIO-2 email consolidated',
      '2026-12-07T11:00:00.000Z TRIO-3 email consolidated',
    ]);
    // every stage of the three walks went out together: four contacts (D-3, D0, D+3, D+7), none deferred by a cap
    const contacts = timeline.filter((e) => e.customerId === 'C-TRIO' && e.event === 'sent' && !e.reason);
    expect(contacts.map((e) => `${e.at} ${e.invoiceId} ${e.stage} ${e.channel}`)).toEqual([
      '2026-12-07T11:00:00.000Z TRIO-1 D-3 email',
      '2026-12-11T11:00:00.000Z TRIO-1 D0 email',
      '2026-12-11T11:00:00.000Z TRIO-1 D0 sms',
      '2026-12-14T11:00:00.000Z TRIO-1 D+3 sms',
      '2026-12-17T13:00:00.000Z TRIO-1 D+7 email',
      '2026-12-17T13:00:00.000Z TRIO-1 D+7 sms',
    ]);
    for (const invoiceId of ['TRIO-2', 'TRIO-3']) {
      expect(of(invoiceId).filter((line) => line.includes(' sent'))).toEqual([
        '2026-12-07T11:00:00.000Z D-3 email sent consolidated',
        '2026-12-11T11:00:00.000Z D0 email sent consolidated',
        '2026-12-11T11:00:00.000Z D0 sms sent consolidated',
        '2026-12-14T11:00:00.000Z D+3 sms sent consolidated',
        '2026-12-17T13:00:00.000Z D+7 email sent consolidated',
        '2026-12-17T13:00:00.000Z D+7 sms sent consolidated',
      ]);
    }
    const waits = timeline.filter((e) => e.customerId === 'C-TRIO' && e.event === 'deferred');
    expect(new Set(waits.map((e) => e.reason))).toEqual(new Set(['outside-business-hours']));
  });

  it('skips a channel the debtor opted out of, and a channel without an address, with the reason', () => {
    expect(of('OPTOUT-1')).toContain('2026-12-05T13:00:00.000Z D+3 sms skipped opted-out');
    expect(of('NOPHONE-1')).toContain('2026-12-03T11:00:00.000Z D0 sms skipped no-contact-address');
    expect(of('NOPHONE-1')).toContain('2026-12-05T13:00:00.000Z D+3 sms skipped no-contact-address');
  });

  it('sends nothing after the payment', () => {
    const walk = of('PAID-1');
    expect(walk.at(-1)).toBe('2026-12-05T18:00:00.000Z paid');
    expect(walk.filter((line) => line.slice(0, 24) > '2026-12-05T18:00:00.000Z')).toEqual([]);
  });

  it('gives every deferral its until and every skip its reason', () => {
    for (const e of timeline.filter((t) => t.event === 'deferred')) {
      expect(e.reason, JSON.stringify(e)).toMatch(/^(holiday|outside-business-hours|frequency-cap|min-gap)$/);
      expect(e.until && e.until > e.at, JSON.stringify(e)).toBe(true);
    }
    for (const e of timeline.filter((t) => t.event === 'skipped')) expect(e.reason, JSON.stringify(e)).toBeTruthy();
  });

  it('passes the independent check: nothing outside hours, on holidays, over caps, to opted-out channels, after payment', async () => {
    const problems: InputProblem[] = [];
    const rule = readRule(files.rule, problems);
    const portfolio = await readPortfolio(files.invoices, problems);
    expect(problems).toEqual([]);
    if (!rule) throw new Error('the scenario rule does not parse');

    const violations = checkTimeline({
      rule,
      invoices: portfolio.map((p) => p.registration),
      timeline,
      optOuts: [{ at: '2026-12-03T12:00:00.000Z', customerId: 'C-OPT', channel: 'sms' }],
    });

    expect(violations).toEqual([]);
    expect(timeline.filter((e) => e.event === 'sent').length).toBeGreaterThan(30);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TIMELINE_EVENTS } from '../../local/simulator/timeline';

// `npx dunning simulate` as users run it (bin/dunning.js → tsx → cli/dunning.ts), on the example portfolio.

const work = mkdtempSync(join(tmpdir(), 'dunning-simulate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function dunning(args: string[]) {
  const run = spawnSync(process.execPath, ['bin/dunning.js', ...args], { encoding: 'utf8', timeout: 170_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface Line {
  at: string;
  invoiceId: string;
  customerId: string;
  stage?: string;
  channel?: string;
  event: string;
  reason?: string;
  until?: string;
}

const key = (l: Line) => [l.invoiceId, l.stage, l.channel, l.event, l.reason].filter(Boolean).join(' ');

const events = join(work, 'events.jsonl');
let run: ReturnType<typeof dunning>;

describe('dunning simulate --format json', () => {
  writeFileSync(
    events,
    [
      { at: '2026-11-30T12:00:00Z', type: 'optout', customerId: 'C-1002', channel: 'sms' },
      { at: '2026-12-09T15:00:00Z', type: 'payment', invoiceId: 'INV-2026-0003' },
      { at: '2026-12-16T15:00:00Z', type: 'payment', invoiceId: 'INV-2026-0006', amount: '1000.00' },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );
  run = dunning([
    'simulate',
    '--rule',
    'rules/default.json',
    '--invoices',
    'examples/invoices.csv',
    '--events',
    events,
  ]);
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as Line);

  it('prints one docs/formats.md object per line, ordered by time, and a summary on stderr', () => {
    expect(run.status, run.stderr).toBe(0);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(
        ['at', 'invoiceId', 'customerId', 'stage', 'channel', 'event', 'reason', 'until'].filter((k) => k in line),
      );
      expect(line.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(TIMELINE_EVENTS).toContain(line.event);
      if (line.event === 'deferred') expect(line.until).toMatch(/Z$/);
    }
    const times = lines.map((l) => l.at);
    expect([...times].sort()).toEqual(times);
    expect(lines.filter((l) => l.event === 'registered')).toHaveLength(12);
    expect(run.stderr).toMatch(/Simulated 12 invoice\(s\) from 2026-11-01T00:00:00\.000Z/);
  });

  it('walks each invoice through the rule at its times, deferring closed instants', () => {
    const first = lines.filter((l) => l.invoiceId === 'INV-2026-0001');
    expect(first.map((l) => `${l.at} ${key(l)}`)).toEqual([
      '2026-11-01T00:00:00.000Z INV-2026-0001 registered',
      '2026-11-28T12:00:00.000Z INV-2026-0001 D-3 email sent', // Sat 09:00 São Paulo
      '2026-12-01T12:00:00.000Z INV-2026-0001 D0 email sent',
      '2026-12-01T12:00:00.000Z INV-2026-0001 D0 sms sent',
      '2026-12-04T13:00:00.000Z INV-2026-0001 D+3 sms sent',
      '2026-12-08T13:00:00.000Z INV-2026-0001 D+7 email sent',
      '2026-12-08T13:00:00.000Z INV-2026-0001 D+7 sms sent',
      '2026-12-16T13:00:00.000Z INV-2026-0001 D+15 email sent',
      '2026-12-31T13:00:00.000Z INV-2026-0001 D+30 escalated',
      '2026-12-31T13:00:00.000Z INV-2026-0001 completed',
    ]);
    // INV-2026-0008 is due Sunday 2026-12-20: D+7 falls on Sunday the 27th and waits for Monday 08:00
    expect(lines).toContainEqual({
      at: '2026-12-27T13:00:00.000Z',
      invoiceId: 'INV-2026-0008',
      customerId: 'C-1006',
      stage: 'D+7',
      event: 'deferred',
      reason: 'outside-business-hours',
      until: '2026-12-28T11:00:00.000Z',
    });
  });

  it('applies the events: an opt-out skips the channel, a payment ends the walk, a partial one does not', () => {
    const optedOut = lines.filter((l) => l.customerId === 'C-1002' && l.channel === 'sms');
    expect(optedOut.length).toBeGreaterThan(0);
    expect(optedOut.every((l) => l.event === 'skipped' && l.reason === 'opted-out')).toBe(true);

    const paid = lines.filter((l) => l.invoiceId === 'INV-2026-0003');
    expect(paid.at(-1)).toMatchObject({ at: '2026-12-09T15:00:00.000Z', event: 'paid' });
    expect(paid.filter((l) => l.at > '2026-12-09T15:00:00.000Z')).toEqual([]);

    const partial = lines.filter((l) => l.invoiceId === 'INV-2026-0006');
    expect(partial).toContainEqual(
      expect.objectContaining({ at: '2026-12-16T15:00:00.000Z', event: 'partially-paid' }),
    );
    expect(partial.at(-1)?.event).toBe('completed');
  });
});

describe('dunning simulate over DynamoDB in-process and over HTTP', () => {
  it("prints the same timeline with dynalite's engine in-process (the default) as with its HTTP server", () => {
    // Act: the run above used the default; this one talks to dynalite's server as npm start does
    const overHttp = dunning([
      'simulate',
      '--rule',
      'rules/default.json',
      '--invoices',
      'examples/invoices.csv',
      '--events',
      events,
      '--dynamodb',
      'http',
    ]);

    // Assess
    expect(overHttp.status, overHttp.stderr).toBe(0);
    expect(overHttp.stdout).toBe(run.stdout);
  });
});

describe('dunning simulate --format table and bad input', () => {
  it('prints the timeline as a table with the debtor local time', () => {
    const run = dunning([
      'simulate',
      '--rule',
      'rules/default.json',
      '--invoices',
      'examples/invoices.csv',
      '--format',
      'table',
    ]);

    expect(run.status, run.stderr).toBe(0);
    const [header] = run.stdout.split('\n');
    expect(header).toMatch(/^at \(UTC\)\s+debtor local\s+invoice\s+customer\s+stage\s+channel\s+event\s+detail$/);
    expect(run.stdout).toMatch(
      /2026-12-15T14:00:00Z\s+Tue 2026-12-15 09:00 America\/New_York\s+INV-2026-0007\s+C-2001\s+D-3\s+email\s+sent/,
    );
  });

  it('exits 2 listing every problem by file, line and field, and runs nothing', () => {
    const events = join(work, 'bad-events.jsonl');
    writeFileSync(events, '{"at":"yesterday","type":"payment","invoiceId":"INV-2026-0101"}\n{"type":"refund"}\n');

    const run = dunning([
      'simulate',
      '--rule',
      'rules/default.json',
      '--invoices',
      'examples/invoices-with-errors.csv',
      '--events',
      events,
    ]);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('examples/invoices-with-errors.csv:3: dueDate: not a real date: "2026-02-30"');
    expect(run.stderr).toContain('examples/invoices-with-errors.csv:4: currency:');
    expect(run.stderr).toContain('examples/invoices-with-errors.csv:5: customerName: is required');
    expect(run.stderr).toMatch(/bad-events\.jsonl:1: at: must be an ISO-8601 instant/);
    expect(run.stderr).toMatch(/bad-events\.jsonl:2: type: type must be one of payment, dispute/);
  });
});

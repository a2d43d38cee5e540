import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../cli/simulate';
import { TIMELINE_EVENTS } from '../../local/simulator/timeline';

// `dunning simulate --events` with the operator events of issue #5, in this process (one local system for the file):
// every event type goes through the real API route and the real workflow, and shows on the timeline with the event
// names of docs/formats.md. Default rule; São Paulo debtors; every invoice due Tue 2026-12-01.

interface Line {
  at: string;
  invoiceId: string;
  stage?: string;
  channel?: string;
  event: string;
  reason?: string;
}

const work = mkdtempSync(join(tmpdir(), 'dunning-simulate-ops-'));
let lines: Line[] = [];
let stderr = '';

const INVOICES = [
  'SIM-PAUSE',
  'SIM-DISPUTE',
  'SIM-HELD',
  'SIM-KEPT',
  'SIM-BROKEN',
  'SIM-OVER',
  'SIM-WRITE-OFF',
  'SIM-ESCALATE',
  'SIM-AGREEMENT',
];

beforeAll(async () => {
  const invoices = join(work, 'invoices.jsonl');
  writeFileSync(
    invoices,
    INVOICES.map((id) =>
      JSON.stringify({
        invoiceId: id,
        customerId: `C-${id}`,
        customerName: 'Maria Silva',
        email: `${id.toLowerCase()}@example.com`,
        phone: '+5511987650001',
        timezone: 'America/Sao_Paulo',
        amount: '100.00',
        currency: 'BRL',
        dueDate: '2026-12-01',
      }),
    ).join('\n'),
  );
  const events = join(work, 'events.jsonl');
  writeFileSync(
    events,
    [
      { at: '2026-11-29T12:00:00Z', type: 'pause', invoiceId: 'SIM-PAUSE', reason: 'customer asked for a week' },
      { at: '2026-12-05T00:00:00Z', type: 'resume', invoiceId: 'SIM-PAUSE' },
      { at: '2026-11-29T12:00:00Z', type: 'dispute', invoiceId: 'SIM-DISPUTE' },
      { at: '2026-12-02T15:00:00Z', type: 'resolve', invoiceId: 'SIM-DISPUTE' },
      { at: '2026-11-29T12:00:00Z', type: 'pause', invoiceId: 'SIM-HELD' },
      { at: '2026-11-29T12:00:00Z', type: 'promise', invoiceId: 'SIM-KEPT', date: '2026-12-03', amount: '40.00' },
      { at: '2026-12-02T12:00:00Z', type: 'payment', invoiceId: 'SIM-KEPT', amount: '40.00' },
      { at: '2026-11-29T12:00:00Z', type: 'promise', invoiceId: 'SIM-BROKEN', date: '2026-12-03' },
      { at: '2026-11-30T12:00:00Z', type: 'payment', invoiceId: 'SIM-OVER', amount: '30.00' },
      { at: '2026-12-02T12:00:00Z', type: 'payment', invoiceId: 'SIM-OVER', amount: '100.00' },
      { at: '2026-11-29T12:00:00Z', type: 'write-off', invoiceId: 'SIM-WRITE-OFF', reason: 'insolvent' },
      { at: '2026-11-29T12:00:00Z', type: 'escalate', invoiceId: 'SIM-ESCALATE', to: 'legal' },
      {
        at: '2026-11-29T12:00:00Z',
        type: 'agreement',
        invoiceId: 'SIM-AGREEMENT',
        instalments: [
          { dueDate: '2026-12-15', amount: '50.00' },
          { dueDate: '2027-01-15', amount: 50 },
        ],
      },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );
  let out = '';
  await simulate(
    { rule: 'rules/default.json', invoices, events, format: 'json', progressSeconds: 0, workers: 1 },
    {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        stderr += text;
      },
    },
  );
  lines = out
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as Line);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const of = (invoiceId: string) =>
  lines
    .filter((l) => l.invoiceId === invoiceId)
    .map((l) => [l.at, l.stage, l.channel, l.event, l.reason].filter(Boolean).join(' '));

describe('simulating pause and resume', () => {
  it('shows paused and resumed, sends nothing in between, and supersedes the stage that fell due meanwhile', () => {
    expect(stderr).not.toMatch(/warning/);
    expect(of('SIM-PAUSE').slice(0, 7)).toEqual([
      '2026-11-01T00:00:00.000Z registered',
      '2026-11-28T12:00:00.000Z D-3 email sent',
      '2026-11-29T12:00:00.000Z paused',
      '2026-12-05T00:00:00.000Z resumed',
      '2026-12-05T00:00:00.000Z D0 skipped superseded',
      '2026-12-05T00:00:01.000Z D+3 deferred outside-business-hours',
      '2026-12-05T11:00:00.000Z D+3 sms sent',
    ]);
    expect(of('SIM-PAUSE').slice(-2)).toEqual([
      '2026-12-31T13:00:00.000Z D+30 escalated',
      '2026-12-31T13:00:00.000Z completed',
    ]);
  });

  it('keeps a walk that is never resumed paused to the end of the simulation, with nothing sent after the pause', () => {
    expect(of('SIM-HELD')).toEqual([
      '2026-11-01T00:00:00.000Z registered',
      '2026-11-28T12:00:00.000Z D-3 email sent',
      '2026-11-29T12:00:00.000Z paused',
    ]);
  });
});

describe('simulating promises to pay', () => {
  it('pauses on the promise; paying the promised amount keeps it and dunning goes on for the rest', () => {
    expect(of('SIM-KEPT').slice(0, 7)).toEqual([
      '2026-11-01T00:00:00.000Z registered',
      '2026-11-28T12:00:00.000Z D-3 email sent',
      '2026-11-29T12:00:00.000Z paused promise-to-pay',
      '2026-12-02T12:00:00.000Z resumed promise-kept',
      '2026-12-02T12:00:00.000Z partially-paid',
      '2026-12-02T12:00:01.000Z D0 email sent',
      '2026-12-02T12:00:01.000Z D0 sms sent',
    ]);
  });

  it('resumes with promise-broken at the start of the day after the promised date and acts on the stage due', () => {
    expect(of('SIM-BROKEN').slice(0, 7)).toEqual([
      '2026-11-01T00:00:00.000Z registered',
      '2026-11-28T12:00:00.000Z D-3 email sent',
      '2026-11-29T12:00:00.000Z paused promise-to-pay',
      '2026-12-04T03:00:00.000Z resumed promise-broken',
      // D0 (Tue 1st) is the stage due: at once, but it is midnight in São Paulo
      '2026-12-04T03:00:01.000Z D0 deferred outside-business-hours',
      '2026-12-04T11:00:00.000Z D0 email sent',
      '2026-12-04T11:00:00.000Z D0 sms sent',
    ]);
  });
});

describe('simulating payments', () => {
  it('shows an overpayment as paid with reason overpaid, and the walk ends there', () => {
    expect(of('SIM-OVER')).toEqual([
      '2026-11-01T00:00:00.000Z registered',
      '2026-11-28T12:00:00.000Z D-3 email sent',
      '2026-11-30T12:00:00.000Z partially-paid',
      '2026-12-01T12:00:00.000Z D0 email sent',
      '2026-12-01T12:00:00.000Z D0 sms sent',
      '2026-12-02T12:00:00.000Z paid overpaid',
    ]);
  });
});

describe('simulating write-offs and escalations', () => {
  it('ends a written-off walk with written-off and sends nothing after it', () => {
    expect(of('SIM-WRITE-OFF')).toEqual([
      '2026-11-01T00:00:00.000Z registered',
      '2026-11-28T12:00:00.000Z D-3 email sent',
      '2026-11-29T12:00:00.000Z written-off',
    ]);
  });

  it('shows an escalation now as escalated (reason manual) and walks the rest of the rule', () => {
    const escalate = of('SIM-ESCALATE');
    expect(escalate.slice(0, 4)).toEqual([
      '2026-11-01T00:00:00.000Z registered',
      '2026-11-28T12:00:00.000Z D-3 email sent',
      '2026-11-29T12:00:00.000Z escalated manual',
      '2026-12-01T12:00:00.000Z D0 email sent',
    ]);
    expect(escalate.slice(-2)).toEqual([
      '2026-12-31T13:00:00.000Z D+30 escalated',
      '2026-12-31T13:00:00.000Z completed',
    ]);
  });
});

describe('simulating a renegotiation', () => {
  it('ends the original with renegotiated and registers each instalment, which walks the rule as an invoice', () => {
    expect(of('SIM-AGREEMENT')).toEqual([
      '2026-11-01T00:00:00.000Z registered',
      '2026-11-28T12:00:00.000Z D-3 email sent',
      '2026-11-29T12:00:00.000Z renegotiated',
    ]);
    expect(of('SIM-AGREEMENT-1of2').slice(0, 4)).toEqual([
      '2026-11-29T12:00:00.000Z registered',
      '2026-12-12T12:00:00.000Z D-3 email sent', // Sat 12th 09:00 local, three days before Tue 15th
      '2026-12-15T12:00:00.000Z D0 email sent',
      '2026-12-15T12:00:00.000Z D0 sms sent',
    ]);
    expect(of('SIM-AGREEMENT-2of2')[0]).toBe('2026-11-29T12:00:00.000Z registered');
    expect(of('SIM-AGREEMENT-2of2').at(-1)).toMatch(/ completed$/);
  });
});

describe('simulating a dispute and its resolution', () => {
  it('shows disputed, then resumed with reason resolved, and sends the stage that fell due at once', () => {
    expect(of('SIM-DISPUTE').slice(0, 6)).toEqual([
      '2026-11-01T00:00:00.000Z registered',
      '2026-11-28T12:00:00.000Z D-3 email sent',
      '2026-11-29T12:00:00.000Z disputed',
      '2026-12-02T15:00:00.000Z resumed resolved',
      '2026-12-02T15:00:01.000Z D0 email sent',
      '2026-12-02T15:00:01.000Z D0 sms sent',
    ]);
  });

  it('uses only the event names of docs/formats.md', () => {
    for (const line of lines) expect(TIMELINE_EVENTS).toContain(line.event);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `dunning simulate --faults --outbox` over the example portfolio (12 invoices, one process): what the providers
// accepted matches the timeline, the summary counts what the outbox says, and one seed gives one run.

const dir = mkdtempSync(join(tmpdir(), 'simulate-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const faults = join(dir, 'faults.json');
writeFileSync(
  faults,
  JSON.stringify({
    seed: 11,
    quotas: { email: { perSecond: 2, perDay: 10_000 }, sms: { perSecond: 1 } },
    lambdaConcurrency: 50,
    faults: [
      { call: 'ses:SendEmail', kind: 'throttle', rate: 0.1 },
      { call: 'ses:SendEmail', kind: '5xx', rate: 0.05 },
      { call: 'ses:SendEmail', kind: 'reset-after-accept', rate: 0.05 },
      { call: 'sns:Publish', kind: 'throttle', rate: 0.1 },
      { call: 'lambda:send-stage', kind: 'crash-after-send', rate: 0.03 },
      { call: 'lambda:plan-stage', kind: '5xx', rate: 0.05 },
      { call: 'sfn:SendTaskSuccess', kind: 'throttle', rate: 0.2 },
    ],
  }),
);
const events = join(dir, 'events.jsonl');
writeFileSync(events, '{"at":"2026-12-06T15:00:00Z","type":"payment","invoiceId":"INV-2026-0003"}\n');

function simulate(outbox: string) {
  const run = spawnSync(
    process.execPath,
    [
      'bin/dunning.js',
      'simulate',
      '--rule',
      'rules/default.json',
      '--invoices',
      'examples/invoices.csv',
      '--events',
      events,
      '--faults',
      faults,
      '--outbox',
      outbox,
    ],
    { encoding: 'utf8', timeout: 50_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  const summary = run.stderr.split('\n').find((line) => line.startsWith('Faults ')) ?? '';
  const timeline = run.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, string>);
  const text = readFileSync(outbox, 'utf8');
  const lines = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, string | null>);
  return { summary, timeline, text, lines };
}

const count = (summary: string, pattern: RegExp): number => Number(pattern.exec(summary)?.[1] ?? Number.NaN);

describe('dunning simulate --faults --outbox', () => {
  it('records what the providers accepted, counts it, and runs the same twice from one seed', () => {
    const first = simulate(join(dir, 'outbox-1.jsonl'));
    const second = simulate(join(dir, 'outbox-2.jsonl'));
    expect(second.text).toBe(first.text);
    expect(second.summary).toBe(first.summary);

    const { summary, timeline, lines } = first;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(Object.keys(line)).toEqual(['at', 'channel', 'messageId', 'invoiceId', 'stageId']);

    // Every message the timeline says went out was accepted by its provider, at that instant or before (a send in
    // doubt, its connection reset after SES accepted it, is recorded when its retry finds the message gone).
    const key = (invoice: unknown, stage: unknown, channel: unknown) =>
      `${String(invoice)} ${String(stage)} ${String(channel)}`;
    const firstAccepted = new Map<string, string>();
    for (const l of lines) {
      const k = key(l.invoiceId, l.stageId, l.channel);
      if (!firstAccepted.has(k)) firstAccepted.set(k, String(l.at));
    }
    const sent = timeline.filter((e) => e.event === 'sent' && e.reason !== 'consolidated');
    for (const e of sent) {
      const at = firstAccepted.get(key(e.invoiceId, e.stage, e.channel));
      expect(at, key(e.invoiceId, e.stage, e.channel)).toBeDefined();
      expect(String(at) <= String(e.at)).toBe(true);
    }
    const escalated = timeline.filter((e) => e.event === 'escalated' && e.reason === undefined);
    expect(lines.filter((l) => l.channel === 'escalate')).toHaveLength(escalated.length);
    // What the timeline does not show went out under an injected crash right after the send (its record never
    // written) or as a second copy.
    const crashes = count(summary, /lambda:send-stage crash-after-send (\d+)/) || 0;
    const messages = lines.filter((l) => l.channel !== 'escalate');
    expect(messages.length - sent.length).toBeLessThanOrEqual(crashes + count(summary, /\((\d+) extra message/));

    // The summary counts what the outbox and the timeline say.
    expect(count(summary, /: (\d+) message\(s\) accepted/)).toBe(lines.length);
    const perKey = new Map<string, number>();
    for (const l of lines) {
      const k = key(l.invoiceId, l.stageId, l.channel);
      perKey.set(k, (perKey.get(k) ?? 0) + 1);
    }
    expect(count(summary, /(\d+) duplicate\(s\) at the provider/)).toBe(
      [...perKey.values()].filter((n) => n > 1).length,
    );
    const paidAt = new Map(timeline.filter((e) => e.event === 'paid').map((e) => [e.invoiceId, e.at]));
    const afterPayment = lines.filter((l) => {
      const paid = paidAt.get(String(l.invoiceId));
      return paid !== undefined && String(l.at) > paid;
    }).length;
    expect(paidAt.size).toBe(1);
    expect(count(summary, /(\d+) message\(s\) after payment/)).toBe(afterPayment);
    const failed = new Set(timeline.filter((e) => e.event === 'failed').map((e) => e.invoiceId));
    expect(count(summary, /(\d+) failed walk\(s\)/)).toBe(failed.size);
    expect(count(summary, /(\d+) fault\(s\) absorbed/)).toBeGreaterThan(0);
  }, 110_000);
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FaultPlane, type OutboxEntry, RollingWindow } from '../../../../local/emulators/fault-plane';
import {
  faultReport,
  mergeOutboxes,
  readOutbox,
  restoreEmailTags,
  writeOutbox,
} from '../../../../local/simulator/outbox';
import type { TimelineEvent } from '../../../../local/simulator/timeline';

const dir = mkdtempSync(join(tmpdir(), 'outbox-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rolling quota windows', () => {
  it('allows `limit` events in any rolling second, and one more once the oldest is a full second old', () => {
    const window = new RollingWindow(2, 1000);
    expect(window.allows(0)).toBe(true);
    window.record(0);
    window.record(500);
    expect(window.allows(999)).toBe(false);
    // (now − 1 s, now]: the event at 0 leaves the window at 1000
    expect(window.allows(1000)).toBe(true);
    window.record(1000);
    expect(window.allows(1499)).toBe(false);
    expect(window.allows(1500)).toBe(true);
  });

  it('counts a rolling 24 h, not a calendar day', () => {
    const day = 86_400_000;
    const window = new RollingWindow(3, day);
    const t0 = Date.parse('2026-12-01T23:00:00Z');
    for (const at of [t0, t0 + 3_600_000, t0 + 7_200_000]) window.record(at);
    // past midnight UTC, still inside 24 h of the first
    expect(window.allows(t0 + 8 * 3_600_000)).toBe(false);
    expect(window.allows(t0 + day - 1)).toBe(false);
    expect(window.allows(t0 + day)).toBe(true);
  });

  it('refuses what exceeds the SES and SMS quotas of a profile, with the services’ wording', () => {
    let now = new Date('2026-12-01T12:00:00Z');
    const plane = new FaultPlane(
      { seed: 1, quotas: { email: { perSecond: 1, perDay: 2 }, sms: { perSecond: 1 } }, faults: [] },
      0,
      () => now,
    );
    const entry = { messageId: 'm', invoiceId: 'INV-1', stageId: 'D0' };
    expect(plane.quotaRefusal('email')).toBeUndefined();
    plane.accepted('ses:SendEmail', { ...entry, channel: 'email' }, undefined);
    expect(plane.quotaRefusal('email')?.message).toBe('Maximum sending rate exceeded.');
    now = new Date(now.getTime() + 1000);
    plane.accepted('ses:SendEmail', { ...entry, channel: 'email' }, undefined);
    now = new Date(now.getTime() + 1000);
    expect(plane.quotaRefusal('email')?.message).toBe('Daily message quota exceeded.');
    expect(plane.quotaRefusal('sms')).toBeUndefined();
    expect(Object.fromEntries(plane.refused)).toEqual({ 'email.perSecond': 1, 'email.perDay': 1 });
  });
});

describe('the fault plane’s draws', () => {
  it('draws the same faults from the same seed and shard, others from another shard', () => {
    const profile = {
      seed: 42,
      quotas: {},
      faults: [{ call: 'ses:SendEmail' as const, kind: 'throttle' as const, rate: 0.5 }],
    };
    const draws = (shard: number) => {
      const plane = new FaultPlane(profile, shard, () => new Date(0));
      return Array.from({ length: 40 }, () => plane.draw('ses:SendEmail', ['throttle']) ?? '-').join(',');
    };
    expect(draws(0)).toBe(draws(0));
    expect(draws(0)).not.toBe(draws(1));
    expect(draws(0)).toContain('throttle');
    expect(draws(0)).toContain('-');
  });
});

describe('outbox', () => {
  const entry = (at: string, messageId: string, channel: OutboxEntry['channel'] = 'email'): OutboxEntry => ({
    channel,
    at,
    stageId: 'D0',
    invoiceId: 'INV-1',
    messageId,
  });

  it('writes one JSON line per message, keys in the documented order, and reads it back', () => {
    const file = join(dir, 'outbox.jsonl');
    const entries = [entry('2026-12-01T12:00:00.000Z', 'ses-0-1'), entry('2026-12-02T12:00:00.000Z', 'sns-0-2', 'sms')];
    writeOutbox(file, entries);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toBe(
      '{"at":"2026-12-01T12:00:00.000Z","channel":"email","messageId":"ses-0-1","invoiceId":"INV-1","stageId":"D0"}',
    );
    expect(lines).toHaveLength(3);
    expect(readOutbox(file)).toEqual(entries);
  });

  it('maps an email’s SES tags back to the invoice and stage ids they stand for (SES tags cannot hold “+”)', () => {
    const tagged = [
      { ...entry('2026-12-08T13:00:00.000Z', 'm1'), stageId: 'D_7' },
      { ...entry('2026-12-08T13:00:00.000Z', 'm2', 'sms'), stageId: 'D+7' },
      { ...entry('2026-12-08T13:00:00.000Z', 'm3'), invoiceId: 'INV_9', stageId: 'D0' },
    ];
    const restored = restoreEmailTags(tagged, ['INV-1', 'INV+9'], ['D0', 'D+7']);
    expect(restored.map((e) => [e.invoiceId, e.stageId])).toEqual([
      ['INV-1', 'D+7'],
      ['INV-1', 'D+7'],
      ['INV+9', 'D0'],
    ]);
    // two ids with one tag: the tag is kept
    expect(restoreEmailTags(tagged.slice(0, 1), [], ['D+7', 'D 7'])[0]?.stageId).toBe('D_7');
  });

  it('merges shards in time order, then shard order, then acceptance order', () => {
    const a = [entry('2026-12-01T12:00:00.000Z', 'a1'), entry('2026-12-03T12:00:00.000Z', 'a2')];
    const b = [entry('2026-12-01T12:00:00.000Z', 'b1'), entry('2026-12-02T12:00:00.000Z', 'b2')];
    expect(mergeOutboxes([a, b]).map((e) => e.messageId)).toEqual(['a1', 'b1', 'b2', 'a2']);
  });

  it('counts duplicates per invoice·stage·channel and messages after the payment instant', () => {
    const outbox = [
      entry('2026-12-01T12:00:00.000Z', 'm1'),
      entry('2026-12-01T12:00:30.000Z', 'm2'),
      entry('2026-12-01T12:00:00.000Z', 'm3', 'sms'),
      { ...entry('2026-12-05T12:00:00.000Z', 'm4'), stageId: 'D+7' },
    ];
    const timeline: TimelineEvent[] = [
      { at: '2026-12-03T10:00:00.000Z', invoiceId: 'INV-1', customerId: 'C-1', event: 'paid' },
      {
        at: '2026-12-06T10:00:00.000Z',
        invoiceId: 'INV-2',
        customerId: 'C-2',
        event: 'failed',
        reason: 'Lambda.Unknown',
      },
    ];
    const report = faultReport(3, outbox, timeline, {
      injected: { 'ses:SendEmail throttle': 2, 'lambda:send-stage crash-after-send': 1 },
      refused: {},
      restarted: 0,
    });
    expect(report).toMatchObject({
      accepted: 4,
      acceptedByChannel: { email: 3, sms: 1 },
      duplicateKeys: 1,
      duplicateMessages: 1,
      afterPayment: 1,
      failedWalks: 1,
      faultsAbsorbed: 3,
    });
  });
});

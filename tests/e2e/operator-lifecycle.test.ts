import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { startHttpApi } from '../../local/system/http-api';
import { localControl, type Pace } from '../../local/system/local-control';
import { LocalSystem } from '../../local/system/system';
import { registrationFixture } from '../support/fixtures';
import { callApi, type Json } from '../support/local-api';

// Issue #5 on the local system, driven only over HTTP: the operator routes, the virtual clock's control route, and
// what went out read back from the contact log, the mailbox and the SMS outbox. One system for the file; its clock
// only moves forward, each test starting where the previous one left it. Default rule: D-3 email, D0 email + SMS,
// D+3 SMS, D+7 email + SMS, D+15 email, D+30 escalation; São Paulo hours Mon–Fri 08–20, Sat 08–14.

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
let system: LocalSystem;
let api: { url: string; close(): Promise<void> };

beforeAll(async () => {
  system = await LocalSystem.start({ config, start: new Date('2026-11-20T12:00:00.000Z') });
  const pace: Pace = { speed: 0 };
  api = await startHttpApi({
    invoke: (handler, event) => system.invokeApi(handler, event),
    control: localControl(system, pace),
  });
});

afterAll(async () => {
  await api?.close();
  await system?.stop();
});

const call = (method: string, path: string, body?: unknown) => callApi(api.url, method, path, body);

const advanceTo = (at: string) => call('POST', '/_local/clock', { advanceTo: at });

function invoice(id: string, dueDate: string, overrides: Record<string, unknown> = {}) {
  return registrationFixture(id, { dueDate, paymentUrl: undefined, ...overrides });
}

/** What went out for an invoice (contact log `sent`, joined with the mailbox / SMS outbox): `<at> <stage> <channel>`. */
async function delivered(invoiceId: string): Promise<string[]> {
  const { body } = await call('GET', `/invoices/${invoiceId}`);
  const emails = await system.aws.mailbox();
  const sms = system.aws.smsOutbox();
  return (body.contacts as { at: string; stageId: string; channel: string; outcome: string; messageId?: string }[])
    .filter((c) => c.outcome === 'sent')
    .filter((c) => emails.some((e) => e.messageId === c.messageId) || sms.some((s) => s.messageId === c.messageId))
    .map((c) => `${c.at} ${c.stageId} ${c.channel}`);
}

async function timeline(invoiceId: string): Promise<string[]> {
  const { body } = await call('GET', `/_local/timeline?invoiceId=${invoiceId}`);
  return (body as { at: string; stage?: string; channel?: string; event: string; reason?: string }[]).map((e) =>
    [e.at, e.stage, e.channel, e.event, e.reason].filter(Boolean).join(' '),
  );
}

async function lastState(invoiceId: string): Promise<string | undefined> {
  const { body } = await call('GET', `/_local/executions/${invoiceId}`);
  return (body.history as { type: string; stateName?: string }[]).filter((e) => e.type === 'StateEntered').at(-1)
    ?.stateName;
}

describe('pausing and resuming an invoice over the API', () => {
  it('holds every message while paused and resumes with the stage that fell due, the earlier one superseded', async () => {
    // Prepare: due Tue 2026-12-01; D-3 (Sat 28th 09:00 local) goes out
    await call('POST', '/invoices', invoice('INV-OPS-1', '2026-12-01'));
    await advanceTo('2026-11-29T12:00:00.000Z');

    // Act: paused before D0, resumed on Fri 4th 21:00 local (D0 and D+3 fell due meanwhile)
    const paused = await call('POST', '/invoices/INV-OPS-1/pause', { reason: 'customer asked for a week' });
    await advanceTo('2026-12-05T00:00:00.000Z');
    const whilePaused = await call('GET', '/invoices/INV-OPS-1');
    const stateWhilePaused = await lastState('INV-OPS-1');
    const resumed = await call('POST', '/invoices/INV-OPS-1/resume', { reason: 'the week is over' });
    await advanceTo('2026-12-09T00:00:00.000Z');

    // Assess
    expect(paused).toMatchObject({ status: 200, body: { status: 'PAUSED', previousStatus: 'OPEN' } });
    expect(paused.body.resumedWorkflow).toBe(true);
    expect(whilePaused.body.invoice).toMatchObject({
      status: 'PAUSED',
      hold: { kind: 'pause', reason: 'customer asked for a week', resumeTo: 'OPEN' },
    });
    expect(stateWhilePaused).toBe('Paused or disputed (wait for resume)');
    expect(resumed).toMatchObject({ status: 200, body: { status: 'OPEN', resumedWorkflow: true } });
    expect(await delivered('INV-OPS-1')).toEqual([
      '2026-11-28T12:00:00.000Z D-3 email',
      // D+3 at once on resume, but it was Friday 21:00 local: deferred to Saturday 08:00
      '2026-12-05T11:00:00.000Z D+3 sms',
      '2026-12-08T13:00:00.000Z D+7 email',
      '2026-12-08T13:00:00.000Z D+7 sms',
    ]);
    expect(await timeline('INV-OPS-1')).toEqual(
      expect.arrayContaining([
        '2026-11-29T12:00:00.000Z paused',
        '2026-12-05T00:00:00.000Z resumed',
        '2026-12-05T00:00:00.000Z D0 skipped superseded',
        '2026-12-05T00:00:01.000Z D+3 deferred outside-business-hours',
      ]),
    );
  });

  it('refuses a pause without a reason (400) and a second pause (409), naming the field or the status', async () => {
    await call('POST', '/invoices/INV-OPS-1/pause', { reason: 'again' });

    const noReason = await call('POST', '/invoices/INV-OPS-1/resume', {});
    const twice = await call('POST', '/invoices/INV-OPS-1/pause', { reason: 'and again' });
    const unknown = await call('POST', '/invoices/NOPE/pause', { reason: 'who?' });
    await call('POST', '/invoices/INV-OPS-1/resume', { reason: 'carry on' });

    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details).toEqual([{ path: 'reason', issue: expect.stringContaining('is required') }]);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'InvalidTransition', message: expect.stringContaining('PAUSED') });
    expect(unknown.status).toBe(404);
  });
});

describe('disputing and resolving an invoice over the API', () => {
  it('contacts nobody while disputed and, once resolved, sends the stage that fell due at once', async () => {
    // Prepare: due Wed 2026-12-16; D-3 fell on Sunday 13th → Monday 14th 08:00 local
    await call('POST', '/invoices', invoice('INV-OPS-2', '2026-12-16'));
    await advanceTo('2026-12-14T15:00:00.000Z');

    // Act
    const disputed = await call('POST', '/invoices/INV-OPS-2/dispute', { reason: 'says it was paid in cash' });
    await advanceTo('2026-12-18T15:00:00.000Z');
    const resumeInstead = await call('POST', '/invoices/INV-OPS-2/resume', { reason: 'wrong button' });
    const resolved = await call('POST', '/invoices/INV-OPS-2/resolve', { reason: 'no receipt: the debt stands' });
    await advanceTo('2026-12-19T00:00:00.000Z');

    // Assess
    expect(disputed.body).toMatchObject({ status: 'DISPUTED', previousStatus: 'OPEN' });
    expect(resumeInstead.status).toBe(409);
    expect(resolved.body).toMatchObject({ status: 'OPEN', previousStatus: 'DISPUTED' });
    expect(await delivered('INV-OPS-2')).toEqual([
      '2026-12-14T11:00:00.000Z D-3 email',
      '2026-12-18T15:00:01.000Z D0 email', // D0 (Wed 16th) fell due while disputed
      '2026-12-18T15:00:01.000Z D0 sms',
    ]);
    expect(await timeline('INV-OPS-2')).toEqual(
      expect.arrayContaining(['2026-12-14T15:00:00.000Z disputed', '2026-12-18T15:00:00.000Z resumed resolved']),
    );
  });
});

describe('a promise to pay over the API', () => {
  it('pauses dunning until the promised date; paying the promised amount in time settles the invoice', async () => {
    // Prepare: due Mon 2026-12-28; D-3 fell on Christmas → Sat 26th 08:00 local
    await call('POST', '/invoices', invoice('INV-OPS-3', '2026-12-28'));
    await advanceTo('2026-12-26T15:00:00.000Z');

    // Act
    const promised = await call('POST', '/invoices/INV-OPS-3/promises', { date: '2026-12-30' });
    await advanceTo('2026-12-29T15:00:00.000Z');
    const whilePromised = await call('GET', '/invoices/INV-OPS-3');
    const paid = await call('POST', '/invoices/INV-OPS-3/payments', { amount: '289.90' });
    await advanceTo('2027-01-02T00:00:00.000Z');

    // Assess
    expect(promised.body).toMatchObject({
      status: 'PAUSED',
      events: ['promised'],
      promise: { date: '2026-12-30', amount: '289.90', currency: 'BRL' },
    });
    // the wait ends at the promise's deadline: the start of the day after the date, in the debtor's zone
    expect(whilePromised.body.invoice).toMatchObject({ status: 'PAUSED', waitUntil: '2026-12-31T03:00:00.000Z' });
    expect(paid.body).toMatchObject({ event: 'paid', status: 'PAID', promiseKept: true, resumedWorkflow: true });
    expect(await lastState('INV-OPS-3')).toBe('Invoice paid');
    expect(await delivered('INV-OPS-3')).toEqual(['2026-12-26T11:00:00.000Z D-3 email']);
    expect(await timeline('INV-OPS-3')).toEqual(
      expect.arrayContaining(['2026-12-26T15:00:00.000Z paused promise-to-pay', '2026-12-29T15:00:00.000Z paid']),
    );
  });

  it('is broken when the promised day passes unpaid: dunning resumes with the stage that fell due', async () => {
    // Prepare: due Fri 2027-01-08; D-3 Tue 5th 09:00 local
    await call('POST', '/invoices', invoice('INV-OPS-4', '2027-01-08'));
    await advanceTo('2027-01-06T15:00:00.000Z');

    // Act: promised for Fri 8th, nothing paid
    await call('POST', '/invoices/INV-OPS-4/promises', { date: '2027-01-08', amount: '100.00' });
    await advanceTo('2027-01-10T00:00:00.000Z');

    // Assess: broken at Sat 9th 00:00 local (03:00Z); D0 (Fri 8th) is due: sent at 08:00 local
    expect(await timeline('INV-OPS-4')).toEqual(
      expect.arrayContaining([
        '2027-01-06T15:00:00.000Z paused promise-to-pay',
        '2027-01-09T03:00:00.000Z resumed promise-broken',
        '2027-01-09T03:00:01.000Z D0 deferred outside-business-hours',
      ]),
    );
    expect(await delivered('INV-OPS-4')).toEqual([
      '2027-01-05T12:00:00.000Z D-3 email',
      '2027-01-09T11:00:00.000Z D0 email',
      '2027-01-09T11:00:00.000Z D0 sms',
    ]);
    expect((await call('GET', '/invoices/INV-OPS-4')).body.invoice.status).toBe('OPEN');
  });

  it('refuses a date in the past, an amount above the balance and a promise on a disputed invoice', async () => {
    await call('POST', '/invoices', invoice('INV-OPS-5', '2027-02-01'));
    await call('POST', '/invoices/INV-OPS-5/dispute', { reason: 'not mine' });

    const past = await call('POST', '/invoices/INV-OPS-4/promises', { date: '2027-01-01' });
    const tooMuch = await call('POST', '/invoices/INV-OPS-4/promises', { date: '2027-01-20', amount: '999.00' });
    const disputed = await call('POST', '/invoices/INV-OPS-5/promises', { date: '2027-01-20' });

    expect(past.status).toBe(400);
    expect(past.body.error.details).toEqual([
      { path: 'date', issue: 'is in the past (today is 2027-01-09 for the debtor)' },
    ]);
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error.details).toEqual([{ path: 'amount', issue: 'is more than the balance 289.90 BRL' }]);
    expect(disputed.status).toBe(409);
    expect(disputed.body.error.code).toBe('InvalidTransition');
  });
});

describe('payments over the API and in payment files', () => {
  it('keeps what is paid beyond the balance as credit, ends the walk, and applies a reference only once', async () => {
    await call('POST', '/invoices', invoice('INV-OPS-6', '2027-01-20'));
    await advanceTo('2027-01-12T00:00:00.000Z');

    const overpaid = await call('POST', '/invoices/INV-OPS-6/payments', { amount: '300.00', reference: 'PIX-6' });
    const again = await call('POST', '/invoices/INV-OPS-6/payments', { amount: '300.00', reference: 'PIX-6' });
    const stored = await call('GET', '/invoices/INV-OPS-6');

    expect(overpaid.body).toMatchObject({
      event: 'paid',
      status: 'PAID',
      balance: { decimal: '0.00' },
      excess: { decimal: '10.10', currency: 'BRL' },
      credit: { decimal: '10.10' },
    });
    expect(again.body).toMatchObject({ event: 'duplicate', status: 'PAID' });
    expect(stored.body.invoice).toMatchObject({ status: 'PAID', balanceMinor: 0, creditMinor: 1010 });
    expect(await lastState('INV-OPS-6')).toBe('Invoice paid');
    expect(await timeline('INV-OPS-6')).toContain('2027-01-12T00:00:00.000Z paid overpaid');
  });

  it('records each row of a file dropped under payments/ and reports the bad rows next to it', async () => {
    // Prepare
    await call('POST', '/invoices', invoice('INV-OPS-7', '2027-01-25'));
    await call('POST', '/invoices', invoice('INV-OPS-8', '2027-01-25'));
    await advanceTo('2027-01-13T00:00:00.000Z');
    const s3 = new S3Client({
      endpoint: system.endpoints.s3,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const csv = [
      'invoiceId,amount,paidAt,reference',
      'INV-OPS-7,289.90,2027-01-12T18:00:00-03:00,BOLETO-7',
      'INV-OPS-8,89.90,,BOLETO-8',
      'INV-OPS-404,10.00,,',
      'INV-OPS-8,ten,,',
    ].join('\n');
    await s3.send(new PutObjectCommand({ Bucket: system.resources.bucket, Key: 'payments/bank-0113.csv', Body: csv }));

    // Act
    const outcome = await system.ingestPayments('payments/bank-0113.csv');
    await advanceTo('2027-01-14T00:00:00.000Z');

    // Assess
    expect(outcome?.report?.totals).toEqual({ rows: 4, applied: 2, duplicates: 0, rejected: 2, failed: 0 });
    expect(outcome?.report?.rejected.map((r) => `${r.line} ${r.issues[0]?.path}`)).toEqual(['4 invoiceId', '5 amount']);
    expect((await call('GET', '/invoices/INV-OPS-7')).body.invoice.status).toBe('PAID');
    expect(await lastState('INV-OPS-7')).toBe('Invoice paid');
    expect((await call('GET', '/invoices/INV-OPS-8')).body.invoice).toMatchObject({
      status: 'OPEN',
      balanceMinor: 20000,
    });
    const processed = await s3.send(
      new GetObjectCommand({ Bucket: system.resources.bucket, Key: 'processed/payments/bank-0113.csv' }),
    );
    expect(await processed.Body?.transformToString()).toBe(csv);
    s3.destroy();
  });
});

describe('writing off and escalating over the API', () => {
  it('ends the walk on a write-off; a payment afterwards is refused with 409', async () => {
    await call('POST', '/invoices', invoice('INV-OPS-9', '2027-01-26'));
    await advanceTo('2027-01-15T00:00:00.000Z');

    const writtenOff = await call('POST', '/invoices/INV-OPS-9/write-off', { reason: 'debtor insolvent' });
    await advanceTo('2027-01-16T00:00:00.000Z');
    const payment = await call('POST', '/invoices/INV-OPS-9/payments', { amount: '10.00' });

    expect(writtenOff.body).toMatchObject({ status: 'WRITTEN_OFF', previousStatus: 'OPEN', resumedWorkflow: true });
    expect(await lastState('INV-OPS-9')).toBe('Dunning stopped (invoice closed)');
    expect(await timeline('INV-OPS-9')).toContain('2027-01-15T00:00:00.000Z written-off');
    expect(payment.status).toBe(409);
    expect(payment.body.error.code).toBe('InvoiceNotOpen');
  });

  it("publishes an operator's escalation to the operators topic at once, and the walk goes on", async () => {
    await call('POST', '/invoices', invoice('INV-OPS-10', '2027-01-27'));
    await advanceTo('2027-01-17T00:00:00.000Z');

    const escalated = await call('POST', '/invoices/INV-OPS-10/escalate', {
      reason: 'asked for a lawyer',
      to: 'legal',
    });
    await advanceTo('2027-01-25T00:00:00.000Z');

    expect(escalated.body).toMatchObject({ status: 'ESCALATED', events: ['escalated'] });
    const operators = system.aws.topicMessages(system.resources.topicArn);
    const notice = operators.find((m) => m.messageId === escalated.body.notificationId);
    expect(JSON.parse(notice?.message ?? '{}')).toMatchObject({
      kind: 'escalation',
      manual: true,
      to: 'legal',
      invoiceId: 'INV-OPS-10',
    });
    // D-3 (Sun 24th → Mon 25th 08:00 local) has not come yet; the walk still waits for it
    expect(await lastState('INV-OPS-10')).toBe('D-3 · wait or payment');
    expect(await timeline('INV-OPS-10')).toContain('2027-01-17T00:00:00.000Z escalated manual');
  });
});

describe("an invoice's audit trail over the API", () => {
  it('returns every event in order: registration, each contact attempt with its message id, the hold, deferrals', async () => {
    const { status, body } = await call('GET', '/invoices/INV-OPS-1/history');

    expect(status).toBe(200);
    expect(body).toMatchObject({ invoiceId: 'INV-OPS-1', status: 'ESCALATED', currency: 'BRL' }); // D+30 was reached
    const lines = (body.history as Json[]).map((e) =>
      e.type === 'contact'
        ? `${e.at} ${e.stage} ${e.channel} ${e.outcome}${e.template ? ` ${e.template}` : ''}${e.reason ? ` (${e.reason})` : ''}`
        : `${e.at} ${e.type}${e.reason ? ` (${e.reason})` : ''}`,
    );
    expect(lines.slice(0, 12)).toEqual([
      '2026-11-20T12:00:00.000Z registered',
      '2026-11-20T12:00:00.000Z execution-started',
      '2026-11-28T12:00:00.000Z D-3 email sent reminder',
      '2026-11-29T12:00:00.000Z paused (customer asked for a week)',
      '2026-12-05T00:00:00.000Z resumed (the week is over)',
      '2026-12-05T00:00:00.000Z D0 * superseded (superseded)',
      '2026-12-05T00:00:01.000Z D+3 * deferred (outside-business-hours)',
      '2026-12-05T11:00:00.000Z D+3 sms sent overdue',
      '2026-12-08T13:00:00.000Z D+7 email sent overdue',
      '2026-12-08T13:00:00.000Z D+7 sms sent overdue',
      '2026-12-09T00:00:00.000Z paused (again)',
      '2026-12-09T00:00:00.000Z resumed (carry on)',
    ]);
    const sent = (body.history as Json[]).filter((e) => e.type === 'contact' && e.outcome === 'sent');
    for (const e of sent) expect(e.messageId, `${e.stage} ${e.channel}`).toEqual(expect.any(String));
    const deferred = (body.history as Json[]).find((e) => e.outcome === 'deferred');
    expect(deferred?.until).toBe('2026-12-05T11:00:00.000Z');
  });
});

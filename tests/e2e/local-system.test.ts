import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import type { LocalSystem } from '../../local/system/system';
import { registrationFixture } from '../support/fixtures';
import { callApi, type Json, startSystemWithApi } from '../support/local-api';

// The local system in this process, driven only from outside: the real HTTP API (fetch), the drop folder, an
// S3 PutObject into the drop bucket, and the virtual clock's control route. What went out is read back from the
// SES emulator's mailbox and the SMS endpoint's outbox; when it went out, from the contact log (GET /invoices/{id}).
// The tests share one clock, which only moves forward: each one starts where the previous one left it.

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
let system: LocalSystem;
let api: { url: string; close(): Promise<void> };
let dropDir: string;

beforeAll(async () => {
  dropDir = mkdtempSync(join(tmpdir(), 'dunning-e2e-drop-'));
  ({ system, api } = await startSystemWithApi({ config, start: new Date('2026-11-20T12:00:00.000Z'), dropDir }));
});

afterAll(async () => {
  await api?.close();
  await system?.stop();
  rmSync(dropDir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown) => callApi(api.url, method, path, body);

const advanceTo = (at: string) => call('POST', '/_local/clock', { advanceTo: at });

const invoice = registrationFixture;

/** The messages sent for an invoice: the contact log's virtual instants, joined with the mailbox / SMS outbox. */
async function delivered(invoiceId: string) {
  const { body } = await call('GET', `/invoices/${invoiceId}`);
  const sent = (
    body.contacts as { at: string; stageId: string; channel: string; outcome: string; messageId?: string }[]
  ).filter((c) => c.outcome === 'sent');
  const emails = await system.aws.mailbox();
  const sms = system.aws.smsOutbox();
  return sent.map((c) => {
    const email = emails.find((e) => e.messageId === c.messageId);
    const text = sms.find((s) => s.messageId === c.messageId);
    return {
      at: c.at,
      stage: c.stageId,
      channel: c.channel,
      to: email?.to[0] ?? text?.phoneNumber,
      delivered: Boolean(email ?? text),
    };
  });
}

async function executionOf(invoiceId: string) {
  return (await call('GET', `/_local/executions/${invoiceId}`)).body as {
    status: string;
    history: { type: string; stateName?: string; at: string }[];
  };
}

describe('registering through the HTTP API and walking the billing rule', () => {
  it('sends each stage at the rule time, in the debtor zone, to the mailbox and the SMS outbox', async () => {
    // Act: INV-E2E-1 is due Tue 2026-12-01 in São Paulo
    const registered = await call('POST', '/invoices', invoice('INV-E2E-1'));
    await advanceTo('2026-12-02T00:00:00.000Z');

    // Assess
    expect(registered.status).toBe(202);
    expect(registered.body.registered).toEqual(['INV-E2E-1']);
    expect(await delivered('INV-E2E-1')).toEqual([
      // D-3: Sat 2026-11-28 09:00 local (UTC-3), the reminder by email
      { at: '2026-11-28T12:00:00.000Z', stage: 'D-3', channel: 'email', to: 'inv-e2e-1@example.com', delivered: true },
      { at: '2026-12-01T12:00:00.000Z', stage: 'D0', channel: 'email', to: 'inv-e2e-1@example.com', delivered: true },
      { at: '2026-12-01T12:00:00.000Z', stage: 'D0', channel: 'sms', to: '+5511987650001', delivered: true },
    ]);
    const email = (await system.aws.mailbox()).find((e) => e.to.includes('inv-e2e-1@example.com'));
    expect(email?.from).toBe(config.sender.email);
    expect(email?.text).toContain('INV-E2E-1');
  });

  it('starts nothing new for a duplicate registration', async () => {
    // Prepare
    await call('POST', '/invoices', invoice('INV-E2E-3', { dueDate: '2026-12-20' }));
    await call('POST', '/_local/clock', { advanceBy: 0 }); // returns once the system is idle (the walk started)
    const before = (await call('GET', '/_local/executions')).body.length;

    // Act
    const again = await call('POST', '/invoices', invoice('INV-E2E-3', { dueDate: '2026-12-20', amount: '1.00' }));
    await advanceTo('2026-12-18T00:00:00.000Z'); // D-3: Thu 2026-12-17 09:00 local

    // Assess
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ registered: [], duplicates: ['INV-E2E-3'] });
    expect((await call('GET', '/_local/executions')).body.length).toBe(before);
    expect((await call('GET', '/invoices/INV-E2E-3')).body.invoice.amount.decimal).toBe('289.90');
    expect((await delivered('INV-E2E-3')).map((d) => `${d.stage} ${d.channel}`)).toEqual(['D-3 email']);
  });
  it('stops everything at once when the invoice is paid mid-way: no later message, the walk ends "Invoice paid"', async () => {
    // Prepare
    await call('POST', '/invoices', invoice('INV-E2E-2', { dueDate: '2026-12-23' }));
    await advanceTo('2026-12-22T00:00:00.000Z'); // D-3 (Sun 20th, deferred to Mon 21st 08:00) sent; D0 next

    // Act
    const paid = await call('POST', '/invoices/INV-E2E-2/payments', {});
    await advanceTo('2027-01-31T00:00:00.000Z');

    // Assess
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ event: 'paid', status: 'PAID', resumedWorkflow: true });
    expect((await delivered('INV-E2E-2')).map((d) => d.stage)).toEqual(['D-3']);
    const execution = await executionOf('INV-E2E-2');
    expect(execution.status).toBe('SUCCEEDED');
    const states = execution.history.filter((e) => e.type === 'StateEntered');
    expect(states.at(-1)).toMatchObject({ stateName: 'Invoice paid', at: '2026-12-22T00:00:00.000Z' });
  });
});

describe('the one-click unsubscribe link of every email', () => {
  it('carries List-Unsubscribe headers; a POST to the link opts the debtor out of email for every later stage', async () => {
    // Prepare: D-3 by email goes out (Fri 2027-02-12 09:00 local)
    await call('POST', '/invoices', invoice('INV-E2E-UNSUB', { dueDate: '2027-02-15' }));
    await advanceTo('2027-02-13T00:00:00.000Z');
    const email = (await system.aws.mailbox()).find((e) => e.to.includes('inv-e2e-unsub@example.com'));
    const header = email?.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    const link = /^<(.+)>$/.exec(header)?.[1] ?? '';

    // Act: the mail client's one-click POST, then the walk goes on
    const page = await fetch(link);
    const oneClick = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    await advanceTo('2027-03-01T00:00:00.000Z');

    // Assess
    expect(link.startsWith(`${api.url}/unsubscribe/`)).toBe(true);
    expect(email?.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    expect(email?.text).toContain(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect(oneClick.status).toBe(200);
    const { body } = await call('GET', '/invoices/INV-E2E-UNSUB');
    const outcomes = body.contacts.map((c: Json) => `${c.stageId} ${c.channel} ${c.outcome} ${c.reason ?? ''}`.trim());
    expect(outcomes).toEqual(
      expect.arrayContaining([
        'D-3 email sent',
        'D0 email skipped opted-out',
        'D0 sms sent',
        'D+7 email skipped opted-out',
      ]),
    );
  });
});

describe('registering by dropping a file', () => {
  it('registers the good rows of a CSV in the drop folder and reports the bad ones with line and field', async () => {
    // Act
    copyFileSync(join(PROJECT_ROOT, 'examples', 'invoices-with-errors.csv'), join(dropDir, 'incoming', 'mixed.csv'));
    const report = join(dropDir, 'rejected', 'mixed.csv.errors.json');
    await waitFor(() => existsSync(join(dropDir, 'processed', 'mixed.csv')) && existsSync(report));

    // Assess
    const errors = JSON.parse(readFileSync(report, 'utf8'));
    expect(errors.totals).toMatchObject({ rows: 6, registered: 3, rejected: 3 });
    expect(
      errors.rejected.map((r: { line: number; issues: { path: string }[] }) => [r.line, r.issues[0]?.path]),
    ).toEqual([
      [3, 'dueDate'],
      [4, 'currency'],
      [5, 'customerName'],
    ]);
    for (const id of ['INV-2026-0101', 'INV-2026-0105', 'INV-2026-0106']) {
      expect((await call('GET', `/invoices/${id}`)).status).toBe(200);
    }
    expect((await call('GET', '/invoices/INV-2026-0102')).status).toBe(404);
    expect(existsSync(join(dropDir, 'incoming', 'mixed.csv'))).toBe(false);
  });

  it('ingests a JSON Lines object put under incoming/ in the drop bucket, as the S3 notification does on AWS', async () => {
    // Prepare
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: system.endpoints.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const lines = [invoice('INV-E2E-S3-1'), invoice('INV-E2E-S3-2', { currency: 'BRLX' })].map((r) =>
      JSON.stringify(r),
    );

    // Act
    await s3.send(
      new PutObjectCommand({ Bucket: system.resources.bucket, Key: 'incoming/batch.jsonl', Body: lines.join('\n') }),
    );
    await waitFor(async () => (await call('GET', '/invoices/INV-E2E-S3-1')).status === 200);

    // Assess
    expect((await call('GET', '/invoices/INV-E2E-S3-2')).status).toBe(404);
    s3.destroy();
  });
});

describe("a customer's new contact details (PUT /customers/{id})", () => {
  it('sends every later message of the walk to the new address and number', async () => {
    // Prepare: due Tue 2027-04-13; registered with the fixture's address and number
    await call('POST', '/invoices', invoice('INV-E2E-PUT', { dueDate: '2027-04-13' }));
    await advanceTo('2027-03-20T00:00:00.000Z');

    // Act
    const updated = await call('PUT', '/customers/C-INV-E2E-PUT', {
      customerName: 'Maria Silva',
      email: 'maria.nova@example.com',
      phone: '+5521987650002',
      timezone: 'America/Sao_Paulo',
      locale: 'pt-BR',
      country: 'BR',
      region: 'SP',
    });
    const unknown = await call('PUT', '/customers/C-NOBODY', { customerName: 'Nobody' });
    const bad = await call('PUT', '/customers/C-INV-E2E-PUT', { customerName: 'Maria Silva', phone: '98765' });
    await advanceTo('2027-04-14T00:00:00.000Z');

    // Assess: D-3 (Sat 10th 09:00 local) and D0 (Tue 13th 09:00 local) reach only the new details
    expect(updated.status).toBe(200);
    expect(updated.body.customer).toMatchObject({ customerId: 'C-INV-E2E-PUT', email: 'maria.nova@example.com' });
    expect(unknown.status).toBe(404);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'phone', issue: expect.stringContaining('E.164') }]);
    expect(await delivered('INV-E2E-PUT')).toEqual([
      { at: '2027-04-10T12:00:00.000Z', stage: 'D-3', channel: 'email', to: 'maria.nova@example.com', delivered: true },
      { at: '2027-04-13T12:00:00.000Z', stage: 'D0', channel: 'email', to: 'maria.nova@example.com', delivered: true },
      { at: '2027-04-13T12:00:00.000Z', stage: 'D0', channel: 'sms', to: '+5521987650002', delivered: true },
    ]);
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceStore } from '../../functions/invoices/invoice-store';
import { parseBillingRule, type Stage } from '../../functions/rules/billing-rule';
import { DynamoInvoiceStore } from '../../functions/stores/dynamodb';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT, withRuleSet } from '../../lib/config';
import { startHttpApi } from '../../local/system/http-api';
import { localControl, type Pace } from '../../local/system/local-control';
import { LocalSystem } from '../../local/system/system';
import { registrationFixture } from '../support/fixtures';

// Issue #5 items 3, 7 and 8 on the local system, driven over HTTP: renegotiation into instalments, an early-payment
// offer paid in time, and the debtor's statement link. The default rule plus late fees (2% fine, 1% a month) and a 5%
// offer on D-3. One system for the file; its clock only moves forward, each test starting where the previous one left.

const shipped = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
const [d3, ...later] = shipped.rule.stages;
const rule = parseBillingRule({
  ...shipped.rule,
  id: 'fees-and-offer',
  lateFee: { finePercent: 2, monthlyInterestPercent: 1 },
  stages: [{ ...(d3 as Stage), offer: { discountPercent: 5 } }, ...later],
});
const config = withRuleSet(shipped, { rules: [rule], segments: [{ rule: rule.id }] });
/** The API's public address as the messages name it (a deployed stack's); the test opens their paths on the local API. */
const PUBLIC_API_URL = 'https://dunning.example.test/v1';

let system: LocalSystem;
let api: { url: string; close(): Promise<void> };
let invoices: InvoiceStore;
let client: DynamoDBDocumentClient;

beforeAll(async () => {
  system = await LocalSystem.start({
    config,
    start: new Date('2026-11-20T12:00:00.000Z'),
    publicApiUrl: PUBLIC_API_URL,
  });
  const pace: Pace = { speed: 0 };
  api = await startHttpApi({
    invoke: (handler, event) => system.invokeApi(handler, event),
    control: localControl(system, pace),
  });
  client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: system.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  invoices = new DynamoInvoiceStore(client, system.resources.tableName);
});

afterAll(async () => {
  client?.destroy();
  await api?.close();
  await system?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, each asserted field by field
type Json = any;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; text: string; headers: Headers }> {
  const response = await fetch(path.startsWith('http') ? path : `${api.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json');
  return { status: response.status, body: json && text ? JSON.parse(text) : null, text, headers: response.headers };
}

const advanceTo = (at: string) => call('POST', '/_local/clock', { advanceTo: at });

function invoice(id: string, dueDate: string, customerId = `C-${id}`) {
  return registrationFixture(id, { customerId, email: `${customerId.toLowerCase()}@example.com`, dueDate });
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

const INSTALMENTS = [
  { dueDate: '2026-12-28', amount: '98.89', paymentUrl: 'https://pay.example.com/AG-1/1' },
  { dueDate: '2027-01-28', amount: '98.89' },
  { dueDate: '2027-02-26', amount: '98.89' },
];

describe('renegotiating an invoice into instalments over the API', () => {
  it('refuses instalments that do not add up to the balance plus the late fees to date, naming the total', async () => {
    // Prepare: due Tue 2026-12-01; Fri 11th 12:00 local is 10 days late
    await call('POST', '/invoices', invoice('INV-AG-1', '2026-12-01'));
    await advanceTo('2026-12-11T15:00:00.000Z');

    // Act
    const short = await call('POST', '/invoices/INV-AG-1/agreements', {
      instalments: [
        { dueDate: '2026-12-28', amount: '144.95' },
        { dueDate: '2026-12-20', amount: '144.95' },
      ],
    });

    // Assess: 289.90 + fine 5.80 (2%) + interest 0.97 (1% a month over 10 days) = 296.67
    expect(short.status).toBe(400);
    expect(short.body.error.details).toEqual([
      {
        path: 'instalments.1.dueDate',
        issue: 'must be after the due date of instalments.0 (2026-12-28): due dates increase, got 2026-12-20',
      },
      {
        path: 'instalments',
        issue:
          'must add up to 296.67 BRL: the balance 289.90 BRL plus the late fees to date (fine 5.80 BRL, interest ' +
          '0.97 BRL, 10 days late); got 289.90 BRL',
      },
    ]);
    expect((await call('GET', '/invoices/INV-AG-1')).body.invoice.status).toBe('OPEN');
  });

  it('ends the original walk at once and registers each instalment as an invoice with its own walk', async () => {
    // Act
    const agreed = await call('POST', '/invoices/INV-AG-1/agreements', { instalments: INSTALMENTS });
    await advanceTo('2026-12-11T16:00:00.000Z');
    const original = await call('GET', '/invoices/INV-AG-1');
    const first = await call('GET', '/invoices/INV-AG-1-1of3');

    // Assess
    expect(agreed.status).toBe(201);
    expect(agreed.body).toMatchObject({
      event: 'renegotiated',
      status: 'RENEGOTIATED',
      previousStatus: 'OPEN',
      due: { total: { decimal: '296.67' }, fine: { decimal: '5.80' }, interest: { decimal: '0.97' }, daysLate: 10 },
      registered: ['INV-AG-1-1of3', 'INV-AG-1-2of3', 'INV-AG-1-3of3'],
      resumedWorkflow: true,
    });
    expect(await lastState('INV-AG-1')).toBe('Dunning stopped (invoice closed)');
    expect(original.body.invoice).toMatchObject({
      status: 'RENEGOTIATED',
      instalments: [
        { invoiceId: 'INV-AG-1-1of3', dueDate: '2026-12-28', amountMinor: 9889 },
        { invoiceId: 'INV-AG-1-2of3', dueDate: '2027-01-28', amountMinor: 9889 },
        { invoiceId: 'INV-AG-1-3of3', dueDate: '2027-02-26', amountMinor: 9889 },
      ],
    });
    expect(original.body.invoice.taskToken).toBeUndefined();
    expect(first.body.invoice).toMatchObject({
      status: 'OPEN',
      agreementOf: 'INV-AG-1',
      ruleId: 'fees-and-offer',
      balanceMinor: 9889,
      paymentUrl: 'https://pay.example.com/AG-1/1',
      customer: { customerId: 'C-INV-AG-1' },
    });
    // each instalment was started by the starter and waits for its D-3
    for (const id of ['INV-AG-1-1of3', 'INV-AG-1-2of3', 'INV-AG-1-3of3']) {
      expect(await lastState(id), id).toBe('D-3 · wait or payment');
    }
    expect(await timeline('INV-AG-1')).toContain('2026-12-11T15:00:00.000Z renegotiated');
    expect(await timeline('INV-AG-1-2of3')).toEqual(['2026-12-11T15:00:00.000Z registered']);
    const history = await call('GET', '/invoices/INV-AG-1/history');
    expect(history.body.history.at(-1)).toMatchObject({
      type: 'renegotiated',
      instalments: 3,
      instalmentIds: 'INV-AG-1-1of3,INV-AG-1-2of3,INV-AG-1-3of3',
      balance: '289.90',
      fine: '5.80',
      interest: '0.97',
      total: '296.67',
    });
  });

  it('answers the same agreement again as a duplicate, and another one, or a payment to the original, with 409', async () => {
    const again = await call('POST', '/invoices/INV-AG-1/agreements', { instalments: INSTALMENTS });
    const other = await call('POST', '/invoices/INV-AG-1/agreements', { instalments: INSTALMENTS.slice(0, 1) });
    const payment = await call('POST', '/invoices/INV-AG-1/payments', { amount: '10.00' });

    expect(again).toMatchObject({
      status: 200,
      body: { event: 'duplicate', duplicates: ['INV-AG-1-1of3', 'INV-AG-1-2of3', 'INV-AG-1-3of3'], registered: [] },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('InvalidTransition');
    expect(payment.status).toBe(409);
  });
});

describe('an early-payment offer paid in time over the API', () => {
  it('settles the invoice with the discounted amount on the due date: PAID, the discount recorded, the walk ended', async () => {
    // Prepare: due Tue 2026-12-22; D-3 (Sat 19th 09:00 local) goes out stating the offer, which the walk records
    await call('POST', '/invoices', invoice('INV-EP-1', '2026-12-22'));
    await advanceTo('2026-12-19T12:00:00.000Z');
    const offer = (await invoices.getInvoice('INV-EP-1'))?.earlyPayment;
    const reminder = (await system.aws.mailbox()).find((m) => m.to.includes('c-inv-ep-1@example.com'));

    // Act: 275.41 (289.90 less 5%, 275.405 half-up) paid at 20:00 local on the due date
    await advanceTo('2026-12-22T23:00:00.000Z');
    const paid = await call('POST', '/invoices/INV-EP-1/payments', { amount: '275.41' });
    await advanceTo('2026-12-23T00:00:00.000Z');

    // Assess
    expect(offer).toMatchObject({ payMinor: 27541, discountMinor: 1449, validUntil: '2026-12-23T03:00:00.000Z' });
    expect(reminder?.text).toContain(
      'Para pagamento até 22/12/2026, há um desconto de 5%: o valor a pagar fica em R$\u00a0275,41.',
    );
    expect(paid.body).toMatchObject({
      event: 'paid',
      status: 'PAID',
      balance: { decimal: '0.00' },
      discount: { decimal: '14.49', currency: 'BRL' },
      resumedWorkflow: true,
    });
    expect(await lastState('INV-EP-1')).toBe('Invoice paid');
    expect(await timeline('INV-EP-1')).toEqual(
      expect.arrayContaining(['2026-12-19T12:00:00.000Z D-3 email sent', '2026-12-22T23:00:00.000Z paid']),
    );
    const history = (await call('GET', '/invoices/INV-EP-1/history')).body.history as Json[];
    expect(history.find((e) => e.type === 'early-payment-offered')).toMatchObject({
      stageId: 'D-3',
      discountPercent: 5,
      pay: '275.41',
      discount: '14.49',
      payBy: '2026-12-22',
    });
    expect(history.find((e) => e.type === 'paid')).toMatchObject({ amount: '275.41', discount: '14.49' });
  });

  it('wants the whole balance after the due date: the same amount a day late is a partial payment', async () => {
    await call('POST', '/invoices', invoice('INV-EP-2', '2026-12-29'));
    await advanceTo('2026-12-26T12:00:00.000Z'); // D-3 (Sat 26th 09:00 local): the offer goes out and is recorded
    expect((await invoices.getInvoice('INV-EP-2'))?.earlyPayment).toMatchObject({ payMinor: 27541, stageId: 'D-3' });

    await advanceTo('2026-12-30T03:00:00.000Z'); // midnight after the due date in São Paulo
    const late = await call('POST', '/invoices/INV-EP-2/payments', { amount: '275.41' });

    expect(late.body).toMatchObject({ event: 'partially-paid', status: 'OPEN', balance: { decimal: '14.49' } });
    expect(late.body.discount).toBeUndefined();
  });
});

describe("the debtor's statement link", () => {
  let link: string;

  it("opens, without credentials, the debtor's open invoices as JSON: balances, fees to date, offers, links, totals", async () => {
    // Prepare: the statement link of C-INV-AG-1 (its three instalments) from the latest email it got (the D0 of
    // the first instalment, Mon 28th), opened on the local API
    const emails = (await system.aws.mailbox()).filter((m) => m.to.includes('c-inv-ag-1@example.com'));
    const links = emails.map((m) => m.text?.match(/https:\/\/\S+\/statements\/\S+/)?.[0]);
    expect(emails.length).toBeGreaterThan(0);
    expect(links.every((l) => l?.startsWith(`${PUBLIC_API_URL}/statements/`))).toBe(true);
    link = (links.at(-1) as string).replace(PUBLIC_API_URL, api.url);

    // Act
    const json = await call('GET', link, undefined, { accept: 'application/json' });

    // Assess
    expect(link).toMatch(new RegExp(`^${api.url}/statements/[A-Za-z0-9_-]+\\.\\d+\\.[A-Za-z0-9_-]{43}$`));
    expect(json.status).toBe(200);
    expect(json.headers.get('cache-control')).toBe('no-store');
    // Wed 30th 00:00 local: the first instalment is 2 days late (fine 1.98, interest 0.07 on 98.89)
    expect(json.body.invoices.map((i: Json) => `${i.invoiceId} ${i.dueDate} ${i.totalDue.decimal}`)).toEqual([
      'INV-AG-1-1of3 2026-12-28 100.94',
      'INV-AG-1-2of3 2027-01-28 98.89',
      'INV-AG-1-3of3 2027-02-26 98.89',
    ]);
    expect(json.body.invoices[0]).toMatchObject({
      agreementOf: 'INV-AG-1',
      paymentUrl: 'https://pay.example.com/AG-1/1',
      state: 'open',
    });
    expect(json.body.totals).toEqual([
      {
        currency: 'BRL',
        balance: { minor: 29667, currency: 'BRL', decimal: '296.67' },
        totalDue: { minor: 29872, currency: 'BRL', decimal: '298.72' },
      },
    ]);
    expect(json.text).not.toContain('INV-EP-1'); // another customer's
  });

  it('is a page in the debtor language by default; a changed link gets the 404 page, in the language asked for', async () => {
    const html = await call('GET', link);
    const forged = await call(
      'GET',
      link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      undefined,
      {
        'accept-language': 'pt-BR,pt;q=0.9',
      },
    );

    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.text).toContain('<h1>Seu extrato</h1>');
    expect(html.text).toContain('parcela de INV-AG-1');
    expect(html.text).toContain('<a href="https://pay.example.com/AG-1/1" rel="noopener noreferrer">Pagar</a>');
    expect(forged.status).toBe(404);
    expect(forged.text).toContain('Link inválido ou expirado');
  });

  it('shows the late fees to date once an instalment is late, and stops working after 30 days', async () => {
    // 2027-01-04: the first instalment (due 2026-12-28) is 7 days late; the link went out on 2026-12-28
    await advanceTo('2027-01-04T15:00:00.000Z');
    const late = await call('GET', link, undefined, { accept: 'application/json' });
    await advanceTo('2027-01-30T00:00:00.000Z');
    const expired = await call('GET', link, undefined, { accept: 'application/json' });

    // 98.89: fine 1.98 (2%), interest 0.23 (1% a month over 7 days = 0.2307)
    expect(late.body.invoices[0]).toMatchObject({
      lateFees: { daysLate: 7, fine: { decimal: '1.98' }, interest: { decimal: '0.23' } },
      totalDue: { decimal: '101.10' },
    });
    expect(expired.status).toBe(404);
    expect(expired.body.error.code).toBe('StatementNotFound');
  });
});

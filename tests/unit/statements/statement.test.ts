import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { handler, wantsJson } from '../../../functions/handlers/get-statement';
import { earlyPaymentOffer } from '../../../functions/invoices/early-payment';
import type { Invoice } from '../../../functions/invoices/invoice';
import { installClock } from '../../../functions/platform/clock';
import type { RuleTerms } from '../../../functions/rules/rule-terms';
import { buildStatement } from '../../../functions/statements/statement';
import { statementLinkFor } from '../../../functions/statements/statement-links';
import { renderInvalidStatementPage, renderStatementPage } from '../../../functions/statements/statement-page';
import {
  isValidStatementToken,
  parseStatementToken,
  statementLinkExpiry,
  statementToken,
  statementUrl,
} from '../../../functions/statements/statement-token';
import { stores } from '../../../functions/wiring';
import { customerFixture, invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

const SECRET = 'Zm9yLXRlc3RzLW9ubHktMTQ0Yml0cw';
const NOW = new Date('2026-12-20T15:00:00.000Z'); // Sun 20th, 12:00 in São Paulo
const EXPIRES = statementLinkExpiry(NOW); // 30 days later

describe('the statement link token (pure)', () => {
  const ids = fc.string({ minLength: 1, maxLength: 128 });
  const secrets = fc.string({ minLength: 16, maxLength: 40, unit: fc.constantFrom(...'abcXYZ019_-') });
  const instants = fc.integer({ min: 1_700_000_000, max: 4_000_000_000 });

  it('opens for its customer until it expires, whatever the id (property)', () => {
    fc.assert(
      fc.property(ids, secrets, instants, fc.integer({ min: 1, max: 10_000_000 }), (id, secret, expires, before) => {
        const parsed = parseStatementToken(statementToken(id, secret, expires));
        return (
          parsed?.customerId === id &&
          parsed.expires === expires &&
          isValidStatementToken(parsed, secret, new Date((expires - before) * 1000)) &&
          !isValidStatementToken(parsed, secret, new Date(expires * 1000))
        );
      }),
      { numRuns: 1_000 },
    );
  });

  it('is refused with any character changed, another secret, or another customer or expiry signed in (property)', () => {
    fc.assert(
      fc.property(ids, secrets, instants, fc.nat(), fc.constantFrom(...'AQgw_-09.x'), (id, secret, expires, at, ch) => {
        const token = statementToken(id, secret, expires);
        const index = at % token.length;
        fc.pre(token[index] !== ch);
        const forged = `${token.slice(0, index)}${ch}${token.slice(index + 1)}`;
        const now = new Date((expires - 60) * 1000);
        const parsed = parseStatementToken(forged);
        const original = parseStatementToken(token);
        return (
          (parsed === undefined || !isValidStatementToken(parsed, secret, now)) &&
          original !== undefined &&
          !isValidStatementToken(original, `${secret}x`, now)
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('has one spelling: another base64 spelling of the id, or the expiry with a leading zero, is no token', () => {
    const token = statementToken('C-10', SECRET, EXPIRES); // "Qy0xMA": the last character carries 4 unused bits

    expect(parseStatementToken(token)).toMatchObject({ customerId: 'C-10', expires: EXPIRES });
    expect(Buffer.from('Qy0xMB', 'base64url').toString('utf8')).toBe('C-10');
    expect(parseStatementToken(token.replace('Qy0xMA.', 'Qy0xMB.'))).toBeUndefined();
    expect(parseStatementToken(token.replace(`.${EXPIRES}.`, `.0${EXPIRES}.`))).toBeUndefined();
  });

  it('builds <base>/statements/<token> valid for 30 days', () => {
    const url = statementUrl({
      baseUrl: 'https://api.example.com/v1/',
      customerId: 'C-1',
      secret: SECRET,
      expiresAtEpochSeconds: EXPIRES,
    });

    expect(url).toMatch(/^https:\/\/api\.example\.com\/v1\/statements\/Qy0x\.1800370800\.[A-Za-z0-9_-]{43}$/);
    expect(new Date(EXPIRES * 1000).toISOString()).toBe('2027-01-19T15:00:00.000Z');
  });
});

const TERMS: Record<string, RuleTerms> = {
  standard: { timezone: 'America/Sao_Paulo', lastStageOffsetDays: 30 },
  'with-fees': {
    timezone: 'America/Sao_Paulo',
    lateFee: { finePercent: 2, monthlyInterestPercent: 1, fineCapPercent: 2 },
    lastStageOffsetDays: 30,
  },
};
const termsOf = (ruleId: string) => TERMS[ruleId] ?? (TERMS.standard as RuleTerms);

/** One debtor's invoices: late with fees, paused, disputed, an instalment with an offer, and closed or foreign ones. */
function portfolio(): Invoice[] {
  const upcoming = invoiceFixture({
    invoiceId: 'INV-4-1of2',
    dueDate: '2026-12-22',
    amount: { minor: 50000, currency: 'BRL' },
    balanceMinor: 50000,
    agreementOf: 'INV-4',
    paymentUrl: 'javascript:alert(1)',
  });
  const offer = earlyPaymentOffer(
    { id: 'D-3', offsetDays: -3, offer: { discountPercent: 5 } },
    upcoming,
    'America/Sao_Paulo',
    new Date('2026-12-19T12:00:00.000Z'),
  );
  return [
    invoiceFixture({ invoiceId: 'INV-1', ruleId: 'with-fees', description: 'Plano <Pro> & "mais"' }), // due 10th
    invoiceFixture({ invoiceId: 'INV-2', dueDate: '2026-12-15', status: 'PAUSED', balanceMinor: 1000 }),
    invoiceFixture({
      invoiceId: 'INV-3',
      dueDate: '2026-12-01',
      status: 'DISPUTED',
      amount: { minor: 999, currency: 'USD' },
      balanceMinor: 999,
    }),
    { ...upcoming, ...(offer ? { earlyPayment: offer } : {}) },
    invoiceFixture({ invoiceId: 'INV-4', status: 'RENEGOTIATED' }),
    invoiceFixture({ invoiceId: 'INV-5', status: 'PAID', balanceMinor: 0 }),
    invoiceFixture({ invoiceId: 'INV-6', status: 'WRITTEN_OFF' }),
    invoiceFixture({ invoiceId: 'INV-X', customer: customerFixture({ customerId: 'C-2', name: 'Someone Else' }) }),
  ];
}

describe("a debtor's statement (pure)", () => {
  const statement = () =>
    buildStatement({
      customer: customerFixture(),
      invoices: portfolio(),
      termsOf,
      defaultTimezone: 'America/Sao_Paulo',
      now: NOW,
      expiresAtEpochSeconds: EXPIRES,
    });

  it("lists only this debtor's invoices still owed, by due date, with fees to date, offers and totals per currency", () => {
    const s = statement();

    expect(s.invoices.map((i) => `${i.invoiceId} ${i.state} ${i.totalDue.minor} ${i.totalDue.currency}`)).toEqual([
      'INV-3 disputed 999 USD',
      'INV-1 open 126331 BRL', // 10 days late: 1234.50 + 24.69 + 4.12
      'INV-2 open 1000 BRL', // the standard rule charges no fees
      'INV-4-1of2 open 50000 BRL',
    ]);
    expect(s.invoices[1]?.lateFees).toEqual({
      daysLate: 10,
      fine: { minor: 2469, currency: 'BRL' },
      interest: { minor: 412, currency: 'BRL' },
    });
    expect(s.invoices[3]).toMatchObject({
      agreementOf: 'INV-4',
      earlyPayment: { pay: { minor: 47500 }, discount: { minor: 2500 }, discountPercent: 5, payBy: '2026-12-22' },
    });
    expect(s.invoices[3]?.paymentUrl).toBeUndefined(); // not an http(s) link
    expect(s.totals).toEqual([
      { currency: 'USD', balance: { minor: 999, currency: 'USD' }, totalDue: { minor: 999, currency: 'USD' } },
      { currency: 'BRL', balance: { minor: 174450, currency: 'BRL' }, totalDue: { minor: 177331, currency: 'BRL' } },
    ]);
    expect(s).toMatchObject({ today: '2026-12-20', locale: 'pt-BR', expiresAt: '2027-01-19T15:00:00.000Z' });
  });

  it('adds up, per currency, exactly the totals due of its lines (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            balance: fc.integer({ min: 0, max: 100_000_000 }),
            due: fc.integer({ min: 0, max: 60 }),
            currency: fc.constantFrom('BRL', 'USD', 'JPY'),
            fees: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
        (rows) => {
          const invoices = rows.map((r, i) =>
            invoiceFixture({
              invoiceId: `I-${i}`,
              dueDate: `2026-11-${String((r.due % 28) + 1).padStart(2, '0')}`,
              amount: { minor: r.balance, currency: r.currency },
              balanceMinor: r.balance,
              ruleId: r.fees ? 'with-fees' : 'standard',
            }),
          );
          const s = buildStatement({
            customer: customerFixture(),
            invoices,
            termsOf,
            defaultTimezone: 'America/Sao_Paulo',
            now: NOW,
            expiresAtEpochSeconds: EXPIRES,
          });
          return (
            s.totals.every(
              (t) =>
                t.totalDue.minor ===
                  s.invoices
                    .filter((l) => l.totalDue.currency === t.currency)
                    .reduce((n, l) => n + l.totalDue.minor, 0) &&
                t.balance.minor ===
                  s.invoices.filter((l) => l.balance.currency === t.currency).reduce((n, l) => n + l.balance.minor, 0),
            ) && s.invoices.every((l) => l.balance.minor > 0 && l.totalDue.minor >= l.balance.minor)
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the statement page', () => {
  const statement = (overrides: { name?: string; locale?: string } = {}) =>
    buildStatement({
      customer: customerFixture({ name: overrides.name ?? 'Maria Silva', locale: overrides.locale ?? 'pt-BR' }),
      invoices: portfolio(),
      termsOf,
      defaultTimezone: 'America/Sao_Paulo',
      now: NOW,
      expiresAtEpochSeconds: EXPIRES,
    });

  it("speaks the debtor's language (pt-BR, en, es; English otherwise)", () => {
    const html = (locale: string) => renderStatementPage(statement({ locale }), { company: 'Exemplo Ltda' });

    expect(html('pt-BR')).toContain('<h1>Seu extrato</h1>');
    expect(html('pt-BR')).toContain('R$\u00a01.263,31');
    expect(html('pt-BR')).toContain('Pague R$\u00a0475,00 até 22/12/2026 e ganhe 5% de desconto.');
    expect(html('en')).toContain('Pay R$475.00 by Dec 22, 2026 for a 5% discount.');
    expect(html('es-MX')).toContain('<h1>Su estado de cuenta</h1>');
    expect(html('fr')).toContain('<html lang="en">');
    expect(html('pt-BR')).toContain('Este link é válido até 19/01/2027.');
  });

  it('escapes every value and adds no markup of its own choosing, whatever the text (property)', () => {
    const ours =
      /<(?!\/?(?:html|head|meta|title|body|h1|p|table|thead|tbody|tfoot|tr|th|td|small|strong|br|a)\b|!doctype)/i;
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (name, company) => {
        const html = renderStatementPage(statement({ name }), { company });
        return (
          !ours.test(html) && !html.includes('javascript:') && html.includes('Plano &lt;Pro&gt; &amp; &quot;mais&quot;')
        );
      }),
      { numRuns: 300 },
    );
  });

  it('says the same for every invalid link, in the language asked for', () => {
    expect(renderInvalidStatementPage('es')).toContain('Enlace no válido o vencido');
    expect(renderInvalidStatementPage(undefined)).toContain('Invalid or expired link');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// GET /statements/{token} and the link for the messages, with the AWS SDK mocked

const ddb = mockClient(DynamoDBDocumentClient);
let restore: () => void = () => {};

afterEach(() => {
  ddb.reset();
  restore();
  restore = () => {};
});

function request(token: string, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    resource: '/statements/{token}',
    path: `/statements/${token}`,
    pathParameters: { token: encodeURIComponent(token) },
    headers,
    body: null,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent;
}

/** The customer C-1 with its statement secret (`null`: none yet) and the invoices of {@link portfolio}. */
function givenCustomer(secret: string | null = SECRET) {
  const customer = customerFixture(secret ? { statementSecret: secret, unsubscribeToken: 'unsub-secret-xyz-123' } : {});
  ddb.on(GetCommand, { Key: keys.customer('C-1') }).resolves({ Item: { ...keys.customer('C-1'), ...customer } });
  ddb.on(QueryCommand).resolves({ Items: portfolio().map((i) => ({ ...keys.invoice(i.invoiceId), ...i })) });
}

describe('GET /statements/{token}', () => {
  const token = statementToken('C-1', SECRET, EXPIRES);

  it('answers JSON when asked for it: the open invoices, amounts as decimals, totals, and nothing secret', async () => {
    // Prepare
    restore = installClock({ now: () => NOW });
    givenCustomer();

    // Act
    const response = await handler(request(token, { Accept: 'application/json' }), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      vary: 'Accept',
    });
    const body = JSON.parse(response.body);
    expect(body.invoices.map((i: { invoiceId: string }) => i.invoiceId)).toEqual([
      'INV-3',
      'INV-1',
      'INV-2',
      'INV-4-1of2',
    ]);
    expect(body.invoices[1]).toMatchObject({
      invoiceId: 'INV-1',
      balance: { decimal: '1234.50' },
      lateFees: { daysLate: 10, fine: { decimal: '24.69' }, interest: { decimal: '4.12' } },
      totalDue: { decimal: '1263.31', currency: 'BRL' },
      paymentUrl: 'https://pay.example.com/INV-1',
    });
    expect(body.totals).toEqual([
      {
        currency: 'USD',
        balance: expect.objectContaining({ decimal: '9.99' }),
        totalDue: expect.objectContaining({ decimal: '9.99' }),
      },
      {
        currency: 'BRL',
        balance: expect.objectContaining({ decimal: '1744.50' }),
        totalDue: expect.objectContaining({ decimal: '1773.31' }),
      },
    ]);
    expect(response.body).not.toContain(SECRET);
    expect(response.body).not.toContain('unsub-secret');
    expect(response.body).not.toContain('Someone Else');
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'gsi1',
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#C-1', ':invoice': 'INVOICE#' },
    });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('answers a small HTML page otherwise, that runs nothing and loads nothing', async () => {
    restore = installClock({ now: () => NOW });
    givenCustomer();

    const response = await handler(
      request(token, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers?.['content-security-policy']).toContain("default-src 'none'");
    expect(response.body).toContain('<h1>Seu extrato</h1>');
    expect(response.body).toContain(
      'Olá, Maria Silva. Estas são as suas faturas em aberto com Exemplo Cobranças Ltda em 20/12/2026.',
    );
  });

  it.each([
    ['expired', () => statementToken('C-1', SECRET, Math.floor(NOW.getTime() / 1000)), SECRET],
    ['signed with another secret', () => statementToken('C-1', 'another-secret-0123456789', EXPIRES), SECRET],
    ['with its expiry moved', () => token.replace(`.${EXPIRES}.`, `.${EXPIRES + 86_400}.`), SECRET],
    ['of a customer without a statement secret', () => token, null],
    ['of an unknown customer', () => statementToken('C-404', SECRET, EXPIRES), SECRET],
    ['not shaped like a token', () => 'QzEx.abc', SECRET],
  ])('answers 404 for a link %s, in JSON and in HTML alike', async (_case, tokenOf, secret) => {
    restore = installClock({ now: () => NOW });
    ddb.on(GetCommand).resolves({});
    givenCustomer(secret);

    const json = await handler(request(tokenOf(), { accept: 'application/json' }), lambdaContext);
    const html = await handler(request(tokenOf(), { 'Accept-Language': 'es-MX,es;q=0.9' }), lambdaContext);

    expect(json.statusCode).toBe(404);
    expect(JSON.parse(json.body)).toEqual({
      error: { code: 'StatementNotFound', message: 'This statement link is not valid or has expired', details: [] },
    });
    expect(html.statusCode).toBe(404);
    expect(html.body).toContain('Enlace no válido o vencido');
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });

  it('picks JSON only when application/json comes before text/html in Accept', () => {
    expect(wantsJson('application/json')).toBe(true);
    expect(wantsJson('application/json, text/plain, */*')).toBe(true);
    expect(wantsJson('text/html,application/json')).toBe(false);
    expect(wantsJson(undefined)).toBe(false);
    expect(wantsJson('*/*')).toBe(false);
  });
});

describe('the statement link the send step puts in a message', () => {
  const deps = { ...stores(), now: () => NOW };

  it("signs with the customer's statement secret, making it once (if_not_exists) when the customer has none yet", async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: { statementSecret: SECRET } });

    // Act
    const made = await statementLinkFor({ customerId: 'C-1' }, 'https://api.example.com/v1', deps);
    const known = await statementLinkFor(
      { customerId: 'C-1', statementSecret: SECRET },
      'https://api.example.com/v1',
      deps,
    );

    // Assess
    expect(made).toBe(`https://api.example.com/v1/statements/${statementToken('C-1', SECRET, EXPIRES)}`);
    expect(known).toBe(made);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.customer('C-1'),
      UpdateExpression: 'SET statementSecret = if_not_exists(statementSecret, :fresh)',
      ConditionExpression: 'attribute_exists(pk)',
    });
  });

  it('is none without the public base URL of the API', async () => {
    expect(await statementLinkFor({ customerId: 'C-1', statementSecret: SECRET }, undefined, deps)).toBeUndefined();
  });
});

describe('GET /statements/{token} under hostile tokens', () => {
  it('answers 404, never anything else, for any text that is not a valid link (property)', async () => {
    restore = installClock({ now: () => NOW });
    givenCustomer();
    const good = statementToken('C-1', SECRET, EXPIRES);
    const tokens = fc.oneof(
      fc.string({ maxLength: 900 }),
      fc.string({ unit: fc.constantFrom(...'QzExy0.123456789_-%'), maxLength: 120 }),
      fc.nat().map((i) => `${good.slice(0, i % good.length)}%${good.slice(i % good.length)}`),
    );
    await fc.assert(
      fc.asyncProperty(tokens, fc.boolean(), async (token, json) => {
        fc.pre(token !== good);
        const response = await handler(
          { ...request(token, json ? { accept: 'application/json' } : {}), pathParameters: { token } },
          lambdaContext,
        );
        return response.statusCode === 404;
      }),
      { numRuns: 300 },
    );
  });
});

import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as createInvoices, MAX_BATCH } from '../../../functions/handlers/create-invoices';
import { handler as getInvoice } from '../../../functions/handlers/get-invoice';
import { handler as recordPayment } from '../../../functions/handlers/record-payment';
import { MAX_BODY_BYTES } from '../../../functions/platform/http';
import { invoiceFixture, keys, lambdaContext } from '../../support/fixtures';
import { breakerArb, INVALID_UTF8, type InvoiceRecord, validRecordArb } from './hostile-input';

/**
 * The HTTP API under hostile bodies, path parameters and headers: always a 4xx with the JSON error body naming the
 * field (or `(body)`), never a 5xx or a thrown error. DynamoDB, SQS and Step Functions are mocked.
 */

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const sfn = mockClient(SFNClient);

const goodInvoice = {
  invoiceId: 'INV-100',
  customerId: 'C-100',
  customerName: 'João Souza',
  amount: '250.00',
  currency: 'BRL',
  dueDate: '2026-12-15',
};

interface Request {
  body?: string | null;
  isBase64Encoded?: boolean;
  id?: string | null;
  headers?: Record<string, string>;
}

function event(method: 'GET' | 'POST', path: string, request: Request): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    resource: path,
    body: request.body ?? null,
    isBase64Encoded: request.isBase64Encoded ?? false,
    headers: request.headers ?? {},
    pathParameters: request.id === undefined ? null : { id: request.id },
    queryStringParameters: null,
  } as unknown as APIGatewayProxyEvent;
}

const post = (request: Request) => createInvoices(event('POST', '/invoices', request), lambdaContext);
const pay = (request: Request) => recordPayment(event('POST', '/invoices/{id}/payments', request), lambdaContext);
const get = (request: Request) => getInvoice(event('GET', '/invoices/{id}', request), lambdaContext);

interface ErrorBody {
  error: { code: string; message: string; details: { path: string; issue: string }[] };
}

/** A 4xx with the JSON error body; for bad input (400, 413) its details name the field and say what is wrong. */
function expectClientError(response: APIGatewayProxyResult): ErrorBody {
  expect(response.statusCode).toBeGreaterThanOrEqual(400);
  expect(response.statusCode).toBeLessThan(500);
  expect(response.headers?.['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as ErrorBody;
  expect(body).toEqual({
    error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) },
  });
  if (response.statusCode === 400 || response.statusCode === 413) {
    expect(body.error.details.length).toBeGreaterThan(0);
    for (const detail of body.error.details) {
      expect(detail.path.length).toBeGreaterThan(0);
      expect(detail.issue.length).toBeGreaterThan(0);
    }
  }
  return body;
}

function givenStore(): void {
  const invoice = { ...keys.invoice('INV-1'), ...invoiceFixture({ taskToken: 'token-D0' }) };
  ddb.on(GetCommand).resolves({});
  ddb.on(GetCommand, { Key: keys.invoice('INV-1') }).resolves({ Item: invoice });
  ddb.on(UpdateCommand).callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => ({
    Attributes: {
      ...invoice,
      status: input.ExpressionAttributeValues?.[':status'] ?? 'OPEN',
      balanceMinor: input.ExpressionAttributeValues?.[':balance'] ?? invoice.balanceMinor,
    },
  }));
  ddb.on(PutCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
  sfn.on(SendTaskSuccessCommand).resolves({});
}

beforeEach(givenStore);
afterEach(() => {
  ddb.reset();
  sqs.reset();
  sfn.reset();
});

/** Raw bodies a client may send: any JSON, any text, arrays mixing records and junk, edge cases. */
const rawBodyArb: fc.Arbitrary<Request> = fc.record({
  body: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc
      .array(
        fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.tuple(validRecordArb('INV-R'), breakerArb).map(([r, b]) => b.apply(r)),
        ),
        {
          maxLength: 4,
        },
      )
      .map((items) => JSON.stringify(items).replaceAll(INVALID_UTF8, '\uFFFD')),
    fc.constantFrom(
      '',
      'null',
      '[]',
      '{}',
      '"x"',
      '[[[[[[]]]]]]',
      '{"__proto__":{"invoiceId":"X"}}',
      '\uFEFF{}',
      '{"a":1}x',
    ),
  ),
  isBase64Encoded: fc.boolean(),
  headers: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 4 }),
});

/** The body as API Gateway would deliver it: base64 of the UTF-8 text, or sometimes of raw random bytes. */
function delivered(request: Request, rawBytes: Uint8Array | null): Request {
  if (!request.isBase64Encoded || request.body === null || request.body === undefined) return request;
  const bytes = rawBytes ?? Buffer.from(request.body);
  return { ...request, body: Buffer.from(bytes).toString('base64') };
}

/** Path ids a client may send: our id, any text, broken percent-encoding, huge ones. */
const pathIdArb = fc.oneof(
  fc.constant('INV-1'),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('%', '%E0%A4%A', '%FF', '%C3%28', 'INV%201', '%00', '..%2F..%2Fetc', '=cmd()', 'I'.repeat(3000), ''),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);

describe('POST /invoices under hostile bodies and headers', () => {
  it('answers 202 or a 4xx with the JSON error body, never a 5xx or a throw (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBodyArb,
        fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
        async (request, bytes) => {
          const response = await post(delivered(request, bytes));

          if (response.statusCode === 202) {
            expect(JSON.parse(response.body)).toEqual(
              expect.objectContaining({ registered: expect.any(Array), rejected: expect.any(Array) }),
            );
          } else {
            expect([400, 413]).toContain(response.statusCode);
            expectClientError(response);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  // 300 runs: each one registers through the mocked SDK (about 17 ms a run).
  it('registers each valid invoice of a batch once, and rejects the others naming index and field (300 runs)', async () => {
    const entryArb = fc.record({
      good: fc.boolean(),
      breaker: breakerArb,
      repeatOf: fc.option(fc.nat({ max: 5 }), { nil: undefined, freq: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(entryArb, { minLength: 1, maxLength: 6 })
          .chain((entries) =>
            fc.tuple(fc.constant(entries), fc.tuple(...entries.map((_e, i) => validRecordArb(`INV-${i}`)))),
          ),
        async ([entries, records]) => {
          sqs.resetHistory();
          // An entry may reuse an earlier entry's id, to check that a batch never registers one id twice.
          const batch: InvoiceRecord[] = entries.map((entry, i) => {
            const repeated = entry.repeatOf !== undefined && entry.repeatOf < i ? `INV-${entry.repeatOf}` : `INV-${i}`;
            const record = { ...(records[i] as InvoiceRecord), invoiceId: repeated };
            return entry.good ? record : entry.breaker.apply(record);
          });
          const expectedRegistered: string[] = [];
          const expectedRejected: { index: number; paths: string[] }[] = [];
          batch.forEach((record, i) => {
            const entry = entries[i];
            if (!entry?.good) expectedRejected.push({ index: i, paths: [entry?.breaker.path ?? ''] });
            else if (expectedRegistered.includes(String(record.invoiceId))) {
              expectedRejected.push({ index: i, paths: ['invoiceId'] });
            } else expectedRegistered.push(String(record.invoiceId));
          });

          const response = await post({
            body: JSON.stringify(batch).replaceAll(INVALID_UTF8, '\uFFFD'),
          });

          const queued = sqs
            .commandCalls(SendMessageBatchCommand)
            .flatMap((call) => call.args[0].input.Entries ?? [])
            .map((e) => (JSON.parse(e.MessageBody ?? '{}') as { invoiceId: string }).invoiceId);
          expect(queued).toEqual(expectedRegistered);
          if (expectedRegistered.length === 0) {
            expect(response.statusCode).toBe(400);
            const paths = expectClientError(response).error.details.map((d) => d.path);
            expect(paths).toEqual(expectedRejected.flatMap((r) => r.paths.map((p) => `[${r.index}].${p}`)));
            return;
          }
          expect(response.statusCode).toBe(202);
          const body = JSON.parse(response.body) as {
            registered: string[];
            rejected: { index: number; details: { path: string }[] }[];
          };
          expect(body.registered).toEqual(expectedRegistered);
          expect(body.rejected.map((r) => ({ index: r.index, paths: r.details.map((d) => d.path) }))).toEqual(
            expectedRejected,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('enforces the body limit before parsing: 413 naming (body), even for text that is not JSON', async () => {
    const notJson = `{${'x'.repeat(MAX_BODY_BYTES)}`;
    const multiByte = JSON.stringify({ ...goodInvoice, description: 'é'.repeat(MAX_BODY_BYTES / 2) });
    const base64 = Buffer.from(`[${'1,'.repeat(MAX_BODY_BYTES / 2)}1]`).toString('base64');

    for (const request of [{ body: notJson }, { body: multiByte }, { body: base64, isBase64Encoded: true }]) {
      const response = await post(request);

      expect(response.statusCode).toBe(413);
      expect(expectClientError(response).error).toMatchObject({
        code: 'PayloadTooLarge',
        details: [{ path: '(body)', issue: `is larger than ${MAX_BODY_BYTES} bytes` }],
      });
    }
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers 413 for a batch over 500 and 400 for an empty one, naming (body)', async () => {
    const tooMany = await post({ body: JSON.stringify(Array.from({ length: MAX_BATCH + 1 }, () => goodInvoice)) });
    const empty = await post({ body: '[]' });

    expect(tooMany.statusCode).toBe(413);
    expect(expectClientError(tooMany).error.details).toEqual([
      { path: '(body)', issue: `holds ${MAX_BATCH + 1} invoices; a batch holds at most ${MAX_BATCH}` },
    ]);
    expect(empty.statusCode).toBe(400);
    expect(expectClientError(empty).error.details).toEqual([
      { path: '(body)', issue: 'is an empty array: send one invoice object or an array of 1 to 500' },
    ]);
  });

  it('regression: refuses a base64 body that is not UTF-8 instead of registering mojibake', async () => {
    const bytes = Buffer.concat([
      Buffer.from(JSON.stringify(goodInvoice).replace('Souza', 'Sou')),
      Buffer.from([0xff]),
    ]);
    const latin1 = Buffer.from(JSON.stringify({ ...goodInvoice, customerName: 'Conceição' }), 'latin1');

    for (const raw of [bytes, latin1]) {
      const response = await post({ body: raw.toString('base64'), isBase64Encoded: true });

      expect(response.statusCode).toBe(400);
      expect(expectClientError(response).error.details).toEqual([{ path: '(body)', issue: 'is not valid UTF-8' }]);
    }
  });

  it('refuses U+FFFD and lone surrogates in a field, naming it', async () => {
    const replaced = await post({ body: JSON.stringify({ ...goodInvoice, customerName: 'Jo\uFFFDo' }) });
    const surrogate = await post({
      body: `{"invoiceId":"INV-1","customerId":"C-1","customerName":"Ana\\ud800","amount":"1.00","currency":"BRL","dueDate":"2026-12-01"}`,
    });

    expect(expectClientError(replaced).error.details).toEqual([
      { path: 'customerName', issue: expect.stringMatching(/^is not valid UTF-8 text/) },
    ]);
    expect(expectClientError(surrogate).error.details).toEqual([
      { path: 'customerName', issue: expect.stringMatching(/^holds a lone UTF-16 surrogate/) },
    ]);
  });

  it('accepts a JSON body that starts with a byte-order mark', async () => {
    const response = await post({ body: `\uFEFF${JSON.stringify(goodInvoice)}` });

    expect(response.statusCode).toBe(202);
  });

  it('regression: registers the first of two batch entries with one id and rejects the second, naming the first', async () => {
    const response = await post({ body: JSON.stringify([goodInvoice, { ...goodInvoice, amount: '999.00' }]) });

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toMatchObject({
      registered: ['INV-100'],
      rejected: [
        {
          index: 1,
          invoiceId: 'INV-100',
          details: [{ path: 'invoiceId', issue: 'repeats the invoice id of [0] in this batch' }],
        },
      ],
    });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 2); // the invoice and its "registered" event, once
  });
});

/** Payment bodies a client may send: right and wrong types, hostile amounts and instants, unknown keys. */
const paymentBodyArb: fc.Arbitrary<string | null> = fc.oneof(
  fc.constant(null),
  fc
    .record(
      {
        amount: fc.oneof(
          fc.constantFrom(
            '1.00',
            '234.50',
            '0',
            '-5',
            '1e3',
            '10.505',
            '99999999999999999999',
            '١٢',
            ' 7 ',
            '9'.repeat(60),
          ),
          fc.double(),
          fc.string({ maxLength: 12 }),
        ),
        paidAt: fc.oneof(
          fc.constantFrom(
            '2026-12-01T10:00:00Z',
            '2026-12-01T10:00:00-03:00',
            '2026-02-30T10:00:00Z',
            '0000-01-01T00:00:00Z',
          ),
          fc.string({ maxLength: 25 }),
          fc.integer(),
        ),
        reference: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('r'.repeat(300))),
        extra: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 30 }),
);

describe('POST /invoices/{id}/payments under hostile ids and bodies', () => {
  it('answers 200 or a 4xx with the JSON error body, never a 5xx or a throw (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(pathIdArb, paymentBodyArb, async (id, body) => {
        const response = await pay({ id, body });

        if (response.statusCode !== 200) {
          expect([400, 404, 409, 413]).toContain(response.statusCode);
          expectClientError(response);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['-5', /^must be a positive decimal number/],
    ['0', /^must be greater than 0/],
    ['0.00', /^must be greater than 0/],
    ['1e3', /^must be a positive decimal number/],
    ['10.505', /^BRL has 2 decimal places/],
    ['90071992547409.92', /^is too large/],
    ['9'.repeat(60), /40/],
    ['١٢', /^must be a positive decimal number/],
  ])('refuses the amount %s naming the field', async (amount, issue) => {
    const response = await pay({ id: 'INV-1', body: JSON.stringify({ amount }) });

    expect(response.statusCode).toBe(400);
    expect(expectClientError(response).error.details).toEqual([
      { path: 'amount', issue: expect.stringMatching(issue) },
    ]);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses an amount sent as a JSON number, naming the field', async () => {
    const response = await pay({ id: 'INV-1', body: '{"amount":12.5}' });

    expect(expectClientError(response).error.details).toEqual([
      { path: 'amount', issue: expect.stringContaining('string') },
    ]);
  });

  it('regression: refuses an impossible paidAt and stores a valid one in UTC, so events sort in time order', async () => {
    const impossible = await pay({ id: 'INV-1', body: JSON.stringify({ paidAt: '2026-02-30T10:00:00Z' }) });
    const ancient = await pay({ id: 'INV-1', body: JSON.stringify({ paidAt: '0000-01-01T00:00:00Z' }) });
    const withOffset = await pay({ id: 'INV-1', body: JSON.stringify({ paidAt: '2026-12-01T10:00:00-03:00' }) });

    expect(expectClientError(impossible).error.details).toEqual([
      { path: 'paidAt', issue: 'not a real instant: "2026-02-30T10:00:00Z"' },
    ]);
    expect(expectClientError(ancient).error.details).toEqual([
      { path: 'paidAt', issue: 'must be in the years 1900 to 9999, got "0000-01-01T00:00:00Z"' },
    ]);
    expect(withOffset.statusCode).toBe(200);
    // paidAt is what the payer says (kept on the invoice, in UTC); the audit event is at the recording instant
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':paidAt': '2026-12-01T13:00:00.000Z' }),
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        type: 'paid',
        detail: expect.objectContaining({ paidAt: '2026-12-01T13:00:00.000Z' }),
      }),
    });
  });

  it('names unknown fields of the body', async () => {
    const response = await pay({ id: 'INV-1', body: JSON.stringify({ amount: '1.00', amuont: '2.00' }) });

    expect(expectClientError(response).error.details).toEqual([
      { path: '(root)', issue: 'unknown field "amuont"; allowed: amount, paidAt, reference' },
    ]);
  });
});

describe('invoice ids in the path', () => {
  it('GET /invoices/{id} answers 200, 400 or 404 with the JSON error body for any id (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(pathIdArb, fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), async (id, headers) => {
        const response = await get({ id, headers });

        if (response.statusCode !== 200) {
          expect([400, 404]).toContain(response.statusCode);
          expectClientError(response);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['%E0%A4%A', 'is not valid percent-encoded UTF-8: "%E0%A4%A"'],
    ['%FF', 'is not valid percent-encoded UTF-8: "%FF"'],
    ['INV%201', 'must not contain spaces or control characters: "INV 1"'],
    ['%00', 'must not contain spaces or control characters: "\\u0000"'],
    ['%F0%9F%98', 'is not valid percent-encoded UTF-8: "%F0%9F%98"'],
    ['I'.repeat(129), `is longer than 128 characters: "${'I'.repeat(40)}…"`],
  ])('regression: %s is a 400 naming the id, for GET and for payments (was a 500 or a DynamoDB error)', async (id, issue) => {
    for (const response of [await get({ id }), await pay({ id, body: null })]) {
      expect(response.statusCode).toBe(400);
      expect(expectClientError(response).error.details).toEqual([{ path: 'id', issue }]);
    }
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it('looks up any other well-formed id, formula-like ones included, and answers 404', async () => {
    const response = await get({ id: '%3Dcmd()' });

    expect(response.statusCode).toBe(404);
    expect(expectClientError(response).error.code).toBe('InvoiceNotFound');
  });

  it('finds an invoice whose id is percent-encoded in the path', async () => {
    const response = await get({ id: 'INV%2D1' });

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).invoice.invoiceId).toBe('INV-1');
  });
});

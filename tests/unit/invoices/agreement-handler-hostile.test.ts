import fc from 'fast-check';
import { describe, it } from 'vitest';
import { handler } from '../../../functions/handlers/create-agreement';
import { agreementRequest as request, useAgreementApi } from '../../support/agreement-api';
import { invoiceFixture, lambdaContext } from '../../support/fixtures';

const { ddb, given, clockAt } = useAgreementApi();

describe('POST /invoices/{id}/agreements under hostile bodies', () => {
  it('answers a 2xx, or a 4xx with the JSON error body naming a field, never a 5xx (property)', async () => {
    clockAt('2026-12-20T15:00:00.000Z');
    const bodies = fc.oneof(
      fc.json(),
      fc.record({
        instalments: fc.array(fc.dictionary(fc.constantFrom('dueDate', 'amount', 'paymentUrl', 'x'), fc.jsonValue()), {
          maxLength: 30,
        }),
      }),
      fc.record({
        instalments: fc.array(
          fc.record({
            dueDate: fc.constantFrom('2027-01-05', '2026-12-20', '2027-13-01', '9999-12-31', '2027-02-29'),
            amount: fc.constantFrom('1263.31', '0', '-1', '1e3', '1263.310', '99999999999999999999', ' 1.00'),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        ddb.reset();
        given(invoiceFixture({ ruleId: 'with-fees' }));
        const response = await handler(
          { ...request('INV-1', undefined), body: typeof body === 'string' ? body : JSON.stringify(body) },
          lambdaContext,
        );
        if (response.statusCode < 300) return true;
        const error = JSON.parse(response.body).error;
        return (
          response.statusCode >= 400 &&
          response.statusCode < 500 &&
          typeof error.code === 'string' &&
          (response.statusCode !== 400 || error.details.every((d: { path: string }) => d.path.length > 0))
        );
      }),
      { numRuns: 200 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instalmentId, MAX_INSTALMENTS } from '../../../functions/invoices/agreement';
import { MAX_ID_LENGTH } from '../../../functions/invoices/input/limits';
import { checkInvoiceId } from '../../../functions/invoices/input/text-checks';
import type { Invoice } from '../../../functions/invoices/invoice';
import { decide, InvalidTransition } from '../../../functions/invoices/lifecycle';
import { invoiceFixture } from '../../support/fixtures';

describe('instalment ids', () => {
  const originalIds = fc
    .string({ minLength: 1, maxLength: MAX_ID_LENGTH, unit: fc.constantFrom(...'ABCXYZabc0189-_./#é中') })
    .filter((id) => !/^[=+\-@]/.test(id));

  it('pass the invoice-id rules, fit the length and differ per instalment and per original (property)', () => {
    fc.assert(
      fc.property(originalIds, originalIds, fc.integer({ min: 1, max: MAX_INSTALMENTS }), (a, b, count) => {
        const idsOf = (original: string) =>
          Array.from({ length: count }, (_, i) => instalmentId(original, i + 1, count));
        const ours = idsOf(a);
        const valid = ours.every((id) => 'value' in checkInvoiceId(id) && id.length <= MAX_ID_LENGTH);
        const distinct = new Set(ours).size === count;
        const apart = a === b || idsOf(b).every((id) => !ours.includes(id));
        return valid && distinct && apart && ours.every((id) => id[0] === a[0]);
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads <original>-<n>of<count>', () => {
    expect([1, 2, 3].map((n) => instalmentId('INV-2026-0001', n, 3))).toEqual([
      'INV-2026-0001-1of3',
      'INV-2026-0001-2of3',
      'INV-2026-0001-3of3',
    ]);
  });
});

describe('the lifecycle of a renegotiation (pure)', () => {
  const instalments = [
    { invoiceId: 'INV-1-1of2', dueDate: '2027-01-10', amountMinor: 61725 },
    { invoiceId: 'INV-1-2of2', dueDate: '2027-02-10', amountMinor: 61725 },
  ];
  const due = { balanceMinor: 123450, fineMinor: 0, interestMinor: 0, daysLate: 0 };
  const at = '2026-12-08T15:00:00.000Z';

  it('ends a paused walk too: RENEGOTIATED, the hold gone, the workflow told, the agreement in the event', () => {
    const paused = invoiceFixture({
      status: 'PAUSED',
      hold: { kind: 'pause', reason: 'x', since: at, resumeTo: 'OPEN' },
    });

    const decision = decide(paused, { type: 'renegotiate', instalments, due, by: 'ana' }, at);

    expect(decision).toEqual({
      kind: 'change',
      change: { status: 'RENEGOTIATED', hold: null, instalments },
      events: [
        {
          type: 'renegotiated',
          detail: {
            instalments: 2,
            instalmentIds: 'INV-1-1of2,INV-1-2of2',
            balanceMinor: 123450,
            fineMinor: 0,
            interestMinor: 0,
            daysLate: 0,
            totalMinor: 123450,
            by: 'ana',
          },
        },
      ],
      interrupt: 'changed',
    });
  });

  it('is a duplicate when the same instalments come again, and a conflict when others do', () => {
    const renegotiated = invoiceFixture({ status: 'RENEGOTIATED', instalments });

    expect(decide(renegotiated, { type: 'renegotiate', instalments, due }, at)).toEqual({
      kind: 'no-change',
      why: 'duplicate-agreement',
    });
    expect(() => decide(renegotiated, { type: 'renegotiate', instalments: instalments.slice(0, 1), due }, at)).toThrow(
      InvalidTransition,
    );
  });

  it('refuses a disputed invoice, a closed one, and one whose balance changed since the agreement was checked', () => {
    const command = { type: 'renegotiate', instalments, due } as const;
    const refusal = (invoice: Invoice) => {
      try {
        decide(invoice, command, at);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };

    expect(refusal(invoiceFixture({ status: 'DISPUTED' }))).toContain('resolve the dispute first');
    expect(refusal(invoiceFixture({ status: 'PAID', balanceMinor: 0 }))).toContain(
      'renegotiate needs OPEN, ESCALATED, PAUSED',
    );
    expect(refusal(invoiceFixture({ balanceMinor: 100000 }))).toContain('the balance changed');
  });
});

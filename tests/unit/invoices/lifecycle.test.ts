import { describe, expect, it } from 'vitest';
import type { Invoice, InvoiceHold } from '../../../functions/invoices/invoice';
import { type Decision, decide, InvalidTransition, type InvoiceCommand } from '../../../functions/invoices/lifecycle';
import { promiseDeadline } from '../../../functions/invoices/lifecycle/promise';
import { invoiceFixture } from '../../support/fixtures';

const AT = '2026-12-08T15:00:00.000Z';

function decided(invoice: Invoice, command: InvoiceCommand): Decision {
  const result = decide(invoice, command, AT);
  if (result.kind !== 'change') throw new Error(`expected a change, got ${result.why}`);
  return result;
}

const hold = (overrides: Partial<InvoiceHold> = {}): InvoiceHold => ({
  kind: 'pause',
  reason: 'asked for time',
  since: '2026-12-01T12:00:00.000Z',
  resumeTo: 'OPEN',
  ...overrides,
});

const promised = (amountMinor: number, paidMinor = 0) =>
  invoiceFixture({
    status: 'PAUSED',
    hold: hold({ kind: 'promise', reason: 'promise to pay', promise: { date: '2026-12-20', amountMinor, paidMinor } }),
  });

describe('pausing and resuming', () => {
  it('pauses an open invoice, remembering where to resume, and tells the waiting step', () => {
    const decision = decided(invoiceFixture(), {
      type: 'pause',
      reason: 'customer called',
      by: 'arn:aws:iam::1:user/ana',
    });

    expect(decision.change).toEqual({
      status: 'PAUSED',
      hold: { kind: 'pause', reason: 'customer called', since: AT, resumeTo: 'OPEN', by: 'arn:aws:iam::1:user/ana' },
    });
    expect(decision.events).toEqual([
      { type: 'paused', detail: { reason: 'customer called', by: 'arn:aws:iam::1:user/ana' } },
    ]);
    expect(decision.interrupt).toBe('changed');
  });

  it('resumes to the status it was paused from (an escalated invoice stays escalated)', () => {
    const paused = invoiceFixture({ status: 'PAUSED', hold: hold({ resumeTo: 'ESCALATED' }) });

    const decision = decided(paused, { type: 'resume', reason: 'go on' });

    expect(decision.change).toEqual({ status: 'ESCALATED', hold: null });
    expect(decision.interrupt).toBe('changed');
  });

  it.each([
    ['pause', 'PAUSED'],
    ['pause', 'PAID'],
    ['pause', 'WRITTEN_OFF'],
    ['resume', 'OPEN'],
    ['resume', 'DISPUTED'],
    ['resolve', 'PAUSED'],
    ['dispute', 'PAID'],
  ] as const)('refuses to %s an invoice that is %s', (type, status) => {
    const invoice = invoiceFixture({
      status,
      ...(status === 'PAUSED' || status === 'DISPUTED' ? { hold: hold() } : {}),
    });

    expect(() => decide(invoice, { type, reason: 'x' }, AT)).toThrow(InvalidTransition);
    expect(() => decide(invoice, { type, reason: 'x' }, AT)).toThrow(new RegExp(`is ${status}: cannot ${type}`));
  });
});

describe('disputing and resolving', () => {
  it('disputes a paused invoice and, once resolved, returns to where the pause came from', () => {
    const paused = invoiceFixture({ status: 'PAUSED', hold: hold({ resumeTo: 'ESCALATED' }) });

    const disputed = decided(paused, { type: 'dispute', reason: 'wrong amount' });
    const resolved = decided(
      { ...paused, status: 'DISPUTED', ...(disputed.change.hold ? { hold: disputed.change.hold } : {}) },
      {
        type: 'resolve',
        reason: 'amount confirmed',
      },
    );

    expect(disputed.change).toMatchObject({ status: 'DISPUTED', hold: { kind: 'dispute', resumeTo: 'ESCALATED' } });
    expect(resolved.change).toEqual({ status: 'ESCALATED', hold: null });
    expect(resolved.events).toEqual([{ type: 'resolved', detail: { reason: 'amount confirmed' } }]);
  });

  it('names resolve when asked to resume a dispute', () => {
    const disputed = invoiceFixture({ status: 'DISPUTED', hold: hold({ kind: 'dispute' }) });

    expect(() => decide(disputed, { type: 'resume', reason: 'x' }, AT)).toThrow(/a dispute ends with resolve/);
  });
});

describe('promises to pay', () => {
  it('pauses for the whole balance unless an amount is given, and replaces a pending promise', () => {
    const first = decided(invoiceFixture(), { type: 'promise', date: '2026-12-20' });
    const second = decided(promised(123450), { type: 'promise', date: '2026-12-24', amountMinor: 50000 });

    expect(first.change.hold).toMatchObject({
      kind: 'promise',
      resumeTo: 'OPEN',
      promise: { date: '2026-12-20', amountMinor: 123450, paidMinor: 0 },
    });
    expect(second.change.hold?.promise).toEqual({ date: '2026-12-24', amountMinor: 50000, paidMinor: 0 });
    expect(second.events[0]?.detail).toMatchObject({ replaces: '2026-12-20' });
  });

  it('counts partial payments towards the promise, keeps it at the promised amount and resumes dunning', () => {
    const halfway = decided(promised(60000), { type: 'payment', amountMinor: 20000 });
    const kept = decided(promised(60000, 20000), { type: 'payment', amountMinor: 40000 });

    expect(halfway.change).toMatchObject({ status: 'PAUSED', balanceMinor: 103450 });
    expect(halfway.change.hold?.promise?.paidMinor).toBe(20000);
    expect(halfway.interrupt).toBeUndefined();
    expect(kept.change).toMatchObject({ status: 'OPEN', hold: null, balanceMinor: 83450 });
    expect(kept.events.map((e) => e.type)).toEqual(['partially-paid', 'promise-kept']);
    expect(kept.interrupt).toBe('changed');
  });

  it('settles the invoice when the promise is paid in full', () => {
    const decision = decided(promised(123450), { type: 'payment' });

    expect(decision.change).toMatchObject({ status: 'PAID', balanceMinor: 0, hold: null, paidAt: AT });
    expect(decision.events.map((e) => e.type)).toEqual(['paid', 'promise-kept']);
    expect(decision.interrupt).toBe('paid');
  });

  it('breaks a pending promise at its deadline, and ignores a deadline once the promise is gone', () => {
    const broken = decided(promised(60000, 10000), { type: 'promise-deadline' });

    expect(broken.change).toEqual({ status: 'OPEN', hold: null });
    expect(broken.events).toEqual([
      { type: 'promise-broken', detail: { date: '2026-12-20', amountMinor: 60000, paidMinor: 10000 } },
    ]);
    expect(decide(invoiceFixture(), { type: 'promise-deadline' }, AT)).toEqual({
      kind: 'no-change',
      why: 'not-applicable',
    });
  });

  it('gives the debtor the whole promised day and the grace days, in their zone', () => {
    expect(promiseDeadline('2026-12-20', 0, 'America/Sao_Paulo').toISOString()).toBe('2026-12-21T03:00:00.000Z');
    expect(promiseDeadline('2026-12-20', 2, 'America/Sao_Paulo').toISOString()).toBe('2026-12-23T03:00:00.000Z');
    // New York leaves daylight saving on 2026-11-01: midnight after the 1st is 05:00Z
    expect(promiseDeadline('2026-10-31', 1, 'America/New_York').toISOString()).toBe('2026-11-02T05:00:00.000Z');
  });
});

describe('payments', () => {
  it('never takes the balance below 0: the excess is kept as credit and recorded', () => {
    const decision = decided(invoiceFixture({ balanceMinor: 10000 }), {
      type: 'payment',
      amountMinor: 15000,
      reference: 'TX-1',
    });

    expect(decision.change).toMatchObject({
      status: 'PAID',
      balanceMinor: 0,
      creditMinor: 5000,
      paymentRefs: ['TX-1'],
    });
    expect(decision.events[0]).toEqual({
      type: 'paid',
      detail: { amountMinor: 15000, balanceMinor: 0, excessMinor: 5000, creditMinor: 5000, reference: 'TX-1' },
    });
  });

  it('records money paid to a paid invoice as credit, and needs its amount', () => {
    const paid = invoiceFixture({ status: 'PAID', balanceMinor: 0, creditMinor: 100 });

    const decision = decided(paid, { type: 'payment', amountMinor: 900 });

    expect(decision.change).toEqual({ status: 'PAID', balanceMinor: 0, creditMinor: 1000 });
    expect(decision.events.map((e) => e.type)).toEqual(['overpaid']);
    expect(decision.interrupt).toBeUndefined();
    expect(() => decide(paid, { type: 'payment' }, AT)).toThrow(/nothing is owed/);
  });

  it('applies a reference once: the second payment with it is a duplicate', () => {
    const invoice = invoiceFixture({ paymentRefs: ['TX-1'] });

    expect(decide(invoice, { type: 'payment', amountMinor: 100, reference: 'TX-1' }, AT)).toEqual({
      kind: 'no-change',
      why: 'duplicate-payment',
    });
  });

  it('takes payments while paused or disputed without ending the hold, and refuses them once written off', () => {
    const disputed = invoiceFixture({ status: 'DISPUTED', hold: hold({ kind: 'dispute' }) });

    const partial = decided(disputed, { type: 'payment', amountMinor: 450 });

    expect(partial.change).toEqual({ status: 'DISPUTED', balanceMinor: 123000 });
    expect(partial.interrupt).toBeUndefined();
    expect(() => decide(invoiceFixture({ status: 'WRITTEN_OFF' }), { type: 'payment' }, AT)).toThrow(
      expect.objectContaining({ code: 'InvoiceNotOpen' }),
    );
  });
});

describe('writing off and escalating', () => {
  it('writes off any invoice still being walked and ends the walk', () => {
    for (const status of ['OPEN', 'ESCALATED', 'PAUSED', 'DISPUTED'] as const) {
      const invoice = invoiceFixture({ status, ...(status === 'PAUSED' ? { hold: hold() } : {}) });
      const decision = decided(invoice, { type: 'write-off', reason: 'insolvent' });
      expect(decision.change, status).toEqual({ status: 'WRITTEN_OFF', hold: null });
      expect(decision.interrupt, status).toBe('changed');
    }
    expect(() => decide(invoiceFixture({ status: 'PAID' }), { type: 'write-off', reason: 'x' }, AT)).toThrow(
      InvalidTransition,
    );
  });

  it('escalates an open invoice without touching its walk', () => {
    const decision = decided(invoiceFixture(), { type: 'escalate', reason: 'promised twice', to: 'legal' });

    expect(decision.change).toEqual({ status: 'ESCALATED' });
    expect(decision.events).toEqual([
      { type: 'escalated', detail: { reason: 'promised twice', to: 'legal', manual: true } },
    ]);
    expect(decision.interrupt).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { type ConsolidationScope, consolidationCompanions } from '../../../functions/contact/consolidation';
import type { Invoice, RecentContact } from '../../../functions/invoices/invoice';
import { parseBillingRule } from '../../../functions/rules/billing-rule';
import { customerFixture, defaultRule, invoiceFixture, without } from '../../support/fixtures';

// Which other invoices of the customer go out in this stage's message (default rule: D-3 email, D0 email + SMS,
// D+3 SMS, D+7 email + SMS, D+15 email, D+30 escalation). INV-1's D-3 runs on Monday 2026-12-07 09:00 in São Paulo.

const now = new Date('2026-12-07T12:00:00.000Z');
const waitingForD3 = (invoiceId: string, overrides: Partial<Invoice> = {}): Invoice =>
  invoiceFixture({ invoiceId, currentStage: 'D-3', waitUntil: now.toISOString(), ...overrides });

function companionsOf(invoices: Invoice[], scope: Partial<ConsolidationScope> = {}): string[] {
  return consolidationCompanions({
    rule: defaultRule,
    invoice: invoiceFixture(),
    stage: defaultRule.stages[0] as ConsolidationScope['stage'],
    customer: customerFixture(),
    timezone: 'America/Sao_Paulo',
    now,
    invoices: [invoiceFixture(), ...invoices],
    ...scope,
  }).map((c) => `${c.invoice.invoiceId} ${c.stageId}`);
}

describe('the companions of a stage: other invoices whose stage is due now and fits in its message', () => {
  it('takes open and escalated invoices waiting for a stage due now, in invoice-id order, never the invoice itself', () => {
    // Prepare
    const invoices = [
      waitingForD3('INV-3', { status: 'ESCALATED' }),
      waitingForD3('INV-2'),
      waitingForD3('INV-4', { status: 'PAID', balanceMinor: 0 }),
      waitingForD3('INV-5', { status: 'PAUSED' }),
      waitingForD3('INV-6', { status: 'DISPUTED' }),
    ];

    // Act / Assess
    expect(companionsOf(invoices)).toEqual(['INV-2 D-3', 'INV-3 D-3']);
  });

  it('leaves out a wait that ends later, and one that ended more than 15 minutes ago (a walk no longer waiting)', () => {
    expect(
      companionsOf([
        waitingForD3('INV-2', { waitUntil: '2026-12-07T12:00:01.000Z' }),
        waitingForD3('INV-3', { waitUntil: '2026-12-07T11:45:00.000Z' }),
        waitingForD3('INV-4', { waitUntil: '2026-12-07T11:45:00.001Z' }),
        without(waitingForD3('INV-5'), 'waitUntil'),
      ]),
    ).toEqual(['INV-4 D-3']);
  });

  it('leaves out a stage not due yet (a wait that ended for another reason), and one a due next stage supersedes', () => {
    expect(
      companionsOf([
        // due 2026-12-11: its D-3 is on Tuesday
        waitingForD3('INV-2', { dueDate: '2026-12-11' }),
        // due 2026-12-04: its D0 and D+3 have passed, it would be superseded
        waitingForD3('INV-3', { dueDate: '2026-12-04' }),
      ]),
    ).toEqual([]);
  });

  it('leaves out an invoice on another rule, and a stage with an escalation', () => {
    const escalating = parseBillingRule({
      ...defaultRule,
      stages: [
        {
          id: 'D-3',
          offsetDays: -3,
          at: '09:00',
          actions: [
            { channel: 'email', template: 'reminder' },
            { channel: 'escalate', to: 'collections' },
          ],
        },
      ],
    });
    expect(companionsOf([waitingForD3('INV-2', { ruleId: 'another' })])).toEqual([]);
    expect(
      companionsOf([waitingForD3('INV-2')], {
        rule: escalating,
        stage: escalating.stages[0] as ConsolidationScope['stage'],
      }),
    ).toEqual([]);
  });

  it('compares the channels the customer can receive: an extra SMS keeps its own message unless there is no phone', () => {
    // Prepare: INV-2 is due today, its D0 (email + SMS) is due now
    const d0 = waitingForD3('INV-2', { dueDate: '2026-12-07', currentStage: 'D0' });

    // Act / Assess
    expect(companionsOf([d0])).toEqual([]);
    expect(companionsOf([d0], { customer: without(customerFixture(), 'phone') })).toEqual(['INV-2 D0']);
    expect(companionsOf([d0], { customer: customerFixture({ optOuts: ['sms'] }) })).toEqual(['INV-2 D0']);
    // …and a stage whose only channel the customer cannot receive is no companion at all
    expect(companionsOf([waitingForD3('INV-3')], { customer: customerFixture({ optOuts: ['email'] }) })).toEqual([]);
  });

  it('leaves out a stage already performed: its own contact, or another message covering it', () => {
    // Prepare
    const contacts: RecentContact[] = [
      { at: now.toISOString(), invoiceId: 'INV-2', stageId: 'D-3' },
      { at: now.toISOString(), invoiceId: 'INV-9', stageId: 'D-3', covers: [{ invoiceId: 'INV-3', stageId: 'D-3' }] },
    ];

    // Act / Assess
    expect(
      companionsOf([waitingForD3('INV-2'), waitingForD3('INV-3'), waitingForD3('INV-4')], {
        customer: customerFixture({ recentContacts: contacts }),
      }),
    ).toEqual(['INV-4 D-3']);
  });

  it('keeps what a retried step covered already while that invoice is contactable, wherever its walk is now', () => {
    // Prepare: INV-2 moved on to D0 after finding its D-3 covered; INV-3 was paid since
    const invoices = [
      waitingForD3('INV-2', { currentStage: 'D0', waitUntil: '2026-12-10T12:00:00.000Z' }),
      waitingForD3('INV-3', { status: 'PAID', balanceMinor: 0 }),
    ];
    const covered = [
      { invoiceId: 'INV-2', stageId: 'D-3' },
      { invoiceId: 'INV-3', stageId: 'D-3' },
    ];
    const own: RecentContact = { at: '2026-12-07T11:59:00.000Z', invoiceId: 'INV-1', stageId: 'D-3', covers: covered };

    // Act / Assess
    expect(companionsOf(invoices, { covered, customer: customerFixture({ recentContacts: [own] }) })).toEqual([
      'INV-2 D-3',
    ]);
  });
});

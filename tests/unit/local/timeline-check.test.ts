import { describe, expect, it } from 'vitest';
import type { InvoiceRegistration } from '../../../functions/invoices/invoice';
import type { TimelineEvent } from '../../../local/simulator/timeline';
import { checkTimeline } from '../../../local/simulator/timeline-check';
import { customerFixture, defaultRule } from '../../support/fixtures';

// The independent check over a simulator timeline must catch each kind of violation (and pass a clean timeline):
// default rule, São Paulo (UTC-3): Mon–Fri 08–20, Sat 08–14; at most 3 contacts in 7 days, 20 h apart.

const invoice = (invoiceId: string, customerId = 'C-1'): InvoiceRegistration => ({
  invoiceId,
  customer: customerFixture({ customerId }),
  amount: { minor: 1000, currency: 'BRL' },
  dueDate: '2026-12-10',
});
const invoices = [invoice('INV-1'), invoice('INV-2'), invoice('INV-3', 'C-3')];

const sent = (at: string, invoiceId = 'INV-1', stage = 'D0', channel = 'email', customerId = 'C-1'): TimelineEvent => ({
  at,
  invoiceId,
  customerId,
  stage,
  channel,
  event: 'sent',
});

const kinds = (timeline: TimelineEvent[], optOuts = []) =>
  checkTimeline({ rule: defaultRule, invoices, timeline, optOuts }).map((v) => `${v.kind} ${v.event.at}`);

describe('the independent timeline check', () => {
  it('passes messages inside the hours, on working days, spaced and within the caps', () => {
    // Prepare: Mon, Wed and Fri 09:00 local, email and SMS of one stage counting once
    const timeline = [
      sent('2026-12-07T12:00:00.000Z', 'INV-1', 'D-3'),
      sent('2026-12-09T12:00:00.000Z', 'INV-1', 'D0'),
      sent('2026-12-09T12:00:00.000Z', 'INV-1', 'D0', 'sms'),
      sent('2026-12-11T12:00:00.000Z', 'INV-2', 'D-3'),
    ];

    // Act / Assess
    expect(kinds(timeline)).toEqual([]);
  });

  it('flags a message outside the hours of the debtor zone, and one on a public holiday', () => {
    // Prepare: Tuesday 21:00 local; Christmas 10:00 local; Saturday 15:00 local (Saturdays close at 14:00)
    const timeline = [
      sent('2026-12-09T00:00:00.000Z', 'INV-1', 'D-3'),
      sent('2026-12-25T13:00:00.000Z', 'INV-2', 'D0'),
      sent('2026-12-12T18:00:00.000Z', 'INV-3', 'D0', 'email', 'C-3'),
    ];

    // Act / Assess
    expect(kinds(timeline)).toEqual([
      'outside-business-hours 2026-12-09T00:00:00.000Z',
      'holiday 2026-12-25T13:00:00.000Z',
      'outside-business-hours 2026-12-12T18:00:00.000Z',
    ]);
  });

  it('counts contacts across all invoices of a customer: a fourth in 7 days, and two within 20 hours', () => {
    // Prepare: C-1 on Mon, Tue, Wed and Thu mornings (two invoices); C-3 once
    const timeline = [
      sent('2026-12-07T12:00:00.000Z', 'INV-1', 'D-3'),
      sent('2026-12-08T12:00:00.000Z', 'INV-2', 'D-3'),
      sent('2026-12-09T12:00:00.000Z', 'INV-1', 'D0'),
      sent('2026-12-10T12:00:00.000Z', 'INV-2', 'D0'),
      sent('2026-12-10T12:00:00.000Z', 'INV-3', 'D0', 'email', 'C-3'),
      sent('2026-12-10T18:00:00.000Z', 'INV-1', 'D+3'),
    ];

    // Act / Assess: the 4th contact breaks the cap; the 5th breaks both the cap and the 20-hour gap
    expect(kinds(timeline)).toEqual([
      'frequency-cap 2026-12-10T12:00:00.000Z',
      'frequency-cap 2026-12-10T18:00:00.000Z',
      'min-gap 2026-12-10T18:00:00.000Z',
    ]);
  });

  it("counts an invoice listed in another invoice's message (sent, consolidated) as part of that one contact", () => {
    // Prepare: C-1's two invoices in one email on Monday, then three more contacts on Wed, Fri and Sat
    const consolidated = (at: string, invoiceId: string, stage: string, channel = 'email'): TimelineEvent => ({
      ...sent(at, invoiceId, stage, channel),
      reason: 'consolidated',
    });
    const timeline = [
      sent('2026-12-07T12:00:00.000Z', 'INV-1', 'D-3'),
      consolidated('2026-12-07T12:00:00.000Z', 'INV-2', 'D-3'),
      sent('2026-12-09T12:00:00.000Z', 'INV-1', 'D0'),
      sent('2026-12-09T12:00:00.000Z', 'INV-1', 'D0', 'sms'),
      consolidated('2026-12-09T12:00:00.000Z', 'INV-2', 'D0'),
      consolidated('2026-12-09T12:00:00.000Z', 'INV-2', 'D0', 'sms'),
      sent('2026-12-11T12:00:00.000Z', 'INV-2', 'D+3'),
    ];

    // Act / Assess: three contacts in the week, none within 20 hours of another
    expect(kinds(timeline)).toEqual([]);
  });

  it('counts a consolidated line as a contact of its own when no message of the customer went out with it', () => {
    // Prepare: INV-2's line claims Tuesday's message, but the only message that day is another customer's (C-3);
    // Monday's message went out an hour earlier
    const timeline: TimelineEvent[] = [
      sent('2026-12-07T12:00:00.000Z', 'INV-1', 'D-3'),
      { ...sent('2026-12-07T13:00:00.000Z', 'INV-2', 'D-3'), reason: 'consolidated' },
      sent('2026-12-08T12:00:00.000Z', 'INV-3', 'D-3', 'email', 'C-3'),
      { ...sent('2026-12-08T12:00:00.000Z', 'INV-2', 'D0'), reason: 'consolidated' },
      sent('2026-12-09T12:00:00.000Z', 'INV-1', 'D0'),
      { ...sent('2026-12-09T12:00:00.000Z', 'INV-2', 'D+3', 'sms'), reason: 'consolidated' },
    ];

    // Act / Assess: 13:00 is a contact 1 h after Monday's; Tuesday's is the 3rd; on Wednesday INV-1's email is the
    // 4th, and INV-2's SMS line (no SMS of the customer went out then) a 5th at the same instant
    expect(kinds(timeline)).toEqual([
      'min-gap 2026-12-07T13:00:00.000Z',
      'frequency-cap 2026-12-09T12:00:00.000Z',
      'frequency-cap 2026-12-09T12:00:00.000Z',
      'min-gap 2026-12-09T12:00:00.000Z',
    ]);
  });

  it('flags a message on a channel after the opt-out, after the payment, and the same message twice', () => {
    // Prepare
    const timeline: TimelineEvent[] = [
      sent('2026-12-07T12:00:00.000Z', 'INV-1', 'D-3', 'sms'),
      { at: '2026-12-08T12:00:00.000Z', invoiceId: 'INV-1', customerId: 'C-1', event: 'paid' },
      sent('2026-12-09T12:00:00.000Z', 'INV-1', 'D0', 'sms'),
      sent('2026-12-10T12:00:00.000Z', 'INV-3', 'D0', 'email', 'C-3'),
      sent('2026-12-11T12:00:00.000Z', 'INV-3', 'D0', 'email', 'C-3'),
    ];
    const optOuts = [{ at: '2026-12-08T00:00:00.000Z', customerId: 'C-1', channel: 'sms' }];

    // Act / Assess
    expect(kinds(timeline, optOuts as never)).toEqual([
      'duplicate 2026-12-11T12:00:00.000Z',
      'opted-out 2026-12-09T12:00:00.000Z',
      'after-payment 2026-12-09T12:00:00.000Z',
    ]);
  });
});

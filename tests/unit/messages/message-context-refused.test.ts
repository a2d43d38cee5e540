import { describe, expect, it } from 'vitest';
import { InvalidMessageContext, type MessageContext, renderEmail, renderSms } from '../../../functions/messages';
import type { TemplateName } from '../../../functions/messages/template-names';
import { ctx, withInvoice } from '../../support/message-context';

describe('a context that cannot make a correct message is refused, naming each field', () => {
  it('lists every bad field with the reason', () => {
    // Prepare
    const bad: MessageContext = {
      ...ctx,
      company: { legalName: '  ', taxId: '' },
      invoice: {
        ...ctx.invoice,
        invoiceId: '',
        dueDate: '2026-02-30',
        balance: { minor: 12.5, currency: 'XYZ1' },
      },
      daysFromDue: Number.NaN,
    };

    // Act
    const attempt = () => renderEmail('reminder', 'en', bad);

    // Assess
    expect(attempt).toThrow(InvalidMessageContext);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidMessageContext).issues.map((i) => i.path)).toEqual([
        'company.legalName',
        'company.taxId',
        'invoice.invoiceId',
        'invoice.balance.minor',
        'invoice.balance.currency',
        'invoice.dueDate',
        'daysFromDue',
      ]);
      expect((error as Error).message).toContain(
        'invoice.dueDate must be a calendar date YYYY-MM-DD, got "2026-02-30"',
      );
    }
  });

  it('refuses a template that does not exist, for email and SMS', () => {
    const unknown = 'welcome' as TemplateName;
    expect(() => renderEmail(unknown, 'en', ctx)).toThrow(
      'template must be one of reminder, due-today, overdue, final-notice, got "welcome"',
    );
    expect(() => renderSms(unknown, 'en', ctx)).toThrow(InvalidMessageContext);
  });

  it('accepts 29 February in a leap year only', () => {
    expect(renderEmail('reminder', 'en', withInvoice({ dueDate: '2028-02-29' })).text).toContain('February 29, 2028');
    expect(() => renderEmail('reminder', 'en', withInvoice({ dueDate: '2027-02-29' }))).toThrow('invoice.dueDate');
    expect(() => renderEmail('reminder', 'en', withInvoice({ dueDate: '2026-12-10T00:00:00Z' }))).toThrow(
      'invoice.dueDate',
    );
  });
});

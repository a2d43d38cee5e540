import { describe, expect, it } from 'vitest';
import { type MessageContext, renderEmail, renderSms } from '../../../functions/messages';
import { without } from '../../support/fixtures';
import { ctx, withInvoice } from '../../support/message-context';

describe('the email HTML and its text alternative carry the same content', () => {
  it('puts every fact, the payment link, the support contact and the description in both', () => {
    // Prepare
    const context = withInvoice({ description: 'Plano anual' });

    // Act
    const email = renderEmail('overdue', 'en', context);

    // Assess
    for (const fact of [
      'Hello Maria Silva,',
      'Invoice:',
      'INV-2026-0042',
      'Balance due:',
      'R$1,234.50',
      'Due date:',
      'December 10, 2026',
      'Description:',
      'Plano anual',
      'To pay, visit:',
      'https://pay.example.com/INV-2026-0042',
      'Questions? Contact us: financeiro@example.com',
      'Kind regards,',
      'Exemplo Cobranças Ltda — CNPJ 12.345.678/0001-90',
      'reply to this message with the word UNSUBSCRIBE',
    ]) {
      expect(email.html).toContain(fact);
      expect(email.text).toContain(fact);
    }
    expect(email.text).not.toMatch(/<[a-z/]/i);
    expect(email.html).toContain('<a href="https://pay.example.com/INV-2026-0042"');
    expect(email.html).toMatch(/^<!doctype html>\n<html lang="en">/);
  });

  it('leaves out the payment, support and description parts when they are not given', () => {
    // Prepare
    const bare: MessageContext = {
      ...ctx,
      company: { legalName: 'Exemplo Cobranças Ltda', taxId: 'CNPJ 12.345.678/0001-90' },
      invoice: without(ctx.invoice, 'paymentUrl'),
    };

    // Act
    const email = renderEmail('reminder', 'en', bare);
    const sms = renderSms('reminder', 'en', bare);

    // Assess
    for (const body of [email.html, email.text]) {
      expect(body).not.toContain('To pay, visit');
      expect(body).not.toContain('Questions?');
      expect(body).not.toContain('Description:');
    }
    expect(email.html).not.toContain('<a ');
    expect(sms.text).not.toContain('Pay at');
  });

  it('links the unsubscribe URL when there is one, instead of the reply instruction', () => {
    // Prepare
    const context = { ...ctx, optOut: { unsubscribeUrl: 'https://example.com/unsubscribe?t=a&u=b' } };

    // Act
    const email = renderEmail('reminder', 'pt-BR', context);

    // Assess
    expect(email.html).toContain(
      'Para não receber mais estes e-mails, acesse: <a href="https://example.com/unsubscribe?t=a&amp;u=b">',
    );
    expect(email.text).toContain(
      'Para não receber mais estes e-mails, acesse: https://example.com/unsubscribe?t=a&u=b',
    );
    expect(email.text).not.toContain('responda a esta mensagem');
  });

  it('greets without a name when the customer name is blank', () => {
    expect(renderEmail('reminder', 'pt-BR', { ...ctx, customer: { name: ' \n ' } }).text).toMatch(/^Olá\.\n/);
    expect(renderEmail('reminder', 'en', { ...ctx, customer: { name: '' } }).text).toMatch(/^Hello,\n/);
  });
});

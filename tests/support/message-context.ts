import type { MessageContext, SupportedLocale } from '../../functions/messages';
import type { TemplateName } from '../../functions/messages/template-names';

/**
 * The message context the message tests render (an invoice of R$ 1.234,50, 7 days late, for Maria Silva of Exemplo
 * Cobranças Ltda), variations of it, and the texts every language must show.
 */

export const ctx: MessageContext = {
  company: {
    legalName: 'Exemplo Cobranças Ltda',
    taxId: 'CNPJ 12.345.678/0001-90',
    supportContact: 'financeiro@example.com',
  },
  customer: { name: 'Maria Silva' },
  invoice: {
    invoiceId: 'INV-2026-0042',
    amount: { minor: 123450, currency: 'BRL' },
    balance: { minor: 123450, currency: 'BRL' },
    dueDate: '2026-12-10',
    paymentUrl: 'https://pay.example.com/INV-2026-0042',
  },
  daysFromDue: 7,
  optOut: {},
};

/** The days a template is typically sent at. */
export const TYPICAL_DAYS: Record<TemplateName, number> = {
  reminder: -3,
  'due-today': 0,
  overdue: 7,
  'final-notice': 25,
};
export const BALANCE: Record<SupportedLocale, RegExp> = {
  'pt-BR': /R\$\s1\.234,50/,
  en: /R\$1,234\.50/,
  es: /1234,50\sBRL/,
};
export const SMS_STOP = {
  'pt-BR': 'Responda SAIR para não receber mais SMS',
  en: 'Reply STOP to opt out',
  es: 'Responde BAJA para no recibir más SMS',
} as const;
export const ALREADY_PAID = {
  'pt-BR': 'Se você já pagou',
  en: 'If you have already paid',
  es: 'Si ya realizó el pago',
} as const;
export const SMS_ALREADY_PAID = { 'pt-BR': 'Se já pagou', en: 'If already paid', es: 'Si ya pagó' } as const;

export const withInvoice = (changes: Partial<MessageContext['invoice']>): MessageContext => ({
  ...ctx,
  invoice: { ...ctx.invoice, ...changes },
});

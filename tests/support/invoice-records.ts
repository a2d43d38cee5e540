import type { RecordValidation } from '../../functions/invoices/input/invoice-record';

/** A complete, valid invoice record (every field), as the API or a CSV row gives it. */
export const valid = {
  invoiceId: 'INV-2026-0001',
  customerId: 'C-1001',
  customerName: 'Ana Beatriz Souza',
  email: 'ana.souza@example.com',
  phone: '+5511987650001',
  timezone: 'America/Sao_Paulo',
  locale: 'pt-BR',
  country: 'BR',
  region: 'SP',
  amount: '1234.50',
  currency: 'BRL',
  dueDate: '2026-12-15',
  registeredAt: '2026-11-20T12:00:00Z',
  paymentUrl: 'https://pay.example.com/i/INV-2026-0001',
  description: 'Mensalidade plano Essencial - dezembro',
};

/** The issues of a record that must be invalid. */
export function issuesOf(result: RecordValidation) {
  if (result.ok) throw new Error(`expected issues, got ${JSON.stringify(result.value)}`);
  return result.issues;
}

import type { Customer, InvoiceRegistration } from '../../../functions/invoices/invoice';
import type { Stores } from '../../../functions/stores/stores';

/**
 * Makes the stores a contract suite runs against. Called once per test: an implementation may answer a fresh set each
 * time (in memory) or the same stores on one table (DynamoDB): every test uses ids of its own ({@link freshId}).
 */
export type MakeStores = () => Stores | Promise<Stores>;

let sequence = 0;
const run = Math.random().toString(36).slice(2, 8);

/** An id no other test of this process uses (`INV-ab12cd-7`): the suites share one table on DynamoDB. */
export const freshId = (prefix: string): string => `${prefix}-${run}-${++sequence}`;

export const AT = '2026-12-01T12:00:00.000Z';
export const LATER = '2026-12-02T12:00:00.000Z';

export function customer(customerId: string, overrides: Partial<Customer> = {}): Customer {
  return {
    customerId,
    name: 'Maria Silva',
    email: 'maria@example.com',
    phone: '+5511987650001',
    timezone: 'America/Sao_Paulo',
    locale: 'pt-BR',
    country: 'BR',
    region: 'SP',
    ...overrides,
  };
}

export function registration(
  invoiceId: string,
  customerId = freshId('C'),
  overrides: Partial<InvoiceRegistration> = {},
): InvoiceRegistration {
  return {
    invoiceId,
    customer: customer(customerId),
    amount: { minor: 123450, currency: 'BRL' },
    dueDate: '2026-12-10',
    paymentUrl: `https://pay.example.com/${invoiceId}`,
    ...overrides,
  };
}

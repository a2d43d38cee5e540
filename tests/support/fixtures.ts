import type { Context } from 'aws-lambda';
import { tableKeys } from '../../functions/contracts/table-layout';
import type { Customer, Invoice } from '../../functions/invoices/invoice';
import { type BillingRule, parseBillingRule } from '../../functions/rules/billing-rule';
import defaultRuleJson from '../../rules/default.json';

/** The shipped default rule (BR, D-3 … D+30), parsed. */
export const defaultRule: BillingRule = parseBillingRule(defaultRuleJson);

/** A Lambda context for calling handlers in-process. */
export const lambdaContext = {
  functionName: 'test',
  awsRequestId: 'test-request',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

export function customerFixture(overrides: Partial<Customer> = {}): Customer {
  return {
    customerId: 'C-1',
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

export function invoiceFixture(overrides: Partial<Invoice> = {}): Invoice {
  const customer = overrides.customer ?? customerFixture();
  return {
    invoiceId: 'INV-1',
    customer,
    amount: { minor: 123450, currency: 'BRL' },
    dueDate: '2026-12-10',
    status: 'OPEN',
    balanceMinor: 123450,
    ruleId: 'standard',
    version: 1,
    createdAt: '2026-12-01T12:00:00.000Z',
    updatedAt: '2026-12-01T12:00:00.000Z',
    paymentUrl: 'https://pay.example.com/INV-1',
    ...overrides,
  };
}

/**
 * `value` without `keys`: optional fields left out, as the stores and the schemas leave them (never set to `undefined`),
 * e.g. `without(customerFixture(), 'phone')`.
 */
export function without<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key as K))) as Omit<T, K>;
}

/** DynamoDB keys of the single table, as the stores write them (functions/contracts/table-layout.ts). */
export const keys = tableKeys;

/**
 * An invoice as the API and the drop files take it (`POST /invoices`, a CSV row): a São Paulo debtor of its own
 * (`C-<id>`, `<id>@example.com`), R$ 289,90 due 2026-12-01 with a payment link; `overrides` change or add fields
 * (`paymentUrl: undefined` drops the link).
 */
export function registrationFixture(invoiceId: string, overrides: Record<string, unknown> = {}) {
  return {
    invoiceId,
    customerId: `C-${invoiceId}`,
    customerName: 'Maria Silva',
    email: `${invoiceId.toLowerCase()}@example.com`,
    phone: '+5511987650001',
    timezone: 'America/Sao_Paulo',
    locale: 'pt-BR',
    country: 'BR',
    region: 'SP',
    amount: '289.90',
    currency: 'BRL',
    dueDate: '2026-12-01',
    paymentUrl: `https://pay.example.com/${invoiceId}`,
    ...overrides,
  };
}

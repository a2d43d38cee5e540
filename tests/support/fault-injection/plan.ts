import { join } from 'node:path';
import { random as mulberry32 } from '../../../bench/generate-portfolio';
import { validateInvoiceRecord } from '../../../functions/invoices/input/invoice-record';
import type { InvoiceRegistration } from '../../../functions/invoices/invoice';
import type { BillingRule } from '../../../functions/rules/billing-rule';
import { debtorTimezone, stageDueInstant } from '../../../functions/rules/schedule';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../../lib/config';

/**
 * The fault-injection run's plan (tests/e2e/fault-injection.test.ts): a randomized portfolio (customers with one to
 * three invoices, many of them due the same day), when and by which door each invoice is registered, and payments at
 * random moments. Seeded: FAULT_SEED and FAULT_INVOICES change the run.
 */

export const SEED = Number(process.env.FAULT_SEED ?? 20_261_129);
export const INVOICE_COUNT = Number(process.env.FAULT_INVOICES ?? 1000);
export const T0 = new Date('2026-11-23T00:00:00.000Z'); // a Monday
/** Where the run stops: the walks of invoices due after mid-December are still waiting for their last stages. */
export const UNTIL = new Date('2027-01-12T00:00:00.000Z');

export const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
export const rule: BillingRule = config.rule;

// ---------------------------------------------------------------------------------------------------------------
// Randomness: one seeded PRNG for the portfolio and the plan, another for the faults (drawn in I/O order).

const planRandom = mulberry32(SEED);
export const faultRandom = mulberry32(SEED ^ 0x5eed);
export const pick = <T>(items: readonly T[]): T => items[Math.floor(planRandom() * items.length)] as T;
const between = (from: number, to: number): number => from + Math.floor(planRandom() * (to - from));
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------------------------
// The portfolio and the plan of registrations and payments.

const ZONES = [
  { timezone: 'America/Sao_Paulo', locale: 'pt-BR', country: 'BR', region: 'SP', currency: 'BRL', phone: '+55119' },
  { timezone: 'America/Sao_Paulo', locale: 'pt-BR', country: 'BR', region: 'RJ', currency: 'BRL', phone: '+55219' },
  { timezone: 'America/New_York', locale: 'en', country: 'US', region: 'NY', currency: 'USD', phone: '+1212' },
  { timezone: 'Europe/Lisbon', locale: 'pt-BR', country: 'PT', region: '', currency: 'EUR', phone: '+3519' },
  { timezone: 'Europe/Madrid', locale: 'es', country: 'ES', region: 'MD', currency: 'EUR', phone: '+346' },
] as const;

export type InvoiceRecord = Record<string, string>;
type RegistrationPath = 'api' | 's3' | 'both';

export interface PlannedInvoice {
  readonly record: InvoiceRecord;
  readonly registration: InvoiceRegistration;
  readonly registerAt: Date;
  readonly path: RegistrationPath;
}

export interface PlannedPayment {
  readonly at: Date;
  readonly invoiceId: string;
  /** Minor units; undefined pays the balance. */
  readonly amountMinor?: number;
  readonly kind: 'full' | 'race' | 'double' | 'partial' | 'concurrent-partials';
}

export const CSV_COLUMNS = [
  'invoiceId',
  'customerId',
  'customerName',
  'email',
  'phone',
  'timezone',
  'locale',
  'country',
  'region',
  'amount',
  'currency',
  'dueDate',
  'paymentUrl',
] as const;

export function planPortfolio(count: number): PlannedInvoice[] {
  // Later registrations happen at a few dozen instants (API calls and file drops), some after stages have passed.
  const instants = Array.from({ length: 30 }, () => new Date(T0.getTime() + between(1, 21 * 24 * 60) * MINUTE));
  const invoices: PlannedInvoice[] = [];
  let customer = 0;
  while (invoices.length < count) {
    customer += 1;
    planCustomer(customer, count, invoices, instants);
  }
  return invoices;
}

/** Adds one customer's invoices (one to three, as many as `count` leaves room for) to `invoices`. */
function planCustomer(customer: number, count: number, invoices: PlannedInvoice[], instants: readonly Date[]): void {
  const zone = pick(ZONES);
  const size = Math.min(count - invoices.length, planRandom() < 0.45 ? 1 : planRandom() < 0.6 ? 2 : 3);
  const sameDay = planRandom() < 0.6; // invoices of one customer due the same day: their stages race for the slot
  const firstDue = between(4, 31);
  const email = planRandom() < 0.97 ? `fc${customer}@example.com` : '';
  const phone = planRandom() < 0.9 ? `${zone.phone}${String(10_000_000 + customer).slice(-8)}` : '';
  for (let i = 0; i < size; i++) {
    const n = invoices.length + 1;
    const due = new Date(T0.getTime() + (sameDay ? firstDue : between(4, 31)) * DAY).toISOString().slice(0, 10);
    const invoiceId = `FI-${String(n).padStart(5, '0')}`;
    const record: InvoiceRecord = {
      invoiceId,
      customerId: `FC-${String(customer).padStart(5, '0')}`,
      customerName: `Cliente ${customer}`,
      email,
      phone,
      timezone: zone.timezone,
      locale: zone.locale,
      country: zone.country,
      region: zone.region,
      amount: (between(1_000, 500_000) / 100).toFixed(2),
      currency: zone.currency,
      dueDate: due,
      paymentUrl: `https://pay.example.com/${invoiceId}`,
    };
    invoices.push(plannedInvoice(record, instants));
  }
}

/** The record validated as the API would, and when and by which door it is registered. */
function plannedInvoice(record: InvoiceRecord, instants: readonly Date[]): PlannedInvoice {
  const validation = validateInvoiceRecord(record);
  if (!validation.ok) throw new Error(`generated an invalid record: ${JSON.stringify(validation.issues)}`);
  const roll = planRandom();
  return {
    record,
    registration: validation.value,
    registerAt: roll < 0.4 ? T0 : pick(instants),
    path: planRandom() < 0.04 ? 'both' : planRandom() < 0.5 ? 'api' : 's3',
  };
}

/** The instant a stage of this invoice is due (debtor's zone), as the rule says. */
export function stageInstant(invoice: InvoiceRegistration, stageIndex: number): Date {
  const stage = rule.stages[stageIndex];
  if (!stage) throw new Error(`no stage ${stageIndex}`);
  return stageDueInstant(invoice.dueDate, stage, debtorTimezone(rule, invoice.customer));
}

export function planPayments(invoices: readonly PlannedInvoice[]): PlannedPayment[] {
  const payments: PlannedPayment[] = [];
  for (const { registration, registerAt } of invoices) {
    if (planRandom() >= 0.45) continue;
    const { invoiceId } = registration;
    const minor = registration.amount.minor;
    const earliest = registerAt.getTime() + MINUTE;
    const randomAt = () => new Date(between(earliest, UNTIL.getTime() - DAY));
    const roll = planRandom();
    if (roll < 0.3) {
      // exactly when one of its stages' messages go out (D0, D+3 or D+7): the payment races the send step
      const at = stageInstant(registration, between(1, 4));
      if (at.getTime() > earliest) {
        payments.push({ at, invoiceId, kind: 'race' });
        continue;
      }
    }
    if (roll < 0.4) {
      const at = randomAt();
      payments.push({ at, invoiceId, kind: 'double' }, { at, invoiceId, kind: 'double' });
    } else if (roll < 0.5) {
      const first = randomAt();
      const second = new Date(between(first.getTime() + MINUTE, UNTIL.getTime() - HOUR));
      payments.push({ at: first, invoiceId, amountMinor: Math.floor(minor / 3) || 1, kind: 'partial' });
      payments.push({ at: second, invoiceId, kind: 'partial' });
    } else if (roll < 0.55 && minor >= 2) {
      const at = randomAt();
      const half = Math.floor(minor / 2);
      payments.push({ at, invoiceId, amountMinor: half, kind: 'concurrent-partials' });
      payments.push({ at, invoiceId, amountMinor: minor - half, kind: 'concurrent-partials' });
    } else {
      payments.push({ at: randomAt(), invoiceId, kind: 'full' });
    }
  }
  return payments;
}

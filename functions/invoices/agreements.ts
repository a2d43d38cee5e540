import { InstalmentIdTaken, InvalidAgreement, InvoiceNotFound } from '../contracts/errors';
import type { StartQueue } from '../executions/start-queue';
import type { TaskTokens } from '../executions/task-tokens';
import { type RuleTermsBook, termsFor } from '../rules/rule-terms';
import { debtorTimezone } from '../rules/schedule';
import {
  type AmountDue,
  checkAgreement,
  type InstalmentRequest,
  instalmentDescription,
  parseInstalments,
} from './agreement';
import type { AuditLog } from './audit-log';
import type { CustomerStore } from './customer-store';
import type { Instalment, Invoice, InvoiceRegistration, InvoiceStatus } from './invoice';
import { changeInvoice } from './invoice-changes';
import type { InvoiceStore } from './invoice-store';
import { InvalidTransition } from './lifecycle';
import { renegotiationRefusal, sameInstalments } from './lifecycle/renegotiation';

export interface AgreementDeps {
  readonly invoices: InvoiceStore;
  readonly customers: CustomerStore;
  readonly auditLog: AuditLog;
  readonly tokens: TaskTokens;
  /** Where each instalment's walk is started (the registration path: the SQS starter). */
  readonly queue: StartQueue;
  readonly now: () => Date;
  /** The late-fee and calendar terms of each billing rule (`RULE_TERMS`). */
  readonly terms: RuleTermsBook;
  /** The rule an invoice registered under an unknown rule walks (`RULE_ID`). */
  readonly defaultRuleId: string;
}

export interface AgreementResult {
  /** The original invoice after the agreement (RENEGOTIATED). */
  readonly invoice: Invoice;
  readonly previousStatus: InvoiceStatus;
  /** `renegotiated` now, or `duplicate`: the same agreement was recorded before (nothing changed). */
  readonly event: 'renegotiated' | 'duplicate';
  /** What the instalments were checked against (a new agreement only). */
  readonly due?: AmountDue;
  readonly instalments: readonly Instalment[];
  /** Instalment invoices registered by this call (their walks queued). */
  readonly registered: readonly string[];
  /** Instalment invoices registered before (by an earlier call); those whose walk never started are queued again. */
  readonly duplicates: readonly string[];
  /** Instalments that could not be stored or queued: the same request again completes them. */
  readonly failed: readonly { readonly invoiceId: string; readonly error: string }[];
  /** The original's waiting workflow step was resumed and its walk ends (`Dunning stopped (invoice closed)`). */
  readonly resumedWorkflow: boolean;
  /** The workflow could not be told yet: the next change or the reconciler tells it (`ChangeResult`). */
  readonly resumePending?: true;
}

/**
 * `POST /invoices/{id}/agreements`: renegotiates an invoice into instalments. The instalments are checked (future,
 * increasing due dates; amounts adding up to the balance plus the late fees to date, per the invoice's rule); the
 * original becomes RENEGOTIATED in one conditional write that lists them, its waiting step is resumed at once (its walk
 * ends), then each instalment is registered as an invoice of its own (`agreementOf` the original, the original's rule
 * and customer) and its walk is queued to the starter, as any registration.
 *
 * Idempotent: the same agreement again is a `duplicate` and registers (or queues) whatever instalment is missing — so
 * a call that failed halfway is completed by sending it again; another agreement on a renegotiated invoice is a 409.
 * @throws InvoiceNotFound; InvalidTransition (409: the status, another agreement, a payment in between);
 *   InvalidAgreement (400, every field named); InstalmentIdTaken (409: an instalment id is another invoice's).
 */
export async function renegotiate(
  input: { readonly invoiceId: string; readonly instalments: readonly InstalmentRequest[]; readonly by?: string },
  deps: AgreementDeps,
): Promise<AgreementResult> {
  const { invoiceId } = input;
  const invoice = await deps.invoices.getInvoice(invoiceId);
  if (!invoice) throw new InvoiceNotFound(invoiceId);

  if (invoice.status === 'RENEGOTIATED') {
    const parsed = parseInstalments(invoice, input.instalments);
    if (!parsed.ok) throw new InvalidAgreement(invoiceId, parsed.issues);
    const recorded = invoice.instalments ?? [];
    if (!sameInstalments(recorded, parsed.instalments)) {
      throw new InvalidTransition(
        invoiceId,
        invoice.status,
        'renegotiate',
        `it was renegotiated already, into ${recorded.map((i) => i.invoiceId).join(', ')}`,
      );
    }
    const registration = await registerInstalments(invoice, recorded, deps);
    return {
      invoice,
      previousStatus: invoice.status,
      event: 'duplicate',
      instalments: recorded,
      ...registration,
      resumedWorkflow: false,
    };
  }

  const refusal = renegotiationRefusal(invoice.status);
  if (refusal) throw new InvalidTransition(invoiceId, invoice.status, 'renegotiate', refusal);
  const terms = termsFor(deps.terms, invoice.ruleId, deps.defaultRuleId);
  const customer = await deps.customers.getCustomer(invoice.customer.customerId);
  const timezone = debtorTimezone(terms, customer ?? invoice.customer);
  const check = checkAgreement(invoice, input.instalments, { terms, timezone, now: deps.now() });
  if (!check.ok) throw new InvalidAgreement(invoiceId, check.issues);
  await assertIdsFree(invoiceId, check.instalments, deps.invoices);

  const changed = await changeInvoice(
    invoiceId,
    {
      type: 'renegotiate',
      instalments: check.instalments,
      due: check.due,
      ...(input.by ? { by: input.by } : {}),
    },
    deps,
  );
  const registration = await registerInstalments(changed.invoice, check.instalments, deps);
  return {
    invoice: changed.invoice,
    previousStatus: changed.previousStatus,
    // a concurrent call with the same agreement got there first
    event: changed.unchanged === 'duplicate-agreement' ? 'duplicate' : 'renegotiated',
    due: check.due,
    instalments: check.instalments,
    ...registration,
    resumedWorkflow: changed.resumedWorkflow,
    ...(changed.resumePending ? { resumePending: true as const } : {}),
  };
}

/** Refuses (before anything changes) an agreement whose instalment ids are taken by invoices of no agreement of this. */
async function assertIdsFree(
  invoiceId: string,
  instalments: readonly Instalment[],
  invoices: InvoiceStore,
): Promise<void> {
  const existing = await Promise.all(instalments.map((i) => invoices.getInvoice(i.invoiceId)));
  const taken = instalments.flatMap((instalment, index) => {
    const other = existing[index];
    return other && other.agreementOf !== invoiceId
      ? [{ path: `instalments.${index}`, issue: `its id ${instalment.invoiceId} is the id of another invoice` }]
      : [];
  });
  if (taken.length > 0) throw new InstalmentIdTaken(invoiceId, taken);
}

/**
 * Registers each instalment as an invoice (idempotent by id: createInvoice is a conditional put) with the original's
 * customer and rule, records `registered` (with `agreementOf`) and queues the walks not started yet.
 */
async function registerInstalments(
  original: Invoice,
  instalments: readonly Instalment[],
  deps: AgreementDeps,
): Promise<Pick<AgreementResult, 'registered' | 'duplicates' | 'failed'>> {
  const at = deps.now().toISOString();
  const registered: string[] = [];
  const duplicates: string[] = [];
  const failed: { invoiceId: string; error: string }[] = [];
  const toQueue: string[] = [];
  for (const [index, instalment] of instalments.entries()) {
    const registration: InvoiceRegistration = {
      invoiceId: instalment.invoiceId,
      customer: original.customer,
      amount: { minor: instalment.amountMinor, currency: original.amount.currency },
      dueDate: instalment.dueDate,
      registeredAt: at,
      description: instalmentDescription(original, index + 1, instalments.length),
      agreementOf: original.invoiceId,
      ...(instalment.paymentUrl ? { paymentUrl: instalment.paymentUrl } : {}),
    };
    try {
      if ((await deps.invoices.createInvoice(registration, original.ruleId, at)) === 'created') {
        await deps.auditLog.logEvent({
          at,
          invoiceId: instalment.invoiceId,
          type: 'registered',
          detail: {
            agreementOf: original.invoiceId,
            instalment: index + 1,
            of: instalments.length,
            amountMinor: instalment.amountMinor,
          },
        });
        registered.push(instalment.invoiceId);
        toQueue.push(instalment.invoiceId);
      } else {
        duplicates.push(instalment.invoiceId);
        const existing = await deps.invoices.getInvoice(instalment.invoiceId);
        if (existing && !existing.executionArn) toQueue.push(instalment.invoiceId);
      }
    } catch (error) {
      failed.push({ invoiceId: instalment.invoiceId, error: (error as Error).message });
    }
  }
  if (toQueue.length > 0) {
    try {
      for (const invoiceId of await deps.queue.enqueue(toQueue)) {
        failed.push({ invoiceId, error: 'stored, but its walk could not be queued yet: send the agreement again' });
      }
    } catch (error) {
      for (const invoiceId of toQueue) failed.push({ invoiceId, error: (error as Error).message });
    }
  }
  const notFailed = (id: string) => !failed.some((f) => f.invoiceId === id);
  return {
    registered: registered.filter(notFailed),
    duplicates: duplicates.filter(notFailed),
    failed,
  };
}

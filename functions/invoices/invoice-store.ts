import type { InterruptOutput } from '../contracts/step-result';
import type { Invoice, InvoiceRegistration, InvoiceStatus } from './invoice';
import type { InvoiceChange } from './lifecycle';

/** Where a wait step parks its token: a stage's wait (the invoice must be contactable) or a hold (paused, disputed). */
export type WaitKind = 'stage' | 'hold';

/**
 * The invoices (docs/architecture.md "Data model"). Every change is one conditional write of one invoice: a
 * lifecycle change only if nobody changed the invoice since it was read (optimistic lock on `version`), the other
 * marks only while the invoice is in the status they are for. Reads of one invoice are consistent; the invoices of
 * a customer come from an index (eventually consistent). DynamoDB: functions/stores/dynamodb/invoice-store.ts.
 */
export interface InvoiceStore {
  /** The invoice (consistent read), or undefined. */
  getInvoice(invoiceId: string): Promise<Invoice | undefined>;

  /**
   * Creates the invoice (OPEN, balance = amount, version 1) unless one with the same id exists: registration is
   * idempotent by invoice id.
   */
  createInvoice(registration: InvoiceRegistration, ruleId: string, at: string): Promise<'created' | 'duplicate'>;

  /** Records the execution that walks this invoice (the invoice must exist). */
  setExecution(invoiceId: string, executionArn: string, at: string): Promise<void>;

  /**
   * Records the execution of the invoice's next walk (`walk` 2, 3, …: continued in a new execution, or restarted),
   * only while the invoice still records `replacing` as its execution (none: `undefined`). False when it does not (a
   * continue or restart got there first, or the invoice does not exist): nothing is written.
   */
  recordNextWalk(
    invoiceId: string,
    next: { executionArn: string; walk: number; replacing: string | undefined },
    at: string,
  ): Promise<boolean>;

  /**
   * Stores the task token of the wait that is running now, with the instant it ends (`until`, '' for none), only
   * while the invoice is in the state that wait is for: contactable (OPEN, ESCALATED) for a stage's wait, which also
   * records `stageId` as the current stage; on hold (PAUSED, DISPUTED) for a hold. Returns the invoice's status when
   * it is not (the caller resumes the wait itself). A stage's wait that finds the invoice on hold still records its
   * stage, so that dunning resumes there. A new wait takes off any `pendingResume` of the token it replaces (the
   * workflow has moved on and re-read the invoice). Bumps the version.
   */
  storeTaskToken(
    invoiceId: string,
    stageId: string,
    taskToken: string,
    at: string,
    options?: { kind?: WaitKind; until?: string },
  ): Promise<{ stored: true } | { stored: false; status: InvoiceStatus | 'MISSING' }>;

  /**
   * Writes a lifecycle change (`decide`, invoices/lifecycle.ts) onto the invoice read as `current`, only if nobody
   * changed it since (optimistic lock on `version`). `resume` records what the parked task token is to be told
   * (`pendingResume`) in the same write, keeping the token on the item until the caller delivered it
   * ({@link resumeDelivered}). Returns the invoice as written, or 'conflict': read again and decide again.
   */
  writeInvoiceChange(
    current: Invoice,
    change: InvoiceChange,
    at: string,
    options?: { resume?: InterruptOutput },
  ): Promise<Invoice | 'conflict'>;

  /**
   * Writes a renegotiation (`decide` with `renegotiate`) like {@link writeInvoiceChange}: RENEGOTIATED with the
   * instalments that replace it, the hold ended. Throws when the change carries no instalments.
   */
  writeRenegotiation(
    current: Invoice,
    change: InvoiceChange,
    at: string,
    options?: { resume?: InterruptOutput },
  ): Promise<Invoice | 'conflict'>;

  /**
   * The parked `taskToken` was told its `pendingResume` (or found no longer waiting): takes the token, its
   * `waitUntil` and the pending resume off the invoice, only while that token is still the parked one (a wait that
   * began since parked its own). The version stays (no lifecycle decision depends on the token). False when the
   * token was no longer there.
   */
  resumeDelivered(invoiceId: string, taskToken: string, at: string): Promise<boolean>;

  /** Marks the invoice ESCALATED if it is OPEN (it stays contactable by later stages); otherwise nothing happens. */
  markEscalated(invoiceId: string, at: string): Promise<void>;

  /** Records an unhandled workflow error on the invoice (`lastError`); nothing when the invoice does not exist. */
  recordFailure(invoiceId: string, message: string, at: string): Promise<void>;

  /**
   * Records the early-payment offer a stage made (invoices/early-payment.ts), replacing an earlier one, only while the
   * invoice is contactable and its balance is still the one the discount was computed on. Bumps the version.
   * 'stale' when the invoice changed meanwhile (paid, part-paid, put on hold): nothing is written.
   */
  recordEarlyPaymentOffer(
    invoiceId: string,
    offer: NonNullable<Invoice['earlyPayment']>,
    at: string,
  ): Promise<'recorded' | 'stale'>;

  /**
   * Every invoice of the customer, whatever its status, by invoice id (eventually consistent: read an invoice itself
   * before acting on its status).
   */
  customerInvoices(customerId: string): Promise<Invoice[]>;
}

/** An invoice whose walk is under way: it has an execution and is contactable or on hold, waiting to resume. */
export interface WalkUnderWay {
  readonly invoiceId: string;
  /** The rule chosen at registration, when the invoice records one. */
  readonly ruleId?: string;
  /** Its latest execution (a walk continued or restarted runs under its own name). */
  readonly executionArn?: string;
}

/**
 * Reads over every invoice, for the local system and tools only: on DynamoDB they scan the table, which the Lambdas'
 * grants leave out (no handler builds this). DynamoDB: functions/stores/dynamodb/invoice-listing.ts.
 */
export interface InvoiceListing {
  /** Every invoice id, sorted. */
  allInvoiceIds(): Promise<string[]>;

  /** Every invoice whose walk is under way (has an execution; OPEN, ESCALATED, PAUSED or DISPUTED), in no set order. */
  walksUnderWay(): Promise<WalkUnderWay[]>;
}

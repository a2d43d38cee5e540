import type { FieldIssue } from '../domain/field-issue';

/** The invoice does not exist (HTTP 404, or a workflow failure when an execution has no invoice). */
export class InvoiceNotFound extends Error {
  override readonly name = 'InvoiceNotFound';
  constructor(readonly invoiceId: string) {
    super(`Invoice ${invoiceId} not found`);
  }
}

/** The customer does not exist (HTTP 404). */
export class CustomerNotFound extends Error {
  override readonly name = 'CustomerNotFound';
  constructor(readonly customerId: string) {
    super(`Customer ${customerId} not found`);
  }
}

/** The invoice is not in a state that allows this operation (HTTP 409). */
export class InvoiceNotOpen extends Error {
  override readonly name = 'InvoiceNotOpen';
  constructor(
    readonly invoiceId: string,
    readonly status: string,
  ) {
    super(`Invoice ${invoiceId} is ${status}, not open`);
  }
}

/** A renegotiation agreement breaks a rule (due dates, amounts, their sum): HTTP 400 naming each field. */
export class InvalidAgreement extends Error {
  override readonly name = 'InvalidAgreement';
  constructor(
    readonly invoiceId: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`Invalid agreement for invoice ${invoiceId}`);
  }
}

/**
 * An instalment's id (derived from the original's) belongs to an invoice that is not part of this agreement: HTTP 409.
 * Nothing was changed.
 */
export class InstalmentIdTaken extends Error {
  override readonly name = 'InstalmentIdTaken';
  constructor(
    readonly invoiceId: string,
    readonly taken: readonly FieldIssue[],
  ) {
    super(`Invoice ${invoiceId} cannot be renegotiated: an instalment id is taken by another invoice`);
  }
}

/** The workflow asked for a stage the rule does not have: the definition and the rule are out of sync. */
export class UnknownStage extends Error {
  override readonly name = 'UnknownStage';
  constructor(stageId: string, ruleId: string) {
    super(`Stage ${stageId} is not in billing rule ${ruleId}`);
  }
}

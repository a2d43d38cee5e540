import type { FieldIssue } from '../values/field-issue';

/**
 * Errors that cross a module boundary, each carrying the HTTP status and code the API answers with, so they are thrown
 * deep in a capability and turned into the JSON error body in one place (`httpErrors()` in platform/http.ts).
 */

/** An error the API answers with its own status, code and field details (`{ "error": { code, message, details } }`). */
export abstract class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  get details(): readonly FieldIssue[] {
    return [];
  }
}

/** An error with an HTTP status, thrown anywhere below a handler: bad input, a missing parameter, a refused body. */
export class HttpError extends ApiError {
  override readonly name = 'HttpError';
  constructor(
    statusCode: number,
    code: string,
    message: string,
    private readonly fieldDetails: readonly FieldIssue[] = [],
  ) {
    super(statusCode, code, message);
  }
  override get details(): readonly FieldIssue[] {
    return this.fieldDetails;
  }
}

/** The invoice does not exist (HTTP 404, or a workflow failure when an execution has no invoice). */
export class InvoiceNotFound extends ApiError {
  override readonly name = 'InvoiceNotFound';
  constructor(readonly invoiceId: string) {
    super(404, 'InvoiceNotFound', `Invoice ${invoiceId} not found`);
  }
}

/** The customer does not exist (HTTP 404). */
export class CustomerNotFound extends ApiError {
  override readonly name = 'CustomerNotFound';
  constructor(readonly customerId: string) {
    super(404, 'CustomerNotFound', `Customer ${customerId} not found`);
  }
}

/** The invoice is not in a state that allows this operation (HTTP 409). */
export class InvoiceNotOpen extends ApiError {
  override readonly name = 'InvoiceNotOpen';
  constructor(
    readonly invoiceId: string,
    readonly status: string,
  ) {
    super(409, 'InvoiceNotOpen', `Invoice ${invoiceId} is ${status}, not open`);
  }
}

/** A renegotiation agreement breaks a rule (due dates, amounts, their sum): HTTP 400 naming each field. */
export class InvalidAgreement extends ApiError {
  override readonly name = 'InvalidAgreement';
  constructor(
    readonly invoiceId: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(400, 'ValidationError', `Invalid agreement for invoice ${invoiceId}`);
  }
  override get details(): readonly FieldIssue[] {
    return this.issues;
  }
}

/**
 * An instalment's id (derived from the original's) belongs to an invoice that is not part of this agreement: HTTP 409.
 * Nothing was changed.
 */
export class InstalmentIdTaken extends ApiError {
  override readonly name = 'InstalmentIdTaken';
  constructor(
    readonly invoiceId: string,
    readonly taken: readonly FieldIssue[],
  ) {
    super(
      409,
      'InstalmentIdTaken',
      `Invoice ${invoiceId} cannot be renegotiated: an instalment id is taken by another invoice`,
    );
  }
  override get details(): readonly FieldIssue[] {
    return this.taken;
  }
}

/** The workflow asked for a stage the rule does not have: the definition and the rule are out of sync. */
export class UnknownStage extends Error {
  override readonly name = 'UnknownStage';
  constructor(stageId: string, ruleId: string) {
    super(`Stage ${stageId} is not in billing rule ${ruleId}`);
  }
}

/** An invoice kept changing while a change was being written (optimistic lock lost every attempt): HTTP 503, retry. */
export class ConcurrentChange extends ApiError {
  override readonly name = 'ConcurrentChange';
  constructor(readonly invoiceId: string) {
    super(503, 'ConcurrentChange', `Invoice ${invoiceId} kept changing while this change was being written; try again`);
  }
}

/** An operator asked to restart a walk whose execution is running (and not stuck): HTTP 409. */
export class WalkRunning extends ApiError {
  override readonly name = 'WalkRunning';
  constructor(readonly invoiceId: string) {
    super(
      409,
      'WalkRunning',
      `The walk of invoice ${invoiceId} is running: it is not restarted (a change such as resume reaches it)`,
    );
  }
}

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

/** The workflow asked for a stage the rule does not have: the definition and the rule are out of sync. */
export class UnknownStage extends Error {
  override readonly name = 'UnknownStage';
  constructor(stageId: string, ruleId: string) {
    super(`Stage ${stageId} is not in billing rule ${ruleId}`);
  }
}

import type { InterruptOutput } from '../../contracts/step-result';
import { ITEM_TYPE, KEY_PREFIX, tableKeys } from '../../contracts/table-layout';
import { type Invoice, type InvoiceRegistration, type InvoiceStatus, newInvoice } from '../../invoices/invoice';
import type { InvoiceStore, WaitKind } from '../../invoices/invoice-store';
import type { InvoiceChange } from '../../invoices/lifecycle';
import { queryCustomerIndex, stripKeys, TableStore } from './table';

const invoiceKey = tableKeys.invoice;
const invoiceIndexKey = tableKeys.invoiceInCustomerIndex;

/** The invoice items (`INVOICE#<id>` / `INVOICE`, under their customer in `gsi1`): contracts/table-layout.ts. */
export class DynamoInvoiceStore extends TableStore implements InvoiceStore {
  async getInvoice(invoiceId: string): Promise<Invoice | undefined> {
    const item = await this.getItem(invoiceKey(invoiceId));
    return item ? stripKeys<Invoice>(item) : undefined;
  }

  /**
   * Creates the invoice unless one with the same id exists (registration is idempotent by invoice id).
   * Returns 'created' or 'duplicate'.
   */
  async createInvoice(registration: InvoiceRegistration, ruleId: string, at: string): Promise<'created' | 'duplicate'> {
    const invoice = newInvoice(registration, ruleId, at);
    const created = await this.putNewItem({
      ...invoiceKey(registration.invoiceId),
      ...invoiceIndexKey(registration.customer.customerId, registration.invoiceId),
      itemType: ITEM_TYPE.invoice,
      ...invoice,
    });
    return created ? 'created' : 'duplicate';
  }

  /** Records the execution that walks this invoice. */
  async setExecution(invoiceId: string, executionArn: string, at: string): Promise<void> {
    await this.update({
      Key: invoiceKey(invoiceId),
      UpdateExpression: 'SET executionArn = :arn, updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':arn': executionArn, ':at': at },
    });
  }

  /** Records the next walk's execution, only while the invoice still records `replacing` (one conditional write). */
  async recordNextWalk(
    invoiceId: string,
    next: { executionArn: string; walk: number; replacing: string | undefined },
    at: string,
  ): Promise<boolean> {
    const out = await this.conditionalUpdate({
      Key: invoiceKey(invoiceId),
      UpdateExpression: 'SET executionArn = :arn, walk = :walk, updatedAt = :at',
      ConditionExpression:
        next.replacing === undefined
          ? 'attribute_exists(pk) AND attribute_not_exists(executionArn)'
          : 'executionArn = :replacing',
      ExpressionAttributeValues: {
        ':arn': next.executionArn,
        ':walk': next.walk,
        ':at': at,
        ...(next.replacing === undefined ? {} : { ':replacing': next.replacing }),
      },
    });
    return out !== undefined;
  }

  /**
   * Stores the task token of the wait that is running now, with the instant it ends (`until`, '' for none), only
   * while the invoice is in the state that wait is for: contactable (OPEN, ESCALATED) for a stage's wait, which also
   * records `stageId` as the current stage; on hold (PAUSED, DISPUTED) for a hold. Returns the invoice's status when
   * it is not (the caller resumes the wait itself). A stage's wait that finds the invoice on hold still records its
   * stage, so that dunning resumes there.
   */
  async storeTaskToken(
    invoiceId: string,
    stageId: string,
    taskToken: string,
    at: string,
    options: { kind?: WaitKind; until?: string } = {},
  ): Promise<{ stored: true } | { stored: false; status: InvoiceStatus | 'MISSING' }> {
    const hold = options.kind === 'hold';
    const until = options.until ?? '';
    const set = ['taskToken = :token', 'updatedAt = :at'];
    if (!hold) set.push('currentStage = :stage');
    if (until) set.push('waitUntil = :until');
    const out = await this.conditionalUpdate({
      Key: invoiceKey(invoiceId),
      UpdateExpression: `SET ${set.join(', ')} REMOVE pendingResume${until ? '' : ', waitUntil'} ADD version :one`,
      ConditionExpression: hold ? '#status IN (:paused, :disputed)' : '#status IN (:open, :escalated)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':token': taskToken,
        ':at': at,
        ':one': 1,
        ...(hold ? { ':paused': 'PAUSED', ':disputed': 'DISPUTED' } : { ':open': 'OPEN', ':escalated': 'ESCALATED' }),
        ...(hold ? {} : { ':stage': stageId }),
        ...(until ? { ':until': until } : {}),
      },
    });
    if (out) return { stored: true };
    const invoice = await this.getInvoice(invoiceId);
    if (!hold && invoice && (invoice.status === 'PAUSED' || invoice.status === 'DISPUTED')) {
      await this.recordStageOnHold(invoiceId, stageId, at);
    }
    return { stored: false, status: invoice?.status ?? 'MISSING' };
  }

  /** The walk moved on to `stageId` while the invoice is on hold: dunning resumes there (no-op once the hold ended). */
  private async recordStageOnHold(invoiceId: string, stageId: string, at: string): Promise<void> {
    await this.conditionalUpdate({
      Key: invoiceKey(invoiceId),
      UpdateExpression: 'SET currentStage = :stage, updatedAt = :at ADD version :one',
      ConditionExpression: '#status IN (:paused, :disputed)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':stage': stageId,
        ':at': at,
        ':one': 1,
        ':paused': 'PAUSED',
        ':disputed': 'DISPUTED',
      },
    });
  }

  /**
   * Writes a lifecycle change (`decide` in invoices/lifecycle.ts) onto the invoice read as `current`, only if nobody
   * changed it since (optimistic lock on `version`): one conditional write of the invoice item. `resume` records
   * what the parked task token is to be told (`pendingResume`), keeping the token until the caller delivered it.
   * Returns the invoice as written, or 'conflict': read again and decide again.
   */
  async writeInvoiceChange(
    current: Invoice,
    change: InvoiceChange,
    at: string,
    options: { resume?: InterruptOutput } = {},
  ): Promise<Invoice | 'conflict'> {
    const set = ['#status = :status', 'updatedAt = :at', 'version = :next'];
    const remove: string[] = [];
    const values: Record<string, unknown> = {
      ':status': change.status,
      ':at': at,
      ':version': current.version,
      ':next': current.version + 1,
    };
    const assign = (attribute: string, placeholder: string, value: unknown) => {
      set.push(`${attribute} = ${placeholder}`);
      values[placeholder] = value;
    };
    if (change.balanceMinor !== undefined) assign('balanceMinor', ':balance', change.balanceMinor);
    if (change.creditMinor !== undefined) assign('creditMinor', ':credit', change.creditMinor);
    if (change.paymentRefs !== undefined) assign('paymentRefs', ':refs', change.paymentRefs);
    if (change.paidAt !== undefined) assign('paidAt', ':paidAt', change.paidAt);
    // HOLD is a DynamoDB reserved word.
    if (change.hold === null) remove.push('#hold');
    else if (change.hold !== undefined) assign('#hold', ':hold', change.hold);
    if (options.resume && current.taskToken) assign('pendingResume', ':resume', options.resume);
    const out = await this.conditionalUpdate({
      Key: invoiceKey(current.invoiceId),
      UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: 'version = :version',
      ExpressionAttributeNames: { '#status': 'status', ...(change.hold !== undefined ? { '#hold': 'hold' } : {}) },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
    return out ? stripKeys<Invoice>(out.Attributes ?? {}) : 'conflict';
  }

  /**
   * Writes a renegotiation (`decide` with `renegotiate`, invoices/lifecycle.ts) onto the invoice read as `current`, only
   * if nobody changed it since (optimistic lock on `version`), like {@link writeInvoiceChange}: RENEGOTIATED with the
   * instalments that replace it, the hold ended, and with `resume` what the parked task token is to be told (kept
   * until the caller delivered it). One conditional write. Returns the invoice as written, or 'conflict': read again and decide again.
   */
  async writeRenegotiation(
    current: Invoice,
    change: InvoiceChange,
    at: string,
    options: { resume?: InterruptOutput } = {},
  ): Promise<Invoice | 'conflict'> {
    if (!change.instalments) throw new Error('writeRenegotiation needs the instalments of the agreement');
    const resume = options.resume && current.taskToken ? options.resume : undefined;
    const out = await this.conditionalUpdate({
      Key: invoiceKey(current.invoiceId),
      UpdateExpression: `SET #status = :status, instalments = :instalments, updatedAt = :at, version = :next${resume ? ', pendingResume = :resume' : ''} REMOVE #hold`,
      ConditionExpression: 'version = :version',
      ExpressionAttributeNames: { '#status': 'status', '#hold': 'hold' },
      ExpressionAttributeValues: {
        ':status': change.status,
        ':instalments': change.instalments,
        ':at': at,
        ':version': current.version,
        ':next': current.version + 1,
        ...(resume ? { ':resume': resume } : {}),
      },
      ReturnValues: 'ALL_NEW',
    });
    return out ? stripKeys<Invoice>(out.Attributes ?? {}) : 'conflict';
  }

  /**
   * The parked token was told (or found stale): takes it, its end and the pending resume off the invoice, only while
   * it is still the parked one (one conditional write). The version stays: no decision depends on the token.
   */
  async resumeDelivered(invoiceId: string, taskToken: string, at: string): Promise<boolean> {
    const out = await this.conditionalUpdate({
      Key: invoiceKey(invoiceId),
      UpdateExpression: 'SET updatedAt = :at REMOVE taskToken, waitUntil, pendingResume',
      ConditionExpression: 'taskToken = :token',
      ExpressionAttributeValues: { ':token': taskToken, ':at': at },
    });
    return out !== undefined;
  }

  /** Marks the invoice ESCALATED (it stays contactable by later stages). */
  async markEscalated(invoiceId: string, at: string): Promise<void> {
    await this.conditionalUpdate({
      Key: invoiceKey(invoiceId),
      UpdateExpression: 'SET #status = :escalated, updatedAt = :at ADD version :one',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':escalated': 'ESCALATED', ':open': 'OPEN', ':at': at, ':one': 1 },
    });
  }

  /** Records an unhandled workflow error on the invoice. */
  async recordFailure(invoiceId: string, message: string, at: string): Promise<void> {
    await this.conditionalUpdate({
      Key: invoiceKey(invoiceId),
      UpdateExpression: 'SET lastError = :message, updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':message': message, ':at': at },
    });
  }

  /**
   * Records the early-payment offer a stage made (`earlyPaymentOffer`, invoices/early-payment.ts) on the invoice,
   * replacing an earlier one, only while the invoice is contactable and its balance is still the one the discount was
   * computed on. Bumps the version, so a payment decided on the invoice as it was is decided again with the offer.
   * 'stale' when the invoice changed meanwhile (paid, part-paid, put on hold): nothing is written.
   */
  async recordEarlyPaymentOffer(
    invoiceId: string,
    offer: NonNullable<Invoice['earlyPayment']>,
    at: string,
  ): Promise<'recorded' | 'stale'> {
    const out = await this.conditionalUpdate({
      Key: invoiceKey(invoiceId),
      UpdateExpression: 'SET earlyPayment = :offer, updatedAt = :at ADD version :one',
      ConditionExpression: '#status IN (:open, :escalated) AND balanceMinor = :balance',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':offer': offer,
        ':at': at,
        ':one': 1,
        ':open': 'OPEN',
        ':escalated': 'ESCALATED',
        ':balance': offer.balanceMinor,
      },
    });
    return out ? 'recorded' : 'stale';
  }

  /**
   * Every invoice of the customer, whatever its status, by invoice id (`gsi1`, eventually consistent: read an invoice
   * itself before acting on its status). Invoices registered before `gsi1` held invoices are not found.
   */
  async customerInvoices(customerId: string): Promise<Invoice[]> {
    return queryCustomerIndex<Invoice>(this.table, customerId, 'begins_with(gsi1sk, :invoice)', {
      ':invoice': KEY_PREFIX.invoice,
    });
  }
}

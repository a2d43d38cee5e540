import { randomFillSync } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  CONTACT_LOG_END,
  CUSTOMER_INDEX,
  customerPartition,
  ITEM_TYPE,
  invoicePartition,
  KEY_PREFIX,
  sendRecordExpiry,
  tableKeys,
} from '../contracts/table-layout';
import type { Customer, Invoice, InvoiceRegistration, InvoiceStatus, RecentContact } from '../invoices/invoice';
import type { InvoiceChange, LifecycleEventType } from '../invoices/lifecycle';

/** A channel of a stage action. */
export type Channel = 'email' | 'sms' | 'escalate';

/** One line of the contact log: what happened to one channel of one stage of one invoice. */
export interface ContactLogEntry {
  readonly at: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly stageId: string;
  /** '*' for stage-level entries (deferred, superseded). */
  readonly channel: Channel | '*';
  readonly outcome: 'sent' | 'skipped' | 'failed' | 'deferred' | 'superseded' | 'escalated';
  readonly template?: string;
  readonly messageId?: string;
  readonly reason?: string;
  /** For deferrals: when the stage will be tried again. */
  readonly until?: string;
  /** A sent message that also listed other invoices of the customer (one consolidated message): their ids. */
  readonly consolidates?: readonly string[];
}

/** Lifecycle events of an invoice, for the audit trail. */
export interface InvoiceEvent {
  readonly at: string;
  readonly invoiceId: string;
  readonly type: 'registered' | 'execution-started' | 'failed' | 'completed' | LifecycleEventType;
  readonly detail?: Record<string, unknown>;
  /**
   * Orders the events of one instant (the invoice version the change wrote), and keeps two events of one type at one
   * instant apart (two payments in the same millisecond).
   */
  readonly seq?: number;
}

/** Where a wait step parks its token: a stage's wait (the invoice must be contactable) or a hold (paused, disputed). */
export type WaitKind = 'stage' | 'hold';

export type SendClaim = 'claimed' | 'already-sent' | 'in-doubt';

const invoiceKey = tableKeys.invoice;
const customerKey = tableKeys.customer;
const invoiceIndexKey = tableKeys.invoiceInCustomerIndex;
const sendKey = tableKeys.send;

/** The contact fields `upsertCustomer` sets (or removes when absent), with their expression names made once. */
const CUSTOMER_CONTACT_FIELDS = (
  ['name', 'email', 'phone', 'timezone', 'locale', 'country', 'region', 'segment', 'riskScore'] as const
).map((attribute) => ({
  attribute,
  name: `#${attribute}`,
  value: `:${attribute}`,
  assignment: `#${attribute} = :${attribute}`,
}));

/** Bytes of one unsubscribe secret: 144 random bits. */
const SECRET_BYTES = 18;
/**
 * Random bytes for secrets, drawn from the CSPRNG 256 secrets at a time (one `randomBytes` call per customer costs
 * a native call and a buffer each; a file of a million customers felt it). Each secret uses its bytes once.
 */
const secretPool = Buffer.alloc(SECRET_BYTES * 256);
let secretPoolOffset = secretPool.length;

/** A fresh secret (unsubscribe token, statement secret): 144 bits from the CSPRNG, base64url (24 characters). */
function newSecretToken(): string {
  if (secretPoolOffset + SECRET_BYTES > secretPool.length) {
    randomFillSync(secretPool);
    secretPoolOffset = 0;
  }
  const token = secretPool.toString('base64url', secretPoolOffset, secretPoolOffset + SECRET_BYTES);
  secretPoolOffset += SECRET_BYTES;
  return token;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string }).name === 'ConditionalCheckFailedException'
  );
}

/**
 * The single DynamoDB table: invoices, customers, contact log, audit events and send-idempotency records.
 * Every state change is one single-item conditional write (no transactions), which dynalite supports and which is
 * the cheaper design on DynamoDB too.
 */
export class DunningTable {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getInvoice(invoiceId: string): Promise<Invoice | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: invoiceKey(invoiceId), ConsistentRead: true }),
    );
    return out.Item ? stripKeys<Invoice>(out.Item) : undefined;
  }

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: customerKey(customerId), ConsistentRead: true }),
    );
    return out.Item ? stripKeys<Customer>(out.Item) : undefined;
  }

  /**
   * Creates the invoice unless one with the same id exists (registration is idempotent by invoice id).
   * Returns 'created' or 'duplicate'.
   */
  async createInvoice(registration: InvoiceRegistration, ruleId: string, at: string): Promise<'created' | 'duplicate'> {
    const invoice: Invoice = {
      ...registration,
      status: 'OPEN',
      balanceMinor: registration.amount.minor,
      ruleId,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...invoiceKey(registration.invoiceId),
            ...invoiceIndexKey(registration.customer.customerId, registration.invoiceId),
            itemType: ITEM_TYPE.invoice,
            ...invoice,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (error) {
      if (isConditionFailure(error)) return 'duplicate';
      throw error;
    }
  }

  /**
   * Creates or refreshes a customer's contact data, keeping opt-outs, contacts and the unsubscribe secret recorded
   * earlier (the secret is made on first registration: 144 random bits).
   */
  async upsertCustomer(customer: Customer, at: string): Promise<void> {
    await this.client.send(this.customerContactUpdate(customer, at));
  }

  /**
   * `PUT /customers/{id}`: replaces a known customer's name and contact details (a field not given is removed), as a
   * registration does; opt-outs, contact history and secrets stay. 'not-found' when the customer does not exist.
   */
  async replaceCustomerContact(customer: Customer, at: string): Promise<'replaced' | 'not-found'> {
    try {
      await this.client.send(this.customerContactUpdate(customer, at, 'attribute_exists(pk)'));
      return 'replaced';
    } catch (error) {
      if (isConditionFailure(error)) return 'not-found';
      throw error;
    }
  }

  /** The write of a customer's name and contact details (absent ones removed), optionally conditional. */
  private customerContactUpdate(customer: Customer, at: string, condition?: string): UpdateCommand {
    const set = [
      '#itemType = :itemType',
      '#customerId = :customerId',
      '#updatedAt = :updatedAt',
      '#unsubscribeToken = if_not_exists(#unsubscribeToken, :unsubscribeToken)',
    ];
    const remove: string[] = [];
    const names: Record<string, string> = {
      '#itemType': 'itemType',
      '#customerId': 'customerId',
      '#updatedAt': 'updatedAt',
      '#unsubscribeToken': 'unsubscribeToken',
    };
    const values: Record<string, unknown> = {
      ':itemType': ITEM_TYPE.customer,
      ':customerId': customer.customerId,
      ':updatedAt': at,
      ':unsubscribeToken': newSecretToken(),
    };
    for (const field of CUSTOMER_CONTACT_FIELDS) {
      const value = customer[field.attribute];
      names[field.name] = field.attribute;
      if (value === undefined) {
        remove.push(field.name);
      } else {
        set.push(field.assignment);
        values[field.value] = value;
      }
    }
    return new UpdateCommand({
      TableName: this.tableName,
      Key: customerKey(customer.customerId),
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ...(condition ? { ConditionExpression: condition } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Records that the customer opted out of `channel` (idempotent). Every later stage skips that channel with reason
   * `opted-out`. Returns the customer's opt-outs, or undefined when the customer does not exist.
   */
  async addOptOut(customerId: string, channel: string, at: string): Promise<readonly string[] | undefined> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: customerKey(customerId),
          UpdateExpression: 'SET optOuts = list_append(if_not_exists(optOuts, :none), :channel), updatedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(optOuts) OR NOT contains(optOuts, :name))',
          ExpressionAttributeValues: { ':none': [], ':channel': [channel], ':name': channel, ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return (out.Attributes?.optOuts as string[] | undefined) ?? [channel];
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const customer = await this.getCustomer(customerId);
      return customer ? (customer.optOuts ?? []) : undefined;
    }
  }

  /**
   * Takes a contact slot for the customer (the frequency caps count `recentContacts`): writes `contacts` (what the
   * caller read, older entries dropped) plus `contact` — with the other invoices' stages its message consolidates
   * (`covers`), in the same write — only if nobody changed them since the caller read version `version`. 'conflict'
   * when somebody did: read again and decide again.
   */
  async reserveContact(
    customerId: string,
    read: { contacts: readonly RecentContact[]; version: number },
    contact: RecentContact,
    keepSince: string,
  ): Promise<'reserved' | 'conflict'> {
    const contacts = [...read.contacts.filter((c) => c.at >= keepSince), contact];
    return this.writeContacts(customerId, contacts, read.version);
  }

  /**
   * Gives back the slot of `contact` (a stage that took one and then sent nothing), retrying on concurrent changes.
   */
  async releaseContact(customerId: string, contact: RecentContact): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const customer = await this.getCustomer(customerId);
      const contacts = customer?.recentContacts ?? [];
      const kept = contacts.filter((c) => !(c.invoiceId === contact.invoiceId && c.stageId === contact.stageId));
      if (!customer || kept.length === contacts.length) return;
      if ((await this.writeContacts(customerId, kept, customer.contactsVersion ?? 0)) === 'reserved') return;
    }
    throw new Error(`The contacts of customer ${customerId} kept changing while giving a slot back; try again`);
  }

  /**
   * Takes `invoiceIds` out of what the slot of `contact` covers (their stage was not in the consolidated message after
   * all: paid or put on hold meanwhile), so that they perform it themselves; retries on concurrent changes.
   */
  async uncoverContact(customerId: string, contact: RecentContact, invoiceIds: readonly string[]): Promise<void> {
    const isSlot = (c: RecentContact) => c.invoiceId === contact.invoiceId && c.stageId === contact.stageId;
    for (let attempt = 0; attempt < 5; attempt++) {
      const customer = await this.getCustomer(customerId);
      const contacts = customer?.recentContacts ?? [];
      const slot = contacts.find(isSlot);
      const covers = slot?.covers?.filter((s) => !invoiceIds.includes(s.invoiceId));
      if (!customer || !slot || covers?.length === slot.covers?.length) return;
      const { covers: _dropped, ...rest } = slot;
      const updated = contacts.map((c) => (c === slot ? { ...rest, ...(covers?.length ? { covers } : {}) } : c));
      if ((await this.writeContacts(customerId, updated, customer.contactsVersion ?? 0)) === 'reserved') return;
    }
    throw new Error(`The contacts of customer ${customerId} kept changing while narrowing a slot; try again`);
  }

  private async writeContacts(
    customerId: string,
    contacts: readonly RecentContact[],
    version: number,
  ): Promise<'reserved' | 'conflict'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: customerKey(customerId),
          UpdateExpression: 'SET recentContacts = :contacts, contactsVersion = :next',
          ConditionExpression:
            version === 0
              ? 'attribute_exists(pk) AND attribute_not_exists(contactsVersion)'
              : 'attribute_exists(pk) AND contactsVersion = :version',
          ExpressionAttributeValues: {
            ':contacts': contacts,
            ':next': version + 1,
            ...(version === 0 ? {} : { ':version': version }),
          },
        }),
      );
      return 'reserved';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw error;
    }
  }

  /** Records the execution that walks this invoice. */
  async setExecution(invoiceId: string, executionArn: string, at: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: invoiceKey(invoiceId),
        UpdateExpression: 'SET executionArn = :arn, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':arn': executionArn, ':at': at },
      }),
    );
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
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invoiceKey(invoiceId),
          UpdateExpression: `SET ${set.join(', ')}${until ? '' : ' REMOVE waitUntil'} ADD version :one`,
          ConditionExpression: hold ? '#status IN (:paused, :disputed)' : '#status IN (:open, :escalated)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':token': taskToken,
            ':at': at,
            ':one': 1,
            ...(hold
              ? { ':paused': 'PAUSED', ':disputed': 'DISPUTED' }
              : { ':open': 'OPEN', ':escalated': 'ESCALATED' }),
            ...(hold ? {} : { ':stage': stageId }),
            ...(until ? { ':until': until } : {}),
          },
        }),
      );
      return { stored: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const invoice = await this.getInvoice(invoiceId);
      if (!hold && invoice && (invoice.status === 'PAUSED' || invoice.status === 'DISPUTED')) {
        await this.recordStageOnHold(invoiceId, stageId, at);
      }
      return { stored: false, status: invoice?.status ?? 'MISSING' };
    }
  }

  /** The walk moved on to `stageId` while the invoice is on hold: dunning resumes there (no-op once the hold ended). */
  private async recordStageOnHold(invoiceId: string, stageId: string, at: string): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
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
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /**
   * Writes a lifecycle change (`decide` in domain/lifecycle.ts) onto the invoice read as `current`, only if nobody
   * changed it since (optimistic lock on `version`): one conditional write of the invoice item. `clearToken` takes
   * the parked task token off the item (the caller resumes it). Returns the invoice as written, or 'conflict': read
   * again and decide again.
   */
  async writeInvoiceChange(
    current: Invoice,
    change: InvoiceChange,
    at: string,
    options: { clearToken?: boolean } = {},
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
    if (options.clearToken) remove.push('taskToken', 'waitUntil');
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invoiceKey(current.invoiceId),
          UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'version = :version',
          ExpressionAttributeNames: { '#status': 'status', ...(change.hold !== undefined ? { '#hold': 'hold' } : {}) },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return stripKeys<Invoice>(out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw error;
    }
  }

  /** Marks the invoice ESCALATED (it stays contactable by later stages). */
  async markEscalated(invoiceId: string, at: string): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invoiceKey(invoiceId),
          UpdateExpression: 'SET #status = :escalated, updatedAt = :at ADD version :one',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':escalated': 'ESCALATED', ':open': 'OPEN', ':at': at, ':one': 1 },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /** Records an unhandled workflow error on the invoice. */
  async recordFailure(invoiceId: string, message: string, at: string): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invoiceKey(invoiceId),
          UpdateExpression: 'SET lastError = :message, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':message': message, ':at': at },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /**
   * Claims the right to send one channel of one stage of one invoice (conditional put). A second claim finds the
   * first: 'already-sent' when it completed, 'in-doubt' when it never did (a crash between send and record) —
   * the caller does not send again in either case: two copies of a notice are worse than a missing one.
   */
  async claimSend(invoiceId: string, stageId: string, channel: Channel, at: string): Promise<SendClaim> {
    const key = sendKey(invoiceId, stageId, channel);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            itemType: ITEM_TYPE.send,
            state: 'PENDING',
            claimedAt: at,
            expiresAt: sendRecordExpiry(at),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return out.Item?.state === 'SENT' ? 'already-sent' : 'in-doubt';
    }
  }

  /** Marks a claim as sent, with the provider's message id. */
  async completeSend(
    invoiceId: string,
    stageId: string,
    channel: Channel,
    messageId: string,
    at: string,
  ): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: sendKey(invoiceId, stageId, channel),
        UpdateExpression: 'SET #state = :sent, messageId = :id, sentAt = :at',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sent': 'SENT', ':id': messageId, ':at': at },
      }),
    );
  }

  /**
   * Records that one channel of `stageId` of `invoiceId` went out in another invoice's consolidated message (provider
   * message `messageId`): a send claim already SENT, so that this invoice never sends it itself. 'exists' when the
   * invoice holds a claim for it already (it sent, or is sending, that channel itself): nothing is written.
   */
  async recordConsolidatedSend(
    send: { invoiceId: string; stageId: string; channel: Channel },
    messageId: string,
    at: string,
    consolidatedInto: string,
  ): Promise<'recorded' | 'exists'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...sendKey(send.invoiceId, send.stageId, send.channel),
            itemType: ITEM_TYPE.send,
            state: 'SENT',
            claimedAt: at,
            sentAt: at,
            messageId,
            consolidatedInto,
            expiresAt: sendRecordExpiry(at),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (isConditionFailure(error)) return 'exists';
      throw error;
    }
  }

  /** Gives a claim back when the provider said for sure that nothing was sent (throttling), so a retry may send. */
  async releaseSend(invoiceId: string, stageId: string, channel: Channel): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: sendKey(invoiceId, stageId, channel) }));
  }

  /** Appends to the invoice's contact log (and, through the GSI, to the customer's). */
  async logContact(entry: ContactLogEntry): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...tableKeys.contact(entry),
          ...tableKeys.contactInCustomerIndex(entry),
          itemType: ITEM_TYPE.contact,
          ...entry,
        },
      }),
    );
  }

  /** Appends an audit event to the invoice's history. */
  async logEvent(event: InvoiceEvent): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...tableKeys.event(event),
          itemType: ITEM_TYPE.event,
          ...event,
        },
      }),
    );
  }

  /**
   * The customer's contact log since `since` (ISO), across all of the customer's invoices, oldest first (the
   * customer's invoices, `INVOICE#…` in the same index, sort after `CONTACT$` and are left out).
   */
  async customerContacts(customerId: string, since: string): Promise<ContactLogEntry[]> {
    return this.queryCustomerIndex<ContactLogEntry>(customerId, 'gsi1sk BETWEEN :since AND :end', {
      ':since': `${KEY_PREFIX.contact}${since}`,
      ':end': CONTACT_LOG_END,
    });
  }

  /**
   * Every invoice of the customer, whatever its status, by invoice id (`gsi1`, eventually consistent: read an invoice
   * itself before acting on its status). Invoices registered before `gsi1` held invoices are not found.
   */
  async customerInvoices(customerId: string): Promise<Invoice[]> {
    return this.queryCustomerIndex<Invoice>(customerId, 'begins_with(gsi1sk, :invoice)', {
      ':invoice': KEY_PREFIX.invoice,
    });
  }

  private async queryCustomerIndex<T>(
    customerId: string,
    sortKeyCondition: string,
    values: Record<string, string>,
  ): Promise<T[]> {
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: CUSTOMER_INDEX.name,
          KeyConditionExpression: `gsi1pk = :pk AND ${sortKeyCondition}`,
          ExpressionAttributeValues: { ':pk': customerPartition(customerId), ...values },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) items.push(stripKeys<T>(item));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** The invoice's contact log and audit events, oldest first. */
  async invoiceHistory(invoiceId: string): Promise<{ contacts: ContactLogEntry[]; events: InvoiceEvent[] }> {
    const contacts: ContactLogEntry[] = [];
    const events: InvoiceEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': invoicePartition(invoiceId) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        if (item.itemType === ITEM_TYPE.contact) contacts.push(stripKeys<ContactLogEntry>(item));
        else if (item.itemType === ITEM_TYPE.event) events.push(stripKeys<InvoiceEvent>(item));
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return { contacts, events };
  }

  /**
   * Writes a renegotiation (`decide` with `renegotiate`, domain/lifecycle.ts) onto the invoice read as `current`, only
   * if nobody changed it since (optimistic lock on `version`), like {@link writeInvoiceChange}: RENEGOTIATED with the
   * instalments that replace it, the hold ended, and with `clearToken` the parked task token taken off (the caller
   * resumes it). One conditional write. Returns the invoice as written, or 'conflict': read again and decide again.
   */
  async writeRenegotiation(
    current: Invoice,
    change: InvoiceChange,
    at: string,
    options: { clearToken?: boolean } = {},
  ): Promise<Invoice | 'conflict'> {
    if (!change.instalments) throw new Error('writeRenegotiation needs the instalments of the agreement');
    const remove = ['#hold', ...(options.clearToken ? ['taskToken', 'waitUntil'] : [])];
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invoiceKey(current.invoiceId),
          UpdateExpression: `SET #status = :status, instalments = :instalments, updatedAt = :at, version = :next REMOVE ${remove.join(', ')}`,
          ConditionExpression: 'version = :version',
          ExpressionAttributeNames: { '#status': 'status', '#hold': 'hold' },
          ExpressionAttributeValues: {
            ':status': change.status,
            ':instalments': change.instalments,
            ':at': at,
            ':version': current.version,
            ':next': current.version + 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return stripKeys<Invoice>(out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw error;
    }
  }

  /**
   * Records the early-payment offer a stage made (`earlyPaymentOffer`, domain/early-payment.ts) on the invoice,
   * replacing an earlier one, only while the invoice is contactable and its balance is still the one the discount was
   * computed on. Bumps the version, so a payment decided on the invoice as it was is decided again with the offer.
   * 'stale' when the invoice changed meanwhile (paid, part-paid, put on hold): nothing is written.
   */
  async recordEarlyPaymentOffer(
    invoiceId: string,
    offer: NonNullable<Invoice['earlyPayment']>,
    at: string,
  ): Promise<'recorded' | 'stale'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
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
        }),
      );
      return 'recorded';
    } catch (error) {
      if (isConditionFailure(error)) return 'stale';
      throw error;
    }
  }

  /**
   * The secret that signs the customer's statement links (`GET /statements/{token}`), made on first use (144 random
   * bits) and kept: `if_not_exists`, so two first uses at once agree on one. One write: use the customer's
   * `statementSecret` when it is already read. Undefined when the customer does not exist.
   */
  async statementSecret(customerId: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: customerKey(customerId),
          UpdateExpression: 'SET statementSecret = if_not_exists(statementSecret, :fresh)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':fresh': newSecretToken() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const secret = out.Attributes?.statementSecret;
      return typeof secret === 'string' ? secret : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, itemType: _itemType, ...rest } = item;
  return rest as T;
}

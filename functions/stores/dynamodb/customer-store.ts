import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ContactSlots } from '../../contact/contact-slots';
import { ITEM_TYPE, tableKeys } from '../../contracts/table-layout';
import type { CustomerStore } from '../../invoices/customer-store';
import type { Customer, RecentContact } from '../../invoices/invoice';
import { isConditionFailure, newSecretToken, stripKeys, type TableRef } from './table';

const customerKey = tableKeys.customer;

/** The contact fields `upsertCustomer` sets (or removes when absent), with their expression names made once. */
const CUSTOMER_CONTACT_FIELDS = (
  ['name', 'email', 'phone', 'timezone', 'locale', 'country', 'region', 'segment', 'riskScore'] as const
).map((attribute) => ({
  attribute,
  name: `#${attribute}`,
  value: `:${attribute}`,
  assignment: `#${attribute} = :${attribute}`,
}));

/**
 * The customer items (`CUSTOMER#<id>` / `CUSTOMER`: contracts/table-layout.ts): contact details, opt-outs, secrets,
 * and the frequency-cap slots (`recentContacts`, versioned by `contactsVersion`).
 */
export class DynamoCustomerStore implements CustomerStore, ContactSlots {
  private readonly table: TableRef;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.table = { client, tableName };
  }

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const out = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: customerKey(customerId), ConsistentRead: true }),
    );
    return out.Item ? stripKeys<Customer>(out.Item) : undefined;
  }

  /**
   * Creates or refreshes a customer's contact data, keeping opt-outs, contacts and the unsubscribe secret recorded
   * earlier (the secret is made on first registration: 144 random bits).
   */
  async upsertCustomer(customer: Customer, at: string): Promise<void> {
    await this.table.client.send(this.customerContactUpdate(customer, at));
  }

  /**
   * `PUT /customers/{id}`: replaces a known customer's name and contact details (a field not given is removed), as a
   * registration does; opt-outs, contact history and secrets stay. 'not-found' when the customer does not exist.
   */
  async replaceCustomerContact(customer: Customer, at: string): Promise<'replaced' | 'not-found'> {
    try {
      await this.table.client.send(this.customerContactUpdate(customer, at, 'attribute_exists(pk)'));
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
      TableName: this.table.tableName,
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
      const out = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
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
   * The secret that signs the customer's statement links (`GET /statements/{token}`), made on first use (144 random
   * bits) and kept: `if_not_exists`, so two first uses at once agree on one. One write: use the customer's
   * `statementSecret` when it is already read. Undefined when the customer does not exist.
   */
  async statementSecret(customerId: string): Promise<string | undefined> {
    try {
      const out = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
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
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
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
}

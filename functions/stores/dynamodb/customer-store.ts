import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ContactSlots } from '../../contact/contact-slots';
import { ITEM_TYPE, tableKeys } from '../../contracts/table-layout';
import { CUSTOMER_CONTACT_FIELDS, type CustomerStore } from '../../invoices/customer-store';
import type { Customer, RecentContact } from '../../invoices/invoice';
import { newSecretToken, stripKeys, TableStore } from './table';

const customerKey = tableKeys.customer;

/** The contact fields `upsertCustomer` sets (or removes when absent), with their expression names made once. */
const CONTACT_FIELD_EXPRESSIONS = CUSTOMER_CONTACT_FIELDS.map((attribute) => ({
  attribute,
  name: `#${attribute}`,
  value: `:${attribute}`,
  assignment: `#${attribute} = :${attribute}`,
}));

/**
 * The customer items (`CUSTOMER#<id>` / `CUSTOMER`: contracts/table-layout.ts): contact details, opt-outs, secrets,
 * and the frequency-cap slots (`recentContacts`, versioned by `contactsVersion`).
 */
export class DynamoCustomerStore extends TableStore implements CustomerStore, ContactSlots {
  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const item = await this.getItem(customerKey(customerId));
    return item ? stripKeys<Customer>(item) : undefined;
  }

  /**
   * Creates or refreshes a customer's contact data, keeping opt-outs, contacts and the unsubscribe secret recorded
   * earlier (the secret is made on first registration: 144 random bits).
   */
  async upsertCustomer(customer: Customer, at: string): Promise<void> {
    await this.update(this.customerContactUpdate(customer, at));
  }

  /**
   * `PUT /customers/{id}`: replaces a known customer's name and contact details (a field not given is removed), as a
   * registration does; opt-outs, contact history and secrets stay. 'not-found' when the customer does not exist.
   */
  async replaceCustomerContact(customer: Customer, at: string): Promise<'replaced' | 'not-found'> {
    const out = await this.conditionalUpdate(this.customerContactUpdate(customer, at, 'attribute_exists(pk)'));
    return out ? 'replaced' : 'not-found';
  }

  /** The write of a customer's name and contact details (absent ones removed), optionally conditional. */
  private customerContactUpdate(
    customer: Customer,
    at: string,
    condition?: string,
  ): Omit<UpdateCommandInput, 'TableName'> {
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
    for (const field of CONTACT_FIELD_EXPRESSIONS) {
      const value = customer[field.attribute];
      names[field.name] = field.attribute;
      if (value === undefined) {
        remove.push(field.name);
      } else {
        set.push(field.assignment);
        values[field.value] = value;
      }
    }
    return {
      Key: customerKey(customer.customerId),
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ...(condition ? { ConditionExpression: condition } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /**
   * Records that the customer opted out of `channel` (idempotent). Every later stage skips that channel with reason
   * `opted-out`. Returns the customer's opt-outs, or undefined when the customer does not exist.
   */
  async addOptOut(customerId: string, channel: string, at: string): Promise<readonly string[] | undefined> {
    const out = await this.conditionalUpdate({
      Key: customerKey(customerId),
      UpdateExpression: 'SET optOuts = list_append(if_not_exists(optOuts, :none), :channel), updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(optOuts) OR NOT contains(optOuts, :name))',
      ExpressionAttributeValues: { ':none': [], ':channel': [channel], ':name': channel, ':at': at },
      ReturnValues: 'ALL_NEW',
    });
    if (out) return (out.Attributes?.optOuts as string[] | undefined) ?? [channel];
    const customer = await this.getCustomer(customerId);
    return customer ? (customer.optOuts ?? []) : undefined;
  }

  /**
   * The secret that signs the customer's statement links (`GET /statements/{token}`), made on first use (144 random
   * bits) and kept: `if_not_exists`, so two first uses at once agree on one. One write: use the customer's
   * `statementSecret` when it is already read. Undefined when the customer does not exist.
   */
  async statementSecret(customerId: string): Promise<string | undefined> {
    const out = await this.conditionalUpdate({
      Key: customerKey(customerId),
      UpdateExpression: 'SET statementSecret = if_not_exists(statementSecret, :fresh)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':fresh': newSecretToken() },
      ReturnValues: 'ALL_NEW',
    });
    const secret = out?.Attributes?.statementSecret;
    return typeof secret === 'string' ? secret : undefined;
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
    const out = await this.conditionalUpdate({
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
    });
    return out ? 'reserved' : 'conflict';
  }
}

/**
 * The one layout of the single DynamoDB table (docs/architecture.md "Data model"): the key attributes, the customer
 * index, the TTL attribute, and the keys of each item type. The DynamoDB stores, the CDK table, the emulators'
 * CreateTable and the tests all read it from here.
 *
 * | item              | pk                                  | sk                                          | gsi1pk         | gsi1sk                                          |
 * | ----------------- | ----------------------------------- | ------------------------------------------- | -------------- | ----------------------------------------------- |
 * | invoice           | `INVOICE#<id>`                      | `INVOICE`                                   | `CUSTOMER#<c>` | `INVOICE#<id>`                                  |
 * | customer          | `CUSTOMER#<c>`                      | `CUSTOMER`                                  |                |                                                 |
 * | contact log entry | `INVOICE#<id>`                      | `CONTACT#<at>#<stage>#<channel>#<outcome>`  | `CUSTOMER#<c>` | `CONTACT#<at>#<id>#<stage>#<channel>`           |
 * | audit event       | `INVOICE#<id>`                      | `EVENT#<at>#[<seq, 10 digits>#]<type>`      |                |                                                 |
 * | send claim        | `SEND#<id>#<stage>#<channel>`       | `SEND`                                      |                |                                                 |
 * | sending breakers  | `ACCOUNT#sending`                   | `BREAKER`                                   |                |                                                 |
 * | walk to look at   | `WALKS#attention`                   | `<invoiceId>`                               |                |                                                 |
 */

/** The table's key attributes (both strings). */
export const TABLE_KEY = { partition: 'pk', sort: 'sk' } as const;

/** The one global secondary index: a customer's invoices and contact log, under `CUSTOMER#<id>` (projection ALL). */
export const CUSTOMER_INDEX = { name: 'gsi1', partition: 'gsi1pk', sort: 'gsi1sk' } as const;

/** The attribute DynamoDB's TTL reads (epoch seconds): only send claims carry it. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** How long a send claim is kept (400 days): well past any rule's last stage, so no stage ever sends twice. */
export const SEND_RECORD_TTL_SECONDS = 400 * 24 * 3600;

/** The attribute telling an item's type, and its values. */
export const ITEM_TYPE_ATTRIBUTE = 'itemType';
export const ITEM_TYPE = {
  invoice: 'invoice',
  customer: 'customer',
  contact: 'contact',
  event: 'event',
  send: 'send',
  breaker: 'breaker',
  attention: 'attention',
} as const;

/** The prefixes of the key values. */
export const KEY_PREFIX = {
  invoice: 'INVOICE#',
  customer: 'CUSTOMER#',
  contact: 'CONTACT#',
  event: 'EVENT#',
  send: 'SEND#',
  account: 'ACCOUNT#',
  walks: 'WALKS#',
} as const;

/** Sorts right after every `CONTACT#…` sort key (`$` follows `#`): the upper bound of a customer's contact log. */
export const CONTACT_LOG_END = 'CONTACT$';

/** The primary key of an item. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** The keys of an item in the customer index. */
export interface CustomerIndexKey {
  readonly gsi1pk: string;
  readonly gsi1sk: string;
}

/** The value of `pk` shared by an invoice and its contact log and audit events (one query reads its history). */
export const invoicePartition = (invoiceId: string): string => `${KEY_PREFIX.invoice}${invoiceId}`;

/** The value of `gsi1pk` under which a customer's invoices and contact log are found. */
export const customerPartition = (customerId: string): string => `${KEY_PREFIX.customer}${customerId}`;

/** The partition of the walks the reconciler must look at. */
export const walkAttentionPartition = `${KEY_PREFIX.walks}attention`;

/** The keys of each item type. */
export const tableKeys = {
  invoice: (invoiceId: string): ItemKey => ({ pk: invoicePartition(invoiceId), sk: 'INVOICE' }),
  /** An invoice in the customer index, next to the customer's contact log (`CONTACT#…`). */
  invoiceInCustomerIndex: (customerId: string, invoiceId: string): CustomerIndexKey => ({
    gsi1pk: customerPartition(customerId),
    gsi1sk: `${KEY_PREFIX.invoice}${invoiceId}`,
  }),
  customer: (customerId: string): ItemKey => ({ pk: `${KEY_PREFIX.customer}${customerId}`, sk: 'CUSTOMER' }),
  /** One channel of one stage of one invoice. */
  send: (invoiceId: string, stageId: string, channel: string): ItemKey => ({
    pk: `${KEY_PREFIX.send}${invoiceId}#${stageId}#${channel}`,
    sk: 'SEND',
  }),
  /**
   * The sending breakers of the account's channels (contact/sending-breakers.ts): one item, one attribute (a map) per
   * channel, so a send step reads every breaker it needs with one GetItem.
   */
  sendingBreakers: (): ItemKey => ({ pk: `${KEY_PREFIX.account}sending`, sk: 'BREAKER' }),
  /**
   * A walk the reconciler must look at (executions/walk-attention.ts): written only when a resume or a start message
   * failed, so the one partition sees few writes; the reconciler queries it.
   */
  walkAttention: (invoiceId: string): ItemKey => ({ pk: walkAttentionPartition, sk: invoiceId }),
  contact: (entry: {
    readonly at: string;
    readonly invoiceId: string;
    readonly stageId: string;
    readonly channel: string;
    readonly outcome: string;
  }): ItemKey => ({
    pk: invoicePartition(entry.invoiceId),
    sk: `${KEY_PREFIX.contact}${entry.at}#${entry.stageId}#${entry.channel}#${entry.outcome}`,
  }),
  contactInCustomerIndex: (entry: {
    readonly at: string;
    readonly invoiceId: string;
    readonly customerId: string;
    readonly stageId: string;
    readonly channel: string;
  }): CustomerIndexKey => ({
    gsi1pk: customerPartition(entry.customerId),
    gsi1sk: `${KEY_PREFIX.contact}${entry.at}#${entry.invoiceId}#${entry.stageId}#${entry.channel}`,
  }),
  /** `seq` (the invoice version the change wrote) orders the events of one instant; absent for the first ones. */
  event: (event: {
    readonly at: string;
    readonly invoiceId: string;
    readonly type: string;
    readonly seq?: number | undefined;
  }): ItemKey => ({
    pk: invoicePartition(event.invoiceId),
    sk: `${KEY_PREFIX.event}${event.at}#${event.seq === undefined ? '' : `${String(event.seq).padStart(10, '0')}#`}${event.type}`,
  }),
} as const;

/** The TTL value of a send claim made at `at` (ISO): epoch seconds {@link SEND_RECORD_TTL_SECONDS} later. */
export const sendRecordExpiry = (at: string): number => Math.floor(Date.parse(at) / 1000) + SEND_RECORD_TTL_SECONDS;

/** The key attributes of every item type, taken off an item read back (the stores answer the domain's shape). */
export const KEY_ATTRIBUTES = [
  TABLE_KEY.partition,
  TABLE_KEY.sort,
  CUSTOMER_INDEX.partition,
  CUSTOMER_INDEX.sort,
  ITEM_TYPE_ATTRIBUTE,
] as const;

import type { Customer } from './invoice';

/** The contact fields a registration or `PUT /customers/{id}` sets on the customer (removed when absent). */
export const CUSTOMER_CONTACT_FIELDS = [
  'name',
  'email',
  'phone',
  'timezone',
  'locale',
  'country',
  'region',
  'segment',
  'riskScore',
] as const satisfies readonly (keyof Customer)[];

/**
 * The customers: contact details as the latest registration (or `PUT /customers/{id}`) gave them, opt-outs, and the
 * secrets of their unsubscribe and statement links (144 random bits, made once and kept). The frequency-cap slots
 * on the same customer are contact/contact-slots.ts. DynamoDB: functions/stores/dynamodb/customer-store.ts.
 */
export interface CustomerStore {
  /** The customer (consistent read), or undefined. */
  getCustomer(customerId: string): Promise<Customer | undefined>;

  /**
   * Creates or refreshes a customer's contact data (a field not given is removed), keeping opt-outs, contacts and the
   * unsubscribe secret recorded earlier (the secret is made on first registration).
   */
  upsertCustomer(customer: Customer, at: string): Promise<void>;

  /**
   * `PUT /customers/{id}`: replaces a known customer's name and contact details as {@link upsertCustomer} does;
   * opt-outs, contact history and secrets stay. 'not-found' when the customer does not exist (nothing is written).
   */
  replaceCustomerContact(customer: Customer, at: string): Promise<'replaced' | 'not-found'>;

  /**
   * Records that the customer opted out of `channel` (idempotent). Returns the customer's opt-outs, or undefined when
   * the customer does not exist.
   */
  addOptOut(customerId: string, channel: string, at: string): Promise<readonly string[] | undefined>;

  /**
   * The secret that signs the customer's statement links, made on first use and kept (two first uses at once agree on
   * one). Use the customer's `statementSecret` when it is already read. Undefined when the customer does not exist.
   */
  statementSecret(customerId: string): Promise<string | undefined>;
}

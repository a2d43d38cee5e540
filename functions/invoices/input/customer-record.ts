import type { FieldIssue } from '../../values/field-issue';
import { CUSTOMER_CONTACT_FIELDS } from '../customer-store';
import type { Customer } from '../invoice';
import {
  checkCountry,
  checkEmail,
  checkLocale,
  checkPhone,
  checkRegion,
  checkRiskScore,
  checkTimezone,
} from './contact-checks';
import { type FieldReader, readerOf, type Writable } from './field-reader';
import { checkId, checkName, checkSegment } from './text-checks';

/** A customer's name and contact details as a record gives them (the fields of a registration after its ids). */
export type Contact = Omit<Customer, 'customerId'>;

/**
 * Reads `customerName` (required), `email`, `phone`, `timezone`, `locale`, `country`, `region`, `segment` and
 * `riskScore`, in that order; undefined when the name is missing or bad (the issues are on `fields`).
 */
export function readContact(fields: FieldReader): Contact | undefined {
  const name = fields.read('customerName', checkName, true);
  const email = fields.read('email', checkEmail, false);
  const phone = fields.read('phone', checkPhone, false);
  const timezone = fields.read('timezone', checkTimezone, false);
  const locale = fields.read('locale', checkLocale, false);
  const country = fields.read('country', checkCountry, false);
  const region = fields.read('region', checkRegion, false);
  const segment = fields.read('segment', checkSegment, false);
  const riskScore = fields.read('riskScore', checkRiskScore, false);
  if (name === undefined) return undefined;
  // Optional fields are assigned when present rather than spread in (`...optional(…)`), which allocates less on a
  // path a big file runs once per row. Same keys, same order.
  const contact: Writable<Contact> = { name };
  if (email !== undefined) contact.email = email;
  if (phone !== undefined) contact.phone = phone;
  if (timezone !== undefined) contact.timezone = timezone;
  if (locale !== undefined) contact.locale = locale;
  if (country !== undefined) contact.country = country;
  if (region !== undefined) contact.region = region;
  if (segment !== undefined) contact.segment = segment;
  if (riskScore !== undefined) contact.riskScore = riskScore;
  return contact;
}

export function customerOf(customerId: string, contact: Contact): Customer {
  return { customerId, ...contact };
}

/**
 * The fields `PUT /customers/{id}` takes: the customer fields of an invoice record (`customerId` optional) — the
 * stored contact fields, `name` under the record's name `customerName`.
 */
const CUSTOMER_FIELDS = new Set<string>([
  'customerId',
  ...CUSTOMER_CONTACT_FIELDS.map((field) => (field === 'name' ? 'customerName' : field)),
]);

export type CustomerValidation = { ok: true; value: Customer } | { ok: false; issues: FieldIssue[] };

/**
 * Checks a customer's new contact details (`PUT /customers/{id}`): the customer fields of an invoice record, with
 * the same rules (trimmed, empty = absent, every issue together). The whole set replaces the stored one, as a
 * registration does: a field left out is removed. A `customerId` in the body must be the path's; any other field is
 * refused (a misspelt `emial` must not silently drop the address).
 */
export function validateCustomerRecord(raw: unknown, customerId: string): CustomerValidation {
  const fields = readerOf(raw, 'customer');
  if (Array.isArray(fields)) return { ok: false, issues: fields };
  const issues = fields.issues;
  const id = fields.read('customerId', checkId, false);
  if (id !== undefined && id !== customerId) {
    issues.push({ path: 'customerId', issue: `must be the customer of the path, "${customerId}", or left out` });
  }
  const contact = readContact(fields);
  for (const key of Object.keys(fields.record)) {
    if (!CUSTOMER_FIELDS.has(key)) {
      issues.push({ path: key, issue: `is not a customer field; allowed: ${[...CUSTOMER_FIELDS].join(', ')}` });
    }
  }
  if (issues.length > 0 || contact === undefined) return { ok: false, issues };
  return { ok: true, value: customerOf(customerId, contact) };
}

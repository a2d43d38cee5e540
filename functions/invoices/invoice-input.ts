import { createHash } from 'node:crypto';
import type { FieldIssue } from '../values/field-issue';
import { isKnownCurrency, parseDecimalAmount } from '../values/money';
import type { Customer, InvoiceRegistration } from './invoice';

/**
 * Validation of one invoice record as it arrives from the API, a CSV row, a JSON array element or a JSON Lines line
 * (docs/formats.md). Every field is checked and every problem reported, each naming the field and the offending value.
 */

/** Longest accepted text for names, e-mails and other free fields. */
export const MAX_FIELD_LENGTH = 256;
/** Longest accepted invoice / customer id. */
export const MAX_ID_LENGTH = 128;
/** Longest accepted description. */
export const MAX_DESCRIPTION_LENGTH = 500;
/** Longest accepted payment URL. */
export const MAX_URL_LENGTH = 2048;
/** Longest accepted amount text: far more digits than Number.MAX_SAFE_INTEGER minor units ever need. */
export const MAX_AMOUNT_LENGTH = 40;
/** Dates and instants must fall in these years (Date.UTC reads years 0-99 as 1900-1999). */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;

export type RecordValidation =
  | { ok: true; value: InvoiceRegistration }
  | { ok: false; invoiceId?: string; issues: FieldIssue[] };

/**
 * Checks one raw invoice record and turns it into an `InvoiceRegistration`. Strings are trimmed, an empty string
 * counts as absent (CSV empty cell), unknown keys are ignored, and all issues of the record are returned together.
 * `invoiceId` is returned with the issues whenever it was itself valid, so a report can name the row.
 *
 * Text that is not clean Unicode is refused in every field: U+FFFD (what a decoder puts in place of bytes that were
 * not UTF-8) and lone UTF-16 surrogates. Registering it would store mojibake for good.
 *
 * Spreadsheet formula injection: a cell starting with `=`, `+`, `-` or `@` (or a tab or CR, which trimming removes
 * first) runs as a formula when a CSV is opened in a spreadsheet. Ids, names and descriptions starting that way are
 * refused, never altered, so no stored value can reach a spreadsheet as a formula. Fields whose syntax starts that
 * way legitimately (an E.164 phone's `+`, an e-mail address's local part) are kept as given; anything that echoes
 * values into a report neutralises them (`spreadsheetSafe` in field-issue.ts).
 */
export function validateInvoiceRecord(raw: unknown): RecordValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      issues: [{ path: '(root)', issue: `must be an object with invoice fields, got ${kindOf(raw)}` }],
    };
  }
  const record = raw as Record<string, unknown>;
  const fields = new FieldReader(record);
  const issues = fields.issues;

  const invoiceId = fields.read('invoiceId', checkId, true);
  const customerId = fields.read('customerId', checkId, true);
  const contact = readContact(fields);
  const currency = fields.read('currency', checkCurrency, true);
  const amountMinor = fields.read('amount', amountCheck(currency), true);
  const dueDate = fields.read('dueDate', checkDate, true);
  const registeredAt = fields.read('registeredAt', checkInstant, false);
  const paymentUrl = fields.read('paymentUrl', checkUrl, false);
  const description = fields.read('description', checkDescription, false);

  if (
    issues.length > 0 ||
    invoiceId === undefined ||
    customerId === undefined ||
    contact === undefined ||
    currency === undefined ||
    amountMinor === undefined ||
    dueDate === undefined
  ) {
    return { ok: false, ...(invoiceId !== undefined ? { invoiceId } : {}), issues };
  }

  const value: Writable<InvoiceRegistration> = {
    invoiceId,
    customer: customerOf(customerId, contact),
    amount: { minor: amountMinor, currency },
    dueDate,
  };
  if (registeredAt !== undefined) value.registeredAt = registeredAt;
  if (paymentUrl !== undefined) value.paymentUrl = paymentUrl;
  if (description !== undefined) value.description = description;
  return { ok: true, value };
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** A customer's name and contact details as a record gives them (the fields of a registration after its ids). */
type Contact = Omit<Customer, 'customerId'>;

/**
 * Reads `customerName` (required), `email`, `phone`, `timezone`, `locale`, `country`, `region`, `segment` and
 * `riskScore`, in that order; undefined when the name is missing or bad (the issues are on `fields`).
 */
function readContact(fields: FieldReader): Contact | undefined {
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

function customerOf(customerId: string, contact: Contact): Customer {
  return { customerId, ...contact };
}

/** The fields `PUT /customers/{id}` takes: the customer fields of an invoice record (`customerId` optional). */
const CUSTOMER_FIELDS = new Set([
  'customerId',
  'customerName',
  'email',
  'phone',
  'timezone',
  'locale',
  'country',
  'region',
  'segment',
  'riskScore',
]);

export type CustomerValidation = { ok: true; value: Customer } | { ok: false; issues: FieldIssue[] };

/**
 * Checks a customer's new contact details (`PUT /customers/{id}`): the customer fields of an invoice record, with
 * the same rules (trimmed, empty = absent, every issue together). The whole set replaces the stored one, as a
 * registration does: a field left out is removed. A `customerId` in the body must be the path's; any other field is
 * refused (a misspelt `emial` must not silently drop the address).
 */
export function validateCustomerRecord(raw: unknown, customerId: string): CustomerValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      issues: [{ path: '(root)', issue: `must be an object with customer fields, got ${kindOf(raw)}` }],
    };
  }
  const record = raw as Record<string, unknown>;
  const fields = new FieldReader(record);
  const issues = fields.issues;
  const id = fields.read('customerId', checkId, false);
  if (id !== undefined && id !== customerId) {
    issues.push({ path: 'customerId', issue: `must be the customer of the path, "${customerId}", or left out` });
  }
  const contact = readContact(fields);
  for (const key of Object.keys(record)) {
    if (!CUSTOMER_FIELDS.has(key)) {
      issues.push({ path: key, issue: `is not a customer field; allowed: ${[...CUSTOMER_FIELDS].join(', ')}` });
    }
  }
  if (issues.length > 0 || contact === undefined) return { ok: false, issues };
  return { ok: true, value: customerOf(customerId, contact) };
}

/** A payment as a payment file (S3 `payments/`) carries it, after validation of its fields. */
export interface PaymentRecord {
  readonly invoiceId: string;
  /** Decimal text (`"100.00"`), read in the invoice's currency once the invoice is known. */
  readonly amount: string;
  /** ISO 4217, when the file names it: it must then be the invoice's. */
  readonly currency?: string;
  /** ISO instant (UTC) the payer says the money was paid. */
  readonly paidAt?: string;
  /** The payer's or bank's reference: a payment repeating one applied to the invoice is a duplicate. */
  readonly reference?: string;
}

export type PaymentRecordValidation =
  | { ok: true; value: PaymentRecord }
  | { ok: false; invoiceId?: string; issues: FieldIssue[] };

/**
 * Checks one raw payment record (CSV row, JSON array element or JSON Lines line): `invoiceId`, `amount` (decimal,
 * more than 0), optional `currency`, `paidAt` (ISO instant) and `reference`. Same rules as invoice records: trimmed,
 * empty = absent, unknown keys ignored, every issue of the record returned together.
 */
export function validatePaymentRecord(raw: unknown): PaymentRecordValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      issues: [{ path: '(root)', issue: `must be an object with payment fields, got ${kindOf(raw)}` }],
    };
  }
  const record = raw as Record<string, unknown>;
  const fields = new FieldReader(record);
  const issues = fields.issues;
  const invoiceId = fields.read('invoiceId', checkId, true);
  const currency = fields.read('currency', checkCurrency, false);
  const amountOk = fields.read('amount', amountCheck(currency), true);
  const paidAt = fields.read('paidAt', checkInstant, false);
  const reference = fields.read('reference', checkName, false);
  if (issues.length > 0 || invoiceId === undefined || amountOk === undefined) {
    return { ok: false, ...(invoiceId !== undefined ? { invoiceId } : {}), issues };
  }
  return {
    ok: true,
    value: {
      invoiceId,
      amount: String(record.amount).trim(),
      ...optional('currency', currency),
      ...optional('paidAt', paidAt),
      ...optional('reference', reference),
    },
  };
}

const EXECUTION_NAME_MAX = 80;
const EXECUTION_NAME_HASH_LENGTH = 12;
const EXECUTION_NAME_SAFE = /^[A-Za-z0-9_.-]{1,80}$/;
const EXECUTION_NAME_UNSAFE_CHAR = /[^A-Za-z0-9_.-]/g;

/**
 * Execution-name-safe form of an invoice id for Step Functions (1..80 chars of `[A-Za-z0-9-_.]`). An id that is
 * already safe is returned unchanged; otherwise unsafe characters become `_`, the result is cut to fit, and a short
 * stable hash of the original id is appended, so distinct ids that sanitise alike still get distinct names.
 */
export function executionNameFor(invoiceId: string): string {
  if (EXECUTION_NAME_SAFE.test(invoiceId)) return invoiceId;
  const hash = createHash('sha256').update(invoiceId, 'utf8').digest('hex').slice(0, EXECUTION_NAME_HASH_LENGTH);
  const sanitized = Array.from(invoiceId, (ch) => ch.replace(EXECUTION_NAME_UNSAFE_CHAR, '_')).join('');
  const room = EXECUTION_NAME_MAX - EXECUTION_NAME_HASH_LENGTH - 1;
  return sanitized === '' ? hash : `${sanitized.slice(0, room)}-${hash}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Field reading

/** A field check gets a present, non-empty value (strings already trimmed) and returns the normalised value. */
type FieldCheck<T> = (value: string | number | boolean) => { value: T } | { issue: string };

/** Reads the fields of one record, collecting every issue (a class, not a closure per record: files run it per row). */
class FieldReader {
  readonly issues: FieldIssue[] = [];

  constructor(private readonly record: Record<string, unknown>) {}

  /** The field's checked value; undefined when absent (and not required) or when it has an issue (recorded). */
  read<T>(name: string, check: FieldCheck<T>, required: boolean): T | undefined {
    const outcome = readField(this.record, name, check, required);
    if ('issue' in outcome) {
      this.issues.push({ path: name, issue: outcome.issue });
      return undefined;
    }
    return outcome.value;
  }
}

function readField<T>(
  record: Record<string, unknown>,
  name: string,
  check: FieldCheck<T>,
  required: boolean,
): { value: T | undefined } | { issue: string } {
  const raw = Object.hasOwn(record, name) ? record[name] : undefined;
  const value = typeof raw === 'string' ? raw.trim() : raw;
  if (value === undefined || value === null || value === '') {
    return required ? { issue: 'is required' } : { value: undefined };
  }
  if (typeof value === 'string') {
    const unicodeIssue = notCleanUnicode(value);
    if (unicodeIssue) return { issue: unicodeIssue };
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    return { issue: `must be text, got ${kindOf(value)}` };
  }
  return check(value);
}

function optional<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

/**
 * A check of a text field whose answer depends only on the text, remembered for the next records (a file repeats
 * the same few time zones, locales, countries and currencies; asking Intl each time costs microseconds per row).
 */
function cachedTextCheck<T>(check: (text: string) => { value: T } | { issue: string }): FieldCheck<T> {
  const answers = new Map<string, { value: T } | { issue: string }>();
  return (value) => {
    const text = asText(value);
    if ('issue' in text) return text;
    let answer = answers.get(text.value);
    if (answer === undefined) {
      answer = check(text.value);
      if (answers.size < CACHE_LIMIT) answers.set(text.value, answer);
    }
    return answer;
  };
}

const CACHE_LIMIT = 1000;

/** Text fields accept only strings; ids and amounts also accept JSON numbers (see their checks). */
function asText(value: string | number | boolean): { value: string } | { issue: string } {
  return typeof value === 'string' ? { value } : { issue: `must be text, got ${kindOf(value)} ${String(value)}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

const CONTROL_CHARS = /\p{Cc}/u;
const CONTROL_CHARS_EXCEPT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u;
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;
const FORMULA_START = /^[=+\-@]/;

const checkId: FieldCheck<string> = (value) => {
  // JSON producers often emit numeric ids: accept safe integers as their decimal text.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return { value: String(value) };
  const text = asText(value);
  if ('issue' in text) return text;
  const shape = checkIdShape(text.value);
  if ('issue' in shape) return shape;
  if (FORMULA_START.test(shape.value)) {
    return {
      issue: `must not start with =, +, - or @ (a spreadsheet would run it as a formula): ${quote(shape.value)}`,
    };
  }
  return shape;
};

function checkIdShape(id: string): { value: string } | { issue: string } {
  if (id.length > MAX_ID_LENGTH) return { issue: `is longer than ${MAX_ID_LENGTH} characters: ${quote(id)}` };
  if (WHITESPACE_OR_CONTROL.test(id)) return { issue: `must not contain spaces or control characters: ${quote(id)}` };
  return { value: id };
}

/**
 * An invoice id used to look an invoice up (a URL path segment): clean text, at most MAX_ID_LENGTH characters, no
 * spaces or control characters. The formula rule is for stored ids only: looking up any other id simply finds nothing.
 */
export function checkInvoiceId(value: string): { value: string } | { issue: string } {
  if (value === '') return { issue: 'is required' };
  const unicodeIssue = notCleanUnicode(value);
  return unicodeIssue ? { issue: unicodeIssue } : checkIdShape(value);
}

function checkText(maxLength: number, options: { multiline?: boolean } = {}): FieldCheck<string> {
  const forbidden = options.multiline ? CONTROL_CHARS_EXCEPT_LINE_BREAKS : CONTROL_CHARS;
  return (value) => {
    const text = asText(value);
    if ('issue' in text) return text;
    const s = text.value;
    if (s.length > maxLength) return { issue: `is longer than ${maxLength} characters: ${quote(s)}` };
    if (forbidden.test(s)) return { issue: `must not contain control characters: ${quote(s)}` };
    if (FORMULA_START.test(s)) return { issue: `looks like a spreadsheet formula: ${quote(s)}` };
    return { value: s };
  };
}

const checkName = checkText(MAX_FIELD_LENGTH);
const checkDescription = checkText(MAX_DESCRIPTION_LENGTH, { multiline: true });

const EMAIL_LOCAL = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TOP_LEVEL_DOMAIN = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/iu;

const checkEmail: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  const email = text.value;

  if (email.length > 254) return { issue: `is longer than 254 characters: ${quote(email)}` };
  const at = email.lastIndexOf('@');
  if (at <= 0 || at > 64) return badEmail(email);
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (!EMAIL_LOCAL.test(local) || labels.length < 2 || !TOP_LEVEL_DOMAIN.test(tld)) return badEmail(email);
  for (const label of labels) if (!DOMAIN_LABEL.test(label)) return badEmail(email);
  return { value: email };
};

function badEmail(email: string): { issue: string } {
  return { issue: `is not a valid e-mail address: ${quote(email)}` };
}

const PHONE_SEPARATORS = /[\s\-().]/g;
const E164 = /^\+[1-9]\d{7,14}$/;

const checkPhone: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  const phone = text.value.replace(PHONE_SEPARATORS, '');
  if (!E164.test(phone)) {
    return { issue: `must be an E.164 number like "+5511987654321", got ${quote(text.value)}` };
  }
  return { value: phone };
};

const TIME_ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

const checkTimezone = cachedTextCheck((zone) => {
  const bad = { issue: `is not an IANA time zone like "America/Sao_Paulo": ${quote(zone)}` };
  if (zone.length > 64 || !TIME_ZONE_SHAPE.test(zone)) return bad;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return bad;
  }
  // Keep the name as given unless Intl only fixed its letter case ("america/sao_paulo").
  return { value: resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone };
});

const LOCALE_SHAPE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$/;

const checkLocale = cachedTextCheck((locale) => {
  const bad = { issue: `is not a locale like "pt-BR", "en" or "es-MX": ${quote(locale)}` };
  if (locale.length > 35 || !LOCALE_SHAPE.test(locale)) return bad;
  try {
    const [canonical] = Intl.getCanonicalLocales(locale.replaceAll('_', '-'));
    return canonical === undefined ? bad : { value: canonical };
  } catch {
    return bad;
  }
});

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
/** Codes Intl names that are not countries. */
const NOT_COUNTRIES = new Set(['ZZ', 'EU', 'EZ', 'UN', 'QO']);

const checkCountry = cachedTextCheck((country) => {
  const code = country.toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code) || regionNames.of(code) === undefined) {
    return { issue: `is not an ISO 3166-1 alpha-2 country code like "BR": ${quote(country)}` };
  }
  return { value: code };
});

const REGION_CODE = /^[A-Za-z0-9]{1,3}(?:-[A-Za-z0-9]{1,3})?$/;

const checkRegion: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  if (!REGION_CODE.test(text.value)) {
    return { issue: `is not a region code like "SP" (state/province code used for holidays): ${quote(text.value)}` };
  }
  return { value: text.value.toUpperCase() };
};

const checkCurrency = cachedTextCheck((currency) => {
  const code = currency.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return { issue: `must be a 3-letter ISO 4217 code like "BRL", got ${quote(currency)}` };
  if (!isKnownCurrency(code)) return { issue: `unknown currency ${quote(currency)} (use an ISO 4217 code like "BRL")` };
  return { value: code };
});

const DECIMAL_SHAPE = /^\d+(?:\.\d+)?$/;

/** Amount in minor units of `currency`; when the currency itself is invalid only the decimal shape is checked. */
/** A customer segment (`vip`, `smb`): what a rule file's segments choose a billing rule by. */
const checkSegment: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(text.value)
    ? { value: text.value }
    : { issue: `must be 1-64 letters, digits, . _ - (a segment name like "vip"), got ${quote(text.value)}` };
};

/** A risk score from 0 to 1000 (a number, or its text in a CSV cell). */
const checkRiskScore: FieldCheck<number> = (value) => {
  let shown: string;
  if (typeof value === 'number') {
    shown = String(value);
  } else {
    const text = asText(value);
    if ('issue' in text) return text;
    shown = text.value;
  }
  const score = /^\d{1,4}(\.\d{1,3})?$/.test(shown) ? Number(shown) : Number.NaN;
  return score >= 0 && score <= 1000
    ? { value: score }
    : { issue: `must be a number from 0 to 1000, got ${quote(shown)}` };
};

/** The amount check of each currency, made once (the currency was validated first, so there are few). */
const amountChecks = new Map<string | undefined, FieldCheck<number>>();

function amountCheck(currency: string | undefined): FieldCheck<number> {
  let check = amountChecks.get(currency);
  if (check === undefined) {
    check = checkAmount(currency);
    amountChecks.set(currency, check);
  }
  return check;
}

function checkAmount(currency: string | undefined): FieldCheck<number> {
  return (value) => {
    let decimal: string;
    if (typeof value === 'number') {
      decimal = String(value);
      if (!Number.isFinite(value) || /e/i.test(decimal)) {
        return { issue: `must be a decimal string like "1234.50", got the number ${decimal}` };
      }
    } else {
      const text = asText(value);
      if ('issue' in text) return text;
      decimal = text.value;
    }
    if (decimal.length > MAX_AMOUNT_LENGTH) {
      return { issue: `is longer than ${MAX_AMOUNT_LENGTH} characters: ${quote(decimal)}` };
    }
    if (currency === undefined) {
      if (!DECIMAL_SHAPE.test(decimal)) {
        return { issue: `must be a positive decimal number like "1234.50", got ${quote(decimal)}` };
      }
      return /[1-9]/.test(decimal) ? { value: 0 } : { issue: 'must be greater than 0' };
    }
    const parsed = parseDecimalAmount(decimal, currency);
    if (!parsed.ok) return { issue: parsed.issue };
    if (parsed.minor <= 0) return { issue: `must be greater than 0, got ${quote(decimal)}` };
    return { value: parsed.minor };
  };
}

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

const checkDate: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  const match = DATE_SHAPE.exec(text.value);
  if (!match) return { issue: `must be a date like "2026-12-15" (YYYY-MM-DD), got ${quote(text.value)}` };
  if (!isRealDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    return { issue: `not a real date: ${quote(text.value)}` };
  }
  if (!isSupportedYear(Number(match[1]))) return { issue: yearIssue(text.value) };
  return { value: text.value };
};

const INSTANT_SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** ISO-8601 instant with `Z` or an offset; returned normalised to UTC (`…Z`). */
const checkInstant: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  return checkIsoInstant(text.value);
};

/**
 * An ISO-8601 instant with `Z` or an offset (`2026-11-20T12:00:00-03:00`), returned normalised to UTC
 * (`2026-11-20T15:00:00.000Z`) so that instants stored as text sort in time order. Impossible dates and times, and
 * years outside MIN_YEAR..MAX_YEAR, are issues.
 */
export function checkIsoInstant(value: string): { value: string } | { issue: string } {
  const m = INSTANT_SHAPE.exec(value);
  if (!m) {
    return {
      issue: `must be an ISO-8601 instant with Z or an offset, like "2026-11-20T12:00:00Z", got ${quote(value)}`,
    };
  }
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(m[6] ?? '0');
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetHours = Number(m[10] ?? '0');
  const offsetMinutes = Number(m[11] ?? '0');
  if (
    !isRealDate(year, month, day) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    return { issue: `not a real instant: ${quote(value)}` };
  }
  if (!isSupportedYear(year)) return { issue: yearIssue(value) };
  const offsetSign = m[9] === '-' ? -1 : 1;
  const offsetMs = m[8] === 'Z' ? 0 : offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs;
  const instant = new Date(utcMs);
  // An offset can carry 9999-12-31T23:00-05:00 into year 10000, which toISOString writes as "+010000-…".
  if (!isSupportedYear(instant.getUTCFullYear())) return { issue: yearIssue(value) };
  return { value: instant.toISOString() };
}

const checkUrl: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  if (text.value.length > MAX_URL_LENGTH) return { issue: `is longer than ${MAX_URL_LENGTH} characters` };
  // The URL parser silently drops tabs and newlines; the stored text would still hold them (and reach e-mails).
  if (WHITESPACE_OR_CONTROL.test(text.value)) {
    return { issue: `must not contain spaces or control characters: ${quote(text.value)}` };
  }
  let url: URL;
  try {
    url = new URL(text.value);
  } catch {
    return { issue: `is not a valid URL: ${quote(text.value)}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { issue: `must be an http or https URL, got ${quote(text.value)}` };
  }
  return { value: text.value };
};

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function isSupportedYear(year: number): boolean {
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

function yearIssue(text: string): string {
  return `must be in the years ${MIN_YEAR} to ${MAX_YEAR}, got ${quote(text)}`;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** Why text is not clean Unicode (bytes that were not UTF-8, a lone surrogate), or undefined when it is. */
function notCleanUnicode(text: string): string | undefined {
  if (text.includes('\uFFFD')) {
    return `is not valid UTF-8 text (U+FFFD marks bytes that could not be read; save the file as UTF-8): ${quote(text)}`;
  }
  if (LONE_SURROGATE.test(text)) return `holds a lone UTF-16 surrogate, which is not text: ${quote(text)}`;
  return undefined;
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const QUOTE_LIMIT = 40;

/** The offending value for a message: JSON-quoted (control characters escaped) and cut to 40 characters. */
function quote(value: string): string {
  return JSON.stringify(value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

import type { FieldIssue } from '../../values/field-issue';

/**
 * Reading the fields of one raw record (API body, CSV row, JSON array element, JSON Lines line): strings trimmed, an
 * empty string counts as absent, every issue collected, and the helpers the field checks share (the text rules, how
 * an offending value is quoted in a message).
 */

/** A field check gets a present, non-empty value (strings already trimmed) and returns the normalised value. */
export type FieldCheck<T> = (value: string | number | boolean) => { value: T } | { issue: string };

/**
 * The outcome of checking one record of invoice data: its value, or every issue (with the record's `invoiceId` when
 * that was itself valid, so a report can name the row).
 */
export type RecordOutcome<T> = { ok: true; value: T } | { ok: false; invoiceId?: string; issues: FieldIssue[] };

/** Reads the fields of one record, collecting every issue (a class, not a closure per record: files run it per row). */
export class FieldReader {
  readonly issues: FieldIssue[] = [];

  constructor(readonly record: Record<string, unknown>) {}

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

/**
 * The reader of a raw record's fields, or the one issue of a record that is not an object (`what`: whose fields it
 * should hold, as the message names them).
 */
export function readerOf(raw: unknown, what: string): FieldReader | FieldIssue[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [{ path: '(root)', issue: `must be an object with ${what} fields, got ${kindOf(raw)}` }];
  }
  return new FieldReader(raw as Record<string, unknown>);
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

export function optional<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A check of a text field whose answer depends only on the text, remembered for the next records (a file repeats
 * the same few time zones, locales, countries and currencies; asking Intl each time costs microseconds per row).
 */
export function cachedTextCheck<T>(check: (text: string) => { value: T } | { issue: string }): FieldCheck<T> {
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
export function asText(value: string | number | boolean): { value: string } | { issue: string } {
  return typeof value === 'string' ? { value } : { issue: `must be text, got ${kindOf(value)} ${String(value)}` };
}

/** Characters the text checks refuse or look for. */
export const CONTROL_CHARS = /\p{Cc}/u;
export const CONTROL_CHARS_EXCEPT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u;
export const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;
export const FORMULA_START = /^[=+\-@]/;

const LONE_SURROGATE = /\p{Cs}/u;

/** Why text is not clean Unicode (bytes that were not UTF-8, a lone surrogate), or undefined when it is. */
export function notCleanUnicode(text: string): string | undefined {
  if (text.includes('\uFFFD')) {
    return `is not valid UTF-8 text (U+FFFD marks bytes that could not be read; save the file as UTF-8): ${quote(text)}`;
  }
  if (LONE_SURROGATE.test(text)) return `holds a lone UTF-16 surrogate, which is not text: ${quote(text)}`;
  return undefined;
}

const QUOTE_LIMIT = 40;

/** The offending value for a message: JSON-quoted (control characters escaped) and cut to 40 characters. */
export function quote(value: string): string {
  return JSON.stringify(value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value);
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

import {
  asText,
  CONTROL_CHARS,
  CONTROL_CHARS_EXCEPT_LINE_BREAKS,
  type FieldCheck,
  FORMULA_START,
  notCleanUnicode,
  quote,
  WHITESPACE_OR_CONTROL,
} from './field-reader';
import { MAX_DESCRIPTION_LENGTH, MAX_FIELD_LENGTH, MAX_ID_LENGTH, MAX_URL_LENGTH } from './limits';

/** Checks of ids and free text: invoice and customer ids, names, descriptions, payment URLs, segments. */

export const checkId: FieldCheck<string> = (value) => {
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

export const checkName = checkText(MAX_FIELD_LENGTH);
export const checkDescription = checkText(MAX_DESCRIPTION_LENGTH, { multiline: true });

export const checkUrl: FieldCheck<string> = (value) => {
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

/** A customer segment (`vip`, `smb`): what a rule file's segments choose a billing rule by. */
export const checkSegment: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(text.value)
    ? { value: text.value }
    : { issue: `must be 1-64 letters, digits, . _ - (a segment name like "vip"), got ${quote(text.value)}` };
};

/** Stands in for an email address taken out of a text. */
export const MASKED_EMAIL = '<email>';
/** Stands in for a phone number taken out of a text. */
export const MASKED_PHONE = '<phone>';

/** Anything shaped like an address: a local part, `@`, a dotted domain. */
const EMAIL_LIKE = /[^\s@<>"'(),;:[\]]+@[^\s@<>"'(),;:[\]]+\.[^\s@<>"'(),;:[\]]+/g;
/** An E.164 number (`+`, 8 to 15 digits), the form every stored phone has. */
const E164_LIKE = /\+[1-9]\d{7,14}(?!\d)/g;

/**
 * A third party's text (a provider's error message) with the contact details it may echo masked: each of `known`
 * (the destination it was given, matched case-insensitively) and anything shaped like an email address or an E.164
 * phone number. Such texts travel on to logs (Lambda's "Invoke Error" line, the workflow's execution log), the
 * operators' notices and the contact log; ids, error codes and numbers that are not phones are kept.
 */
export function maskContactDetails(text: string, known: readonly (string | undefined)[] = []): string {
  let masked = text;
  for (const value of known) {
    if (!value) continue;
    const mask = value.includes('@') ? MASKED_EMAIL : MASKED_PHONE;
    masked = masked.replace(new RegExp(escapeRegExp(value), 'gi'), mask);
  }
  return masked.replace(EMAIL_LIKE, MASKED_EMAIL).replace(E164_LIKE, MASKED_PHONE);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token of a debtor's statement link (`GET /statements/{token}`, issue #5 item 8): no login, signed and expiring.
 *
 *   base64url(customerId) "." expiresAtEpochSeconds "." base64url(HMAC-SHA256(secret, "statement|" customerId "|" expires))
 *
 * The key is the customer's own random `statementSecret` (no global secret to deploy or leak; rotating one customer's
 * secret revokes that customer's links only). The id tells the handler whose secret to check with; the signature
 * covers the id and the expiry, so neither can be changed. Pure (the caller passes `now`).
 */

/** How long a statement link in a message stays valid. */
export const STATEMENT_LINK_DAYS = 30;

/** Longest customer id a token carries (the registration's limit is 128 characters, up to 4 UTF-8 bytes each). */
const MAX_ENCODED_ID = 700;
const TOKEN = new RegExp(`^([A-Za-z0-9_-]{1,${MAX_ENCODED_ID}})\\.([1-9]\\d{0,11})\\.([A-Za-z0-9_-]{43})$`);

function signature(secret: string, customerId: string, expires: number): string {
  return createHmac('sha256', secret).update(`statement|${customerId}|${expires}`, 'utf8').digest('base64url');
}

/**
 * The token for `customerId`'s statement, valid until `expiresAtEpochSeconds`, signed with the customer's secret.
 * @throws RangeError for an empty id or secret, or an expiry that is not a positive whole number of seconds.
 */
export function statementToken(customerId: string, secret: string, expiresAtEpochSeconds: number): string {
  if (customerId === '' || secret === '') throw new RangeError('a statement token needs a customer id and a secret');
  if (!Number.isSafeInteger(expiresAtEpochSeconds) || expiresAtEpochSeconds <= 0) {
    throw new RangeError(`expiresAtEpochSeconds must be a positive whole number, got ${expiresAtEpochSeconds}`);
  }
  const id = Buffer.from(customerId, 'utf8').toString('base64url');
  return `${id}.${expiresAtEpochSeconds}.${signature(secret, customerId, expiresAtEpochSeconds)}`;
}

/**
 * A token's parts, or undefined when it is not shaped like one (checked before anything is read). Only the canonical
 * spelling is accepted — the id's base64url exactly as it encodes, the expiry without leading zeros — so one link has
 * one token (base64's unused low bits and leading zeros would otherwise give other spellings of it).
 */
export function parseStatementToken(
  token: string,
): { readonly customerId: string; readonly expires: number; readonly signature: string } | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const encoded = match[1] as string;
  const customerId = Buffer.from(encoded, 'base64url').toString('utf8');
  const expires = Number(match[2]);
  if (customerId === '' || Buffer.from(customerId, 'utf8').toString('base64url') !== encoded) return undefined;
  if (!Number.isSafeInteger(expires)) return undefined;
  return { customerId, expires, signature: match[3] as string };
}

/**
 * Whether a parsed token is valid at `now`: signed with `secret` (compared in constant time) and not expired (valid
 * until its expiry second, exclusive).
 */
export function isValidStatementToken(
  parsed: { readonly customerId: string; readonly expires: number; readonly signature: string },
  secret: string,
  now: Date,
): boolean {
  const expected = Buffer.from(signature(secret, parsed.customerId, parsed.expires), 'utf8');
  const given = Buffer.from(parsed.signature, 'utf8');
  const signed = expected.length === given.length && timingSafeEqual(expected, given);
  return signed && now.getTime() < parsed.expires * 1000;
}

/** When a statement link made at `now` expires: `days` later, to the second. */
export function statementLinkExpiry(now: Date, days: number = STATEMENT_LINK_DAYS): number {
  return Math.floor(now.getTime() / 1000) + days * 86_400;
}

/**
 * The statement link of a customer: `<baseUrl>/statements/<token>`, `baseUrl` being the API's public base URL (the
 * one the unsubscribe links use), valid until `expiresAtEpochSeconds` (see {@link statementLinkExpiry}).
 */
export function statementUrl(options: {
  readonly baseUrl: string;
  readonly customerId: string;
  readonly secret: string;
  readonly expiresAtEpochSeconds: number;
}): string {
  const token = statementToken(options.customerId, options.secret, options.expiresAtEpochSeconds);
  return `${options.baseUrl.replace(/\/+$/, '')}/statements/${token}`;
}

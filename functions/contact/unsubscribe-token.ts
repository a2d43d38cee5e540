import { timingSafeEqual } from 'node:crypto';

/**
 * The token in an email's unsubscribe link: the customer id (base64url) and the customer's random secret, joined by
 * a dot. The secret makes the link unguessable; the id lets the handler find whose secret to compare.
 */
export function unsubscribeLinkToken(customerId: string, secret: string): string {
  return `${Buffer.from(customerId, 'utf8').toString('base64url')}.${secret}`;
}

/** The customer id and secret of a link token, or undefined when it is not shaped like one. */
export function parseUnsubscribeToken(token: string): { customerId: string; secret: string } | undefined {
  const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{16,100})$/.exec(token);
  if (!match) return undefined;
  const customerId = Buffer.from(match[1] as string, 'base64url').toString('utf8');
  return customerId.length > 0 ? { customerId, secret: match[2] as string } : undefined;
}

/** Compares two secrets in constant time (no early exit an attacker could time). */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

import { createHash } from 'node:crypto';

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

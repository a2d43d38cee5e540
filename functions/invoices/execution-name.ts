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
export function executionNameFor(invoiceId: string, walk = 1): string {
  if (walk > 1) return laterWalkName(invoiceId, walk);
  if (EXECUTION_NAME_SAFE.test(invoiceId)) return invoiceId;
  const hash = hashOf(invoiceId);
  const sanitized = sanitize(invoiceId);
  const room = EXECUTION_NAME_MAX - EXECUTION_NAME_HASH_LENGTH - 1;
  return sanitized === '' ? hash : `${sanitized.slice(0, room)}-${hash}`;
}

/**
 * Name of the invoice's `walk`-th execution (2, 3, …: a walk continued before an execution's one-year limit, or
 * restarted by the reconciler): `<id>-w<walk>-<hash of id and walk>`, the id sanitised and cut to fit. The hash keeps
 * it apart from any first walk's name (an id that happens to end in `-w2-…`). Deterministic, so a retried start
 * finds the execution it started (ExecutionAlreadyExists).
 */
function laterWalkName(invoiceId: string, walk: number): string {
  if (!Number.isInteger(walk)) throw new Error(`walk must be a whole number, not ${walk}`);
  const suffix = `-w${walk}-${hashOf(`${invoiceId}#walk${walk}`)}`;
  return `${sanitize(invoiceId).slice(0, EXECUTION_NAME_MAX - suffix.length)}${suffix}`;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, EXECUTION_NAME_HASH_LENGTH);
}

function sanitize(invoiceId: string): string {
  return Array.from(invoiceId, (ch) => ch.replace(EXECUTION_NAME_UNSAFE_CHAR, '_')).join('');
}

import type { Invoice } from './invoice';
import {
  ACTIVE,
  byOf,
  CONTACTABLE,
  type CommandOf,
  change,
  type Decision,
  type InvoiceCommand,
  type NoChange,
  type Refuse,
  requireStatus,
} from './lifecycle/decision';
import { decideDispute, decidePause, decideResolve, decideResume } from './lifecycle/holds';
import { InvalidTransition } from './lifecycle/invalid-transition';
import { decidePayment } from './lifecycle/payment';
import { decidePromise, decidePromiseDeadline } from './lifecycle/promise';
import { decideRenegotiation } from './lifecycle/renegotiation';

export {
  type Decision,
  type InvoiceChange,
  type InvoiceCommand,
  type InvoiceCommandType,
  LIFECYCLE_EVENT_TYPES,
  type LifecycleEvent,
  type LifecycleEventType,
  type NoChange,
} from './lifecycle/decision';
export { InvalidTransition } from './lifecycle/invalid-transition';

/**
 * The invoice lifecycle as pure decisions: given the stored invoice and what happened (an operator's action, a
 * payment, a promise's deadline), what the invoice becomes, which audit events record it and what a waiting workflow
 * step must be told. No I/O: the services read the invoice, call {@link decide}, write the change with optimistic
 * locking (one conditional write of the invoice item) and retry on a concurrent change.
 *
 *   OPEN / ESCALATED ── pause ──► PAUSED ── resume ──► back (OPEN / ESCALATED)
 *   OPEN / ESCALATED ── promise ─► PAUSED (promise) ── paid the promised amount / deadline passed ──► back
 *   OPEN / ESCALATED / PAUSED ── dispute ──► DISPUTED ── resolve ──► back
 *   OPEN / ESCALATED / PAUSED / DISPUTED ── write-off ──► WRITTEN_OFF (the walk ends)
 *   OPEN / ESCALATED / PAUSED ── renegotiate ──► RENEGOTIATED (the walk ends; each instalment is an invoice of its own)
 *   any of those ── payment of the whole balance ──► PAID (the walk ends); a PAID invoice takes more as credit
 *   any of those ── the discounted amount before an early-payment offer ends ──► PAID, the discount recorded
 *
 * Each command's decision has its file in ./lifecycle/: payment.ts (payments, credit, early-payment discounts, a
 * promise kept), holds.ts (pause, resume, dispute, resolve), promise.ts (a promise to pay and its deadline),
 * renegotiation.ts (an agreement's instalments replace the invoice); write-off and escalation are below. What a
 * command and a decision are: ./lifecycle/decision.ts.
 */

/**
 * What `command` does to `invoice` at `at` (ISO instant).
 * @throws InvalidTransition when the invoice's status does not allow it.
 */
export function decide(invoice: Invoice, command: InvoiceCommand, at: string): Decision | NoChange {
  const refuse: Refuse = (why) => {
    throw new InvalidTransition(invoice.invoiceId, invoice.status, command.type, why);
  };
  switch (command.type) {
    case 'pause':
      return decidePause(invoice, command, at, refuse);
    case 'resume':
      return decideResume(invoice, command, refuse);
    case 'dispute':
      return decideDispute(invoice, command, at, refuse);
    case 'resolve':
      return decideResolve(invoice, command, refuse);
    case 'promise':
      return decidePromise(invoice, command, at, refuse);
    case 'write-off':
      return decideWriteOff(invoice, command, refuse);
    case 'escalate':
      return decideEscalation(invoice, command, refuse);
    case 'payment':
      return decidePayment(invoice, command, at, refuse);
    case 'renegotiate':
      return decideRenegotiation(invoice, command, refuse);
    case 'promise-deadline':
      return decidePromiseDeadline(invoice);
  }
}

function decideWriteOff(invoice: Invoice, command: CommandOf<'write-off'>, refuse: Refuse): Decision {
  requireStatus(invoice, command.type, ACTIVE, refuse);
  return change(
    { status: 'WRITTEN_OFF', hold: null },
    [{ type: 'written-off', detail: { reason: command.reason, balanceMinor: invoice.balanceMinor, ...byOf(command) } }],
    'changed',
  );
}

/** An operator escalates by hand: recorded (with the notice's id), the walk goes on. */
function decideEscalation(invoice: Invoice, command: CommandOf<'escalate'>, refuse: Refuse): Decision {
  requireStatus(invoice, command.type, CONTACTABLE, refuse);
  return change(
    { status: 'ESCALATED' },
    [
      {
        type: 'escalated',
        detail: {
          reason: command.reason,
          to: command.to,
          manual: true,
          ...byOf(command),
          ...(command.notificationId ? { notificationId: command.notificationId } : {}),
        },
      },
    ],
    undefined,
  );
}

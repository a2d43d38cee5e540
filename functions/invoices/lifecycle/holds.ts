import type { Invoice } from '../invoice';
import {
  byOf,
  CONTACTABLE,
  type CommandOf,
  change,
  type Decision,
  type Refuse,
  requireStatus,
  resumeStatusOf,
} from './decision';

/**
 * An operator's holds: pause and resume, dispute and resolve. A hold stops contact; its end sends dunning back to
 * where it was (`resumeTo`). A promise to pay is a hold too: ./promise.ts.
 */

export function decidePause(invoice: Invoice, command: CommandOf<'pause'>, at: string, refuse: Refuse): Decision {
  requireStatus(invoice, command.type, CONTACTABLE, refuse);
  return startHold(invoice, command, at, 'PAUSED', 'paused');
}

/** Ends a pause, or a pending promise to pay (recorded as cancelled); a dispute ends with resolve. */
export function decideResume(invoice: Invoice, command: CommandOf<'resume'>, refuse: Refuse): Decision {
  const { status } = invoice;
  if (status !== 'PAUSED') refuse(status === 'DISPUTED' ? 'a dispute ends with resolve' : 'resume needs PAUSED');
  return change(
    { status: resumeStatusOf(invoice), hold: null },
    [
      {
        type: 'resumed',
        detail: {
          reason: command.reason,
          ...byOf(command),
          ...(invoice.hold?.kind === 'promise' ? { cancelledPromise: invoice.hold.promise?.date ?? '' } : {}),
        },
      },
    ],
    'changed',
  );
}

export function decideDispute(invoice: Invoice, command: CommandOf<'dispute'>, at: string, refuse: Refuse): Decision {
  requireStatus(invoice, command.type, ['OPEN', 'ESCALATED', 'PAUSED'], refuse);
  return startHold(invoice, command, at, 'DISPUTED', 'disputed');
}

export function decideResolve(invoice: Invoice, command: CommandOf<'resolve'>, refuse: Refuse): Decision {
  requireStatus(invoice, command.type, ['DISPUTED'], refuse);
  return change(
    { status: resumeStatusOf(invoice), hold: null },
    [{ type: 'resolved', detail: { reason: command.reason, ...byOf(command) } }],
    'changed',
  );
}

/** A pause or a dispute begins: the hold of the command's kind, remembering where dunning goes back to. */
function startHold(
  invoice: Invoice,
  command: CommandOf<'pause' | 'dispute'>,
  at: string,
  status: 'PAUSED' | 'DISPUTED',
  event: 'paused' | 'disputed',
): Decision {
  const by = byOf(command);
  return change(
    {
      status,
      hold: { kind: command.type, reason: command.reason, since: at, resumeTo: resumeStatusOf(invoice), ...by },
    },
    [{ type: event, detail: { reason: command.reason, ...by } }],
    'changed',
  );
}

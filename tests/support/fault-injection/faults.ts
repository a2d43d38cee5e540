import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import type { LocalSystem } from '../../../local/system/system';
import { faultRandom } from './plan';

/**
 * The faults of the fault-injection run (tests/e2e/fault-injection.test.ts), injected at the `initialize` step of the
 * handlers' own SDK clients (functions/platform/clients.ts), i.e. as what the handler code sees once the SDK's own
 * retries gave up; and the ledger of what reached the providers (message id, invoice, stage, channel, virtual instant
 * and a global sequence number) and of what the run counts.
 */

interface Window {
  readonly from: string;
  readonly to: string;
  /** Share of calls that fail inside the window. */
  readonly rate: number;
}

/**
 * The outages are shorter than the send step's retry budget (TransientSendError: 8 retries from 30 s, doubling,
 * at most 30 min apart: about 91 minutes), and the random failures rare enough that nine failed attempts in a row
 * (each attempt makes up to three provider calls) are practically impossible, so every walk must come through; a
 * longer outage ends a walk in `Failed (operators notified)` by design.
 */
export const FAULTS = {
  /** SES SendEmail: throttled (429) or 5xx. */
  ses: [
    { from: '2026-12-01T11:50:00Z', to: '2026-12-01T12:35:00Z', rate: 1 }, // 09:00 in São Paulo: D-3 / D0 emails
    { from: '2026-12-08T12:55:00Z', to: '2026-12-08T13:40:00Z', rate: 1 }, // 10:00 in São Paulo: D+7 emails
    { from: '2026-12-10T00:00:00Z', to: '2026-12-16T00:00:00Z', rate: 0.1 },
  ],
  /** SNS Publish to a phone number and CheckIfPhoneNumberIsOptedOut: throttled or 5xx. */
  sms: [
    { from: '2026-12-03T12:50:00Z', to: '2026-12-03T13:50:00Z', rate: 1 }, // 10:00 in São Paulo: D+3 / D+7 SMS
    { from: '2026-12-14T00:00:00Z', to: '2026-12-20T00:00:00Z', rate: 0.1 },
  ],
  /** SNS Publish to the operators' topic (escalations): 5xx. */
  topic: [{ from: '2026-12-28T12:55:00Z', to: '2026-12-28T13:40:00Z', rate: 1 }],
  /** SFN StartExecution: ThrottlingException. */
  start: [
    { from: '2026-11-23T00:00:00Z', to: '2026-11-23T06:00:00Z', rate: 1 },
    { from: '2026-11-23T06:00:00Z', to: '2026-12-14T00:00:00Z', rate: 0.3 },
  ],
  /** The completeSend write after the provider accepted the message, once per send at most. */
  crashAfterSend: 0.04,
  /** The contact-slot write (recentContacts) loses a race that nobody else ran. */
  slotConflict: 0.1,
} satisfies Record<string, readonly Window[] | number>;

function failsNow(windows: readonly Window[], now: Date): boolean {
  const at = now.toISOString();
  const window = windows.find((w) => at >= new Date(w.from).toISOString() && at < new Date(w.to).toISOString());
  return window !== undefined && faultRandom() < window.rate;
}

function awsError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// What reached the providers, and the other things the run counts.

export interface ProviderSend {
  readonly channel: 'email' | 'sms' | 'escalate';
  readonly messageId: string;
  /** Global order: when the provider call started. */
  readonly seq: number;
  readonly at: string;
}

export const ledger = {
  seq: 0,
  sends: [] as ProviderSend[],
  /**
   * messageId → the invoice·stage·channel keys the message was for: its own invoice's (every completeSend attempt,
   * failed ones included) and those a consolidated message listed (every attempt to record them, including those
   * that found a claim of the invoice's own).
   */
  coverage: new Map<string, Set<string>>(),
  /** Invoice → when its payment committed (status PAID written): global order and virtual instant. */
  paidCommit: new Map<string, { seq: number; at: string }>(),
  injected: {
    sesThrottled: 0,
    ses5xx: 0,
    smsThrottled: 0,
    sms5xx: 0,
    topic5xx: 0,
    startThrottled: 0,
    crashAfterSend: 0,
    slotConflict: 0,
  },
  observed: {
    slotRacesLost: 0,
    paymentRaces: 0,
    claimConflicts: 0,
    ingestErrors: [] as string[],
    s3Deliveries: 0,
  },
  crashedSends: new Set<string>(),
};

/** `SEND#<invoice>#<stage>#<channel>` → the key `<invoice>#<stage>#<channel>`, under the message that covered it. */
function cover(messageId: string, sendPk: string): void {
  const keys = ledger.coverage.get(messageId) ?? new Set<string>();
  keys.add(sendPk.slice('SEND#'.length));
  ledger.coverage.set(messageId, keys);
}

type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
type Middleware = (next: Next, context: { commandName?: string }) => Next;

/** While false (the drain after the run), no fault is injected; the ledger still records. */
let faultsOn = true;

/** Ends the injection of faults: what follows runs against well-behaved clients. */
export function stopFaults(): void {
  faultsOn = false;
}

/** Adds the faults and the ledger's records to the handlers' SDK clients (import them after the system started). */
export async function installFaults(system: LocalSystem): Promise<void> {
  const clients = await import('../../../functions/platform/clients');
  const now = () => system.clock.now();
  // The middleware stack's types are generic over every command's input and output: these see them all.
  const add = (client: { middlewareStack: { add(mw: never, options: object): void } }, name: string, mw: Middleware) =>
    client.middlewareStack.add(mw as never, { step: 'initialize', name, priority: 'high' });

  // SendEmail and Publish go through the send clients (no SDK retries), the reads through the others: both carry the
  // same faults, so each call sees them whichever client makes it.
  const onBoth = <C>(pair: readonly C[], name: string, mw: Middleware) => {
    for (const [i, client] of pair.entries()) add(client as never, `${name}${i}`, mw);
  };

  onBoth([clients.ses, clients.sesSend], 'faultsSes', (next, context) => async (args) => {
    if (context.commandName !== 'SendEmailCommand') return next(args);
    if (faultsOn && failsNow(FAULTS.ses, now())) {
      if (faultRandom() < 0.5) {
        ledger.injected.sesThrottled++;
        throw awsError('TooManyRequestsException', 429, 'Maximum sending rate exceeded (injected)');
      }
      ledger.injected.ses5xx++;
      throw awsError('InternalFailure', 500, 'Internal failure (injected)');
    }
    const seq = ++ledger.seq;
    const at = now().toISOString();
    const result = await next(args);
    ledger.sends.push({ channel: 'email', messageId: String(result.output.MessageId), seq, at });
    return result;
  });

  onBoth([clients.sns, clients.snsSend], 'faultsSns', (next, context) => async (args) => {
    const toPhone = context.commandName === 'CheckIfPhoneNumberIsOptedOutCommand' || args.input.PhoneNumber;
    const toTopic = context.commandName === 'PublishCommand' && args.input.TopicArn;
    if (faultsOn && toPhone && failsNow(FAULTS.sms, now())) {
      if (faultRandom() < 0.5) {
        ledger.injected.smsThrottled++;
        throw awsError('ThrottledException', 429, 'Rate exceeded (injected)');
      }
      ledger.injected.sms5xx++;
      throw awsError('InternalErrorException', 500, 'Internal error (injected)');
    }
    if (faultsOn && toTopic && failsNow(FAULTS.topic, now())) {
      ledger.injected.topic5xx++;
      throw awsError('InternalErrorException', 500, 'Internal error (injected)');
    }
    if (context.commandName !== 'PublishCommand') return next(args);
    const seq = ++ledger.seq;
    const at = now().toISOString();
    const result = await next(args);
    const messageId = String(result.output.MessageId);
    if (toTopic) {
      const message = JSON.parse(String(args.input.Message)) as { kind?: string };
      if (message.kind === 'escalation') ledger.sends.push({ channel: 'escalate', messageId, seq, at });
    } else {
      ledger.sends.push({ channel: 'sms', messageId, seq, at });
    }
    return result;
  });

  add(clients.sfn, 'faultsSfn', (next, context) => async (args) => {
    if (faultsOn && context.commandName === 'StartExecutionCommand' && failsNow(FAULTS.start, now())) {
      ledger.injected.startThrottled++;
      throw awsError('ThrottlingException', 400, 'Rate exceeded (injected)');
    }
    return next(args);
  });

  /** On the document client: before its marshalling, so the middleware sees (and answers) plain JS values. */
  clients.dynamo.middlewareStack.addRelativeTo(dynamoFaults(now) as never, {
    name: 'faultsDynamo',
    relation: 'before',
    toMiddleware: 'DocumentMarshall',
  });
}

/** A document client command's input, as far as the faults read it. */
interface DocumentInput {
  Key?: { pk?: string };
  Item?: { pk?: string; state?: string; messageId?: string; consolidatedInto?: string };
  UpdateExpression?: string;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * DynamoDB: a crash between sending and recording, contact-slot writes that lose a race nobody else ran, and what the
 * ledger learns from the writes (whose a message is, when a payment committed, which races were lost).
 */
function dynamoFaults(now: () => Date): Middleware {
  return (next, context) => async (args) => {
    const input = args.input as DocumentInput;
    const values = input.ExpressionAttributeValues ?? {};
    const pk = input.Key?.pk ?? input.Item?.pk ?? '';
    const update = context.commandName === 'UpdateItemCommand'; // the document client's inner command
    const slotWrite = beforeWrite(input, pk, values, update);
    try {
      const result = await next(args);
      if (update) recordPaidCommit(pk, values, now);
      return result;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') countLostRace(pk, values, update, slotWrite);
      throw error;
    }
  };
}

/** What a write tells the ledger before it runs, and the faults injected into it. True for a contact-slot write. */
function beforeWrite(input: DocumentInput, pk: string, values: Record<string, unknown>, update: boolean): boolean {
  if (update && pk.startsWith('SEND#') && values[':sent'] === 'SENT') completeSend(pk, values);
  const item = input.Item;
  if (pk.startsWith('SEND#') && item?.state === 'SENT' && item.consolidatedInto) cover(String(item.messageId), pk);
  const slotWrite = update && (input.UpdateExpression ?? '').includes('recentContacts = :contacts');
  if (faultsOn && slotWrite && faultRandom() < FAULTS.slotConflict) {
    ledger.injected.slotConflict++;
    throw new ConditionalCheckFailedException({
      message: 'The conditional request failed (injected)',
      $metadata: { httpStatusCode: 400 },
    });
  }
  return slotWrite;
}

/** completeSend: the provider took the message. Remember whose it is, then maybe crash before recording it. */
function completeSend(pk: string, values: Record<string, unknown>): void {
  cover(String(values[':id']), pk);
  if (faultsOn && !ledger.crashedSends.has(pk) && faultRandom() < FAULTS.crashAfterSend) {
    ledger.crashedSends.add(pk);
    ledger.injected.crashAfterSend++;
    throw new DynamoDBServiceException({
      name: 'InternalServerError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
      message: 'Internal server error (injected: the send step failed after the provider took the message)',
    });
  }
}

/** The lifecycle write that made the invoice PAID (a later overpayment writes PAID again: not a commit). */
function recordPaidCommit(pk: string, values: Record<string, unknown>, now: () => Date): void {
  const paidId = pk.slice('INVOICE#'.length);
  const paid = pk.startsWith('INVOICE#') && values[':status'] === 'PAID' && values[':version'];
  if (paid && !ledger.paidCommit.has(paidId)) {
    ledger.paidCommit.set(paidId, { seq: ++ledger.seq, at: now().toISOString() });
  }
}

/** A conditional write that failed: a contact slot, an invoice version (a payment's race) or a send claim. */
function countLostRace(pk: string, values: Record<string, unknown>, update: boolean, slotWrite: boolean): void {
  if (slotWrite) ledger.observed.slotRacesLost++;
  else if (update && values[':version'] !== undefined) ledger.observed.paymentRaces++;
  else if (pk.startsWith('SEND#')) ledger.observed.claimConflicts++;
}

import { join } from 'node:path';
import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactLogEntry } from '../../functions/contact/contact-log';
import { executionNameFor } from '../../functions/invoices/execution-name';
import { validateInvoiceRecord } from '../../functions/invoices/input/invoice-record';
import { type Invoice, type InvoiceRegistration, isContactable } from '../../functions/invoices/invoice';
import type { BillingRule } from '../../functions/rules/billing-rule';
import { debtorTimezone, stageDueInstant } from '../../functions/rules/schedule';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import type { TimelineEvent } from '../../local/simulator/timeline';
import { checkTimeline, type Violation } from '../../local/simulator/timeline-check';
import { objectCreatedEvent } from '../../local/system/event-sources';
import { LocalSystem } from '../../local/system/system';
import { STATE } from '../../state-machines/state-names';

// Fault injection on the whole local system (issue #6, Reliability 1): a randomized portfolio (customers with one to
// three invoices, many of them due the same day) registered through the API and S3 drops, with payments at random
// moments — some exactly when a stage's messages go out, some twice at once — while the AWS clients of the handlers
// misbehave: SES and SNS throttle and answer 5xx for a while, the send step's `completeSend` write fails after the
// provider took the message (a crash between sending and recording), the contact-slot write loses races it would
// otherwise win, StartExecution is throttled for a while, each S3 event is delivered twice and some invoices are
// registered by the API and by a drop at the same moment.
//
// Faults are injected at the `initialize` step of the handlers' own SDK clients (functions/platform/clients.ts), i.e.
// as what the handler code sees once the SDK's own retries gave up. The same middleware keeps a ledger of what
// reached the providers (message id, invoice, stage, channel, virtual instant and a global sequence number), which is
// checked against the SES mailbox, the SMS outbox, the operators' topic and the contact log.

const SEED = Number(process.env.FAULT_SEED ?? 20_261_129);
const INVOICE_COUNT = Number(process.env.FAULT_INVOICES ?? 1000);
const T0 = new Date('2026-11-23T00:00:00.000Z'); // a Monday
/** Where the run stops: the walks of invoices due after mid-December are still waiting for their last stages. */
const UNTIL = new Date('2027-01-12T00:00:00.000Z');

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
const rule: BillingRule = config.rule;

// ---------------------------------------------------------------------------------------------------------------
// Randomness: one seeded PRNG for the portfolio and the plan, another for the faults (drawn in I/O order).

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const planRandom = mulberry32(SEED);
const faultRandom = mulberry32(SEED ^ 0x5eed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(planRandom() * items.length)] as T;
const between = (from: number, to: number): number => from + Math.floor(planRandom() * (to - from));
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------------------------
// The portfolio and the plan of registrations and payments.

const ZONES = [
  { timezone: 'America/Sao_Paulo', locale: 'pt-BR', country: 'BR', region: 'SP', currency: 'BRL', phone: '+55119' },
  { timezone: 'America/Sao_Paulo', locale: 'pt-BR', country: 'BR', region: 'RJ', currency: 'BRL', phone: '+55219' },
  { timezone: 'America/New_York', locale: 'en', country: 'US', region: 'NY', currency: 'USD', phone: '+1212' },
  { timezone: 'Europe/Lisbon', locale: 'pt-BR', country: 'PT', region: '', currency: 'EUR', phone: '+3519' },
  { timezone: 'Europe/Madrid', locale: 'es', country: 'ES', region: 'MD', currency: 'EUR', phone: '+346' },
] as const;

type InvoiceRecord = Record<string, string>;
type RegistrationPath = 'api' | 's3' | 'both';

interface PlannedInvoice {
  readonly record: InvoiceRecord;
  readonly registration: InvoiceRegistration;
  readonly registerAt: Date;
  readonly path: RegistrationPath;
}

interface PlannedPayment {
  readonly at: Date;
  readonly invoiceId: string;
  /** Minor units; undefined pays the balance. */
  readonly amountMinor?: number;
  readonly kind: 'full' | 'race' | 'double' | 'partial' | 'concurrent-partials';
}

const CSV_COLUMNS = [
  'invoiceId',
  'customerId',
  'customerName',
  'email',
  'phone',
  'timezone',
  'locale',
  'country',
  'region',
  'amount',
  'currency',
  'dueDate',
  'paymentUrl',
] as const;

function planPortfolio(count: number): PlannedInvoice[] {
  // Later registrations happen at a few dozen instants (API calls and file drops), some after stages have passed.
  const instants = Array.from({ length: 30 }, () => new Date(T0.getTime() + between(1, 21 * 24 * 60) * MINUTE));
  const invoices: PlannedInvoice[] = [];
  let customer = 0;
  while (invoices.length < count) {
    customer += 1;
    const zone = pick(ZONES);
    const size = Math.min(count - invoices.length, planRandom() < 0.45 ? 1 : planRandom() < 0.6 ? 2 : 3);
    const sameDay = planRandom() < 0.6; // invoices of one customer due the same day: their stages race for the slot
    const firstDue = between(4, 31);
    const email = planRandom() < 0.97 ? `fc${customer}@example.com` : '';
    const phone = planRandom() < 0.9 ? `${zone.phone}${String(10_000_000 + customer).slice(-8)}` : '';
    for (let i = 0; i < size; i++) {
      const n = invoices.length + 1;
      const due = new Date(T0.getTime() + (sameDay ? firstDue : between(4, 31)) * DAY).toISOString().slice(0, 10);
      const invoiceId = `FI-${String(n).padStart(5, '0')}`;
      const record: InvoiceRecord = {
        invoiceId,
        customerId: `FC-${String(customer).padStart(5, '0')}`,
        customerName: `Cliente ${customer}`,
        email,
        phone,
        timezone: zone.timezone,
        locale: zone.locale,
        country: zone.country,
        region: zone.region,
        amount: (between(1_000, 500_000) / 100).toFixed(2),
        currency: zone.currency,
        dueDate: due,
        paymentUrl: `https://pay.example.com/${invoiceId}`,
      };
      const validation = validateInvoiceRecord(record);
      if (!validation.ok) throw new Error(`generated an invalid record: ${JSON.stringify(validation.issues)}`);
      const roll = planRandom();
      invoices.push({
        record,
        registration: validation.value,
        registerAt: roll < 0.4 ? T0 : pick(instants),
        path: planRandom() < 0.04 ? 'both' : planRandom() < 0.5 ? 'api' : 's3',
      });
    }
  }
  return invoices;
}

/** The instant a stage of this invoice is due (debtor's zone), as the rule says. */
function stageInstant(invoice: InvoiceRegistration, stageIndex: number): Date {
  const stage = rule.stages[stageIndex];
  if (!stage) throw new Error(`no stage ${stageIndex}`);
  return stageDueInstant(invoice.dueDate, stage, debtorTimezone(rule, invoice.customer));
}

function planPayments(invoices: readonly PlannedInvoice[]): PlannedPayment[] {
  const payments: PlannedPayment[] = [];
  for (const { registration, registerAt } of invoices) {
    if (planRandom() >= 0.45) continue;
    const { invoiceId } = registration;
    const minor = registration.amount.minor;
    const earliest = registerAt.getTime() + MINUTE;
    const randomAt = () => new Date(between(earliest, UNTIL.getTime() - DAY));
    const roll = planRandom();
    if (roll < 0.3) {
      // exactly when one of its stages' messages go out (D0, D+3 or D+7): the payment races the send step
      const at = stageInstant(registration, between(1, 4));
      if (at.getTime() > earliest) {
        payments.push({ at, invoiceId, kind: 'race' });
        continue;
      }
    }
    if (roll < 0.4) {
      const at = randomAt();
      payments.push({ at, invoiceId, kind: 'double' }, { at, invoiceId, kind: 'double' });
    } else if (roll < 0.5) {
      const first = randomAt();
      const second = new Date(between(first.getTime() + MINUTE, UNTIL.getTime() - HOUR));
      payments.push({ at: first, invoiceId, amountMinor: Math.floor(minor / 3) || 1, kind: 'partial' });
      payments.push({ at: second, invoiceId, kind: 'partial' });
    } else if (roll < 0.55 && minor >= 2) {
      const at = randomAt();
      const half = Math.floor(minor / 2);
      payments.push({ at, invoiceId, amountMinor: half, kind: 'concurrent-partials' });
      payments.push({ at, invoiceId, amountMinor: minor - half, kind: 'concurrent-partials' });
    } else {
      payments.push({ at: randomAt(), invoiceId, kind: 'full' });
    }
  }
  return payments;
}

// ---------------------------------------------------------------------------------------------------------------
// Faults, by virtual time window.

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
const FAULTS = {
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

interface ProviderSend {
  readonly channel: 'email' | 'sms' | 'escalate';
  readonly messageId: string;
  /** Global order: when the provider call started. */
  readonly seq: number;
  readonly at: string;
}

const ledger = {
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

let system: LocalSystem;
let faultsOn = true;
let planned: PlannedInvoice[] = [];
let payments: PlannedPayment[] = [];
const paymentAnswers: { payment: PlannedPayment; status: number; body: unknown }[] = [];
const apiAnswers: { statusCode: number; body: unknown }[] = [];

/** `SEND#<invoice>#<stage>#<channel>` → the key `<invoice>#<stage>#<channel>`, under the message that covered it. */
function cover(messageId: string, sendPk: string): void {
  const keys = ledger.coverage.get(messageId) ?? new Set<string>();
  keys.add(sendPk.slice('SEND#'.length));
  ledger.coverage.set(messageId, keys);
}

type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
type Middleware = (next: Next, context: { commandName?: string }) => Next;

async function installFaults(): Promise<void> {
  const clients = await import('../../functions/platform/clients');
  const now = () => system.clock.now();
  // The middleware stack's types are generic over every command's input and output: these see them all.
  const add = (client: { middlewareStack: { add(mw: never, options: object): void } }, name: string, mw: Middleware) =>
    client.middlewareStack.add(mw as never, { step: 'initialize', name, priority: 'high' });
  /** On the document client: before its marshalling, so the middleware sees (and answers) plain JS values. */
  const addToDocumentClient = (name: string, mw: Middleware) =>
    clients.dynamo.middlewareStack.addRelativeTo(mw as never, {
      name,
      relation: 'before',
      toMiddleware: 'DocumentMarshall',
    });

  add(clients.ses, 'faultsSes', (next, context) => async (args) => {
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

  add(clients.sns, 'faultsSns', (next, context) => async (args) => {
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

  addToDocumentClient('faultsDynamo', (next, context) => async (args) => {
    const input = args.input as {
      Key?: { pk?: string };
      Item?: { pk?: string };
      UpdateExpression?: string;
      ExpressionAttributeValues?: Record<string, unknown>;
    };
    const values = input.ExpressionAttributeValues ?? {};
    const pk = input.Key?.pk ?? input.Item?.pk ?? '';
    const update = context.commandName === 'UpdateItemCommand'; // the document client's inner command
    if (update && pk.startsWith('SEND#') && values[':sent'] === 'SENT') {
      // completeSend: the provider took the message. Remember whose it is, then maybe crash before recording it.
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
    const item = input.Item as { state?: string; messageId?: string; consolidatedInto?: string } | undefined;
    if (pk.startsWith('SEND#') && item?.state === 'SENT' && item.consolidatedInto) cover(String(item.messageId), pk);
    const slotWrite = update && (input.UpdateExpression ?? '').includes('recentContacts = :contacts');
    if (faultsOn && slotWrite && faultRandom() < FAULTS.slotConflict) {
      ledger.injected.slotConflict++;
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed (injected)',
        $metadata: { httpStatusCode: 400 },
      });
    }
    try {
      const result = await next(args);
      // the lifecycle write that made the invoice PAID (a later overpayment writes PAID again: not a commit)
      const paidId = pk.slice('INVOICE#'.length);
      const paid = update && pk.startsWith('INVOICE#') && values[':status'] === 'PAID' && values[':version'];
      if (paid && !ledger.paidCommit.has(paidId)) {
        ledger.paidCommit.set(paidId, { seq: ++ledger.seq, at: now().toISOString() });
      }
      return result;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        if (slotWrite) ledger.observed.slotRacesLost++;
        else if (update && values[':version'] !== undefined) ledger.observed.paymentRaces++;
        else if (pk.startsWith('SEND#')) ledger.observed.claimConflicts++;
      }
      throw error;
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Driving the run.

type Step =
  | { readonly at: Date; readonly kind: 'api'; readonly invoices: readonly PlannedInvoice[] }
  | { readonly at: Date; readonly kind: 's3'; readonly key: string; readonly size: number; readonly mode: string }
  | {
      readonly at: Date;
      readonly kind: 'both';
      readonly invoices: readonly PlannedInvoice[];
      readonly key: string;
      readonly size: number;
    };

function csvOf(invoices: readonly PlannedInvoice[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const { record } of invoices) lines.push(CSV_COLUMNS.map((c) => record[c] ?? '').join(','));
  return `${lines.join('\n')}\n`;
}

async function uploadDrop(name: string, invoices: readonly PlannedInvoice[]): Promise<{ key: string; size: number }> {
  const { s3 } = await import('../../functions/platform/clients');
  const body = Buffer.from(csvOf(invoices));
  const key = `incoming/${name}`;
  await s3.send(new PutObjectCommand({ Bucket: system.resources.bucket, Key: key, Body: body }));
  return { key, size: body.length };
}

/** One S3 ObjectCreated delivery to the ingest handler (as Lambda's S3 trigger makes it). */
async function deliver(key: string, size: number): Promise<void> {
  ledger.observed.s3Deliveries++;
  try {
    await system.invoke('ingest-file', objectCreatedEvent(system.resources.bucket, key, size));
  } catch (error) {
    ledger.observed.ingestErrors.push(`${key}: ${(error as Error).name}: ${(error as Error).message}`);
  }
  system.kickStarts();
}

async function registerByApi(invoices: readonly PlannedInvoice[]): Promise<void> {
  for (let i = 0; i < invoices.length; i += 500) {
    const answer = await system.api(
      'POST',
      '/invoices',
      invoices.slice(i, i + 500).map((p) => p.record),
    );
    apiAnswers.push(answer);
  }
}

async function planSteps(invoices: readonly PlannedInvoice[]): Promise<Step[]> {
  const steps: Step[] = [];
  const groups = new Map<string, PlannedInvoice[]>();
  for (const p of invoices) {
    const key = `${p.registerAt.toISOString()}|${p.path}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  let file = 0;
  for (const [key, group] of [...groups].sort()) {
    const [iso = '', path] = key.split('|');
    const at = new Date(iso);
    if (path === 'api') {
      steps.push({ at, kind: 'api', invoices: group });
    } else if (path === 's3') {
      const { key: s3Key, size } = await uploadDrop(`drop-${++file}.csv`, group);
      const mode = pick(['concurrent', 'sequential', 'later'] as const);
      steps.push({ at, kind: 's3', key: s3Key, size, mode });
      if (mode === 'later') steps.push({ at: new Date(at.getTime() + 2 * HOUR), kind: 's3', key: s3Key, size, mode });
    } else {
      const { key: s3Key, size } = await uploadDrop(`both-${++file}.csv`, group);
      steps.push({ at, kind: 'both', invoices: group, key: s3Key, size });
    }
  }
  return steps.sort((a, b) => a.at.getTime() - b.at.getTime());
}

async function runStep(step: Step): Promise<void> {
  switch (step.kind) {
    case 'api':
      await registerByApi(step.invoices);
      return;
    case 's3':
      if (step.mode === 'concurrent') await Promise.all([deliver(step.key, step.size), deliver(step.key, step.size)]);
      else if (step.mode === 'sequential') {
        await deliver(step.key, step.size);
        await deliver(step.key, step.size);
      } else await deliver(step.key, step.size);
      return;
    case 'both':
      // the same invoices through both doors at the same moment
      await Promise.all([registerByApi(step.invoices), deliver(step.key, step.size)]);
      return;
  }
}

function schedulePayments(): void {
  for (const payment of payments) {
    // A clock timer: the payment runs at its instant together with whatever else is due then (e.g. the sends).
    system.clock.setTimer(payment.at, () => {
      const body = payment.amountMinor === undefined ? {} : { amount: (payment.amountMinor / 100).toFixed(2) };
      void system.api('POST', `/invoices/${payment.invoiceId}/payments`, body).then(
        (answer) => paymentAnswers.push({ payment, status: answer.statusCode, body: answer.body }),
        (error: unknown) => paymentAnswers.push({ payment, status: 0, body: String(error) }),
      );
    });
  }
}

/** What Lambda's SQS trigger does: poll the start queue again, every two virtual hours. */
function scheduleStartQueuePolls(): void {
  const poll = (at: Date) =>
    system.clock.setTimer(at, () => {
      system.kickStarts();
      const next = new Date(at.getTime() + 2 * HOUR);
      if (next.getTime() <= UNTIL.getTime()) poll(next);
    });
  poll(new Date(T0.getTime() + 2 * HOUR));
}

/** Starts that failed come back to the queue after its visibility timeout (real seconds): poll until none is left. */
async function drainFailedStarts(): Promise<number> {
  let rounds = 0;
  while (system.runtime.listExecutions().length < planned.length && rounds < 12) {
    rounds++;
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    system.kickStarts();
    await system.whenIdle();
  }
  return rounds;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the outcome.

interface Outcome {
  readonly invoices: Map<string, Invoice & { taskToken?: string; currentStage?: string }>;
  /** The contact log's `sent` and `escalated` lines, with the provider's message id. */
  readonly delivered: ContactLogEntry[];
  readonly timeline: TimelineEvent[];
  readonly mailbox: { messageId: string }[];
  readonly smsOutbox: { messageId: string }[];
  readonly escalations: { messageId: string }[];
  readonly failureNotices: number;
}

let outcome: Outcome;

async function readOutcome(): Promise<Outcome> {
  const { dynamo } = await import('../../functions/platform/clients');
  const invoices = new Map<string, Invoice & { taskToken?: string; currentStage?: string }>();
  const delivered: ContactLogEntry[] = [];
  for (const p of planned) {
    const id = p.registration.invoiceId;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: system.resources.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `INVOICE#${id}` },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.itemType === 'invoice') invoices.set(id, item as Invoice);
        if (item.itemType === 'contact' && (item.outcome === 'sent' || item.outcome === 'escalated')) {
          delivered.push(item as ContactLogEntry);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  const timeline = await system.timeline(planned.map((p) => p.registration.invoiceId));
  const topic = system.aws.topicMessages(system.resources.topicArn);
  const kinds = topic.map((m) => (JSON.parse(m.message) as { kind?: string }).kind);
  return {
    invoices,
    delivered,
    timeline,
    mailbox: await system.aws.mailbox(),
    smsOutbox: system.aws.smsOutbox(),
    escalations: topic.filter((_, i) => kinds[i] === 'escalation'),
    failureNotices: kinds.filter((k) => k === 'failure').length,
  };
}

/** Every provider message once per invoice·stage·channel it was for (a consolidated message is for several). */
function coveredSends(): (ProviderSend & { invoiceId: string; stageId: string; key: string })[] {
  return ledger.sends.flatMap((s) =>
    [...(ledger.coverage.get(s.messageId) ?? [])].map((key) => {
      const [invoiceId = '', stageId = ''] = key.split('#');
      return { ...s, invoiceId, stageId, key };
    }),
  );
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const counts: Record<string, number | string> = {};

/** The handlers' JSON log lines (e.g. "start failed, will retry" under throttling), counted instead of printed. */
const productLogs = new Map<string, number>();
const consoleLog = console.log;
const consoleError = console.error;
function captureProductLogs(): void {
  const capture =
    (print: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      const line = args[0];
      if (typeof line === 'string' && line.startsWith('{"level"')) {
        const { level, message } = JSON.parse(line) as { level: string; message: string };
        productLogs.set(`${level} ${message}`, (productLogs.get(`${level} ${message}`) ?? 0) + 1);
      } else print(...args);
    };
  console.log = capture(consoleLog);
  console.error = capture(consoleError);
}

beforeAll(async () => {
  // Prepare
  captureProductLogs();
  system = await LocalSystem.start({ config, start: T0, recordStateData: false, dynamodb: 'in-process' });
  await installFaults();
  planned = planPortfolio(INVOICE_COUNT);
  payments = planPayments(planned);
  const steps = await planSteps(planned);
  schedulePayments();
  scheduleStartQueuePolls();

  // Act
  const began = performance.now();
  for (const step of steps) {
    await system.advanceTo(step.at);
    await runStep(step);
  }
  await system.advanceTo(UNTIL);
  faultsOn = false;
  const drainRounds = await drainFailedStarts();
  await system.whenIdle();
  counts.drainRounds = drainRounds;
  counts.runSeconds = ((performance.now() - began) / 1000).toFixed(1);
  outcome = await readOutcome();
}, 600_000);

afterAll(async () => {
  console.log = consoleLog;
  console.error = consoleError;
  counts.productLogs = JSON.stringify(Object.fromEntries(productLogs));
  console.log(`fault injection (seed ${SEED}, ${INVOICE_COUNT} invoices):\n${JSON.stringify(counts, null, 2)}`);
  await system?.stop();
});

describe('under injected faults, nothing is lost, nothing goes out twice, nothing goes out after payment', () => {
  it('registers every invoice exactly once, whichever door and however often it came in', () => {
    const missing = planned.filter((p) => !outcome.invoices.has(p.registration.invoiceId));
    const names = new Set(system.runtime.listExecutions().map((e) => e.name));
    const withoutWalk = planned.filter((p) => !names.has(executionNameFor(p.registration.invoiceId)));
    const registeredEvents = countBy(
      outcome.timeline.filter((e) => e.event === 'registered'),
      (e) => e.invoiceId,
    );
    counts.invoices = planned.length;
    counts.customers = new Set(planned.map((p) => p.registration.customer.customerId)).size;
    counts.registeredViaBoth = planned.filter((p) => p.path === 'both').length;
    counts.s3Deliveries = ledger.observed.s3Deliveries;
    counts.ingestErrors = ledger.observed.ingestErrors.length;
    counts.lostRegistrations = missing.length + withoutWalk.length;
    counts.duplicateRegistrationsAnswered = apiAnswers.reduce(
      (n, a) => n + ((a.body as { duplicates?: unknown[] } | null)?.duplicates?.length ?? 0),
      0,
    );
    counts.executions = names.size;

    expect(missing.map((p) => p.registration.invoiceId)).toEqual([]);
    expect(withoutWalk.map((p) => p.registration.invoiceId)).toEqual([]);
    expect(names.size).toBe(planned.length);
    expect([...registeredEvents.values()].every((n) => n === 1)).toBe(true);
    expect(ledger.observed.ingestErrors).toEqual([]);
    expect(apiAnswers.every((a) => a.statusCode === 202)).toBe(true);
  });

  it('ends every walk in a terminal state, or leaves it correctly waiting for a later stage', () => {
    const byStatus: Record<string, number> = {};
    const wrong: string[] = [];
    for (const p of planned) {
      const id = p.registration.invoiceId;
      const arn = system.runtime.executionArnOf(executionNameFor(id));
      const execution = system.runtime.describeExecution(arn);
      const last = system.runtime
        .history(arn)
        .filter((e) => e.type === 'StateEntered')
        .at(-1)?.stateName;
      const invoice = outcome.invoices.get(id);
      const label = `${execution.status}:${last}`;
      byStatus[label] = (byStatus[label] ?? 0) + 1;
      if (execution.status === 'SUCCEEDED') {
        const ends: string[] = [STATE.paid, STATE.completed, STATE.stopped];
        if (!last || !ends.includes(last)) wrong.push(`${id}: succeeded in ${last}`);
        if (last === STATE.paid && invoice?.status !== 'PAID')
          wrong.push(`${id}: ended paid but is ${invoice?.status}`);
      } else if (execution.status === 'RUNNING') {
        const stageId = last?.endsWith(' · wait or payment') ? last.split(' · ')[0] : undefined;
        const stageIndex = rule.stages.findIndex((s) => s.id === stageId);
        if (stageId === undefined || stageIndex < 0 || !invoice) {
          wrong.push(`${id}: running in ${last}`);
          continue;
        }
        const deferredUntil = outcome.timeline
          .filter((e) => e.invoiceId === id && e.stage === stageId && e.event === 'deferred')
          .map((e) => e.until ?? '')
          .sort()
          .at(-1);
        const due = stageInstant(p.registration, stageIndex).toISOString();
        const wakesAt = deferredUntil && deferredUntil > due ? deferredUntil : due;
        if (!isContactable(invoice.status)) wrong.push(`${id}: waits but is ${invoice.status}`);
        if (invoice.currentStage !== stageId)
          wrong.push(`${id}: waits for ${stageId}, invoice at ${invoice.currentStage}`);
        if (!invoice.taskToken) wrong.push(`${id}: waits without a stored task token`);
        if (wakesAt <= UNTIL.toISOString()) wrong.push(`${id}: waits for ${stageId}, due ${wakesAt}, already past`);
      } else {
        const lastError = (invoice as { lastError?: string } | undefined)?.lastError ?? '';
        wrong.push(`${id}: ${execution.status} ${execution.error ?? ''}: ${lastError}`.slice(0, 400));
      }
    }
    for (const [label, n] of Object.entries(byStatus)) counts[`walks ${label}`] = n;
    counts.walksInAWrongState = wrong.length;
    counts.failureNotices = outcome.failureNotices;

    expect(wrong).toEqual([]);
    expect(outcome.failureNotices).toBe(0);
  });

  it('sends each invoice·stage·channel at most once: provider outboxes, the ledger and the contact log agree', () => {
    const sends = coveredSends();
    const messagesPerKey = new Map<string, Set<string>>();
    for (const s of sends) messagesPerKey.set(s.key, (messagesPerKey.get(s.key) ?? new Set()).add(s.messageId));
    const duplicates = [...messagesPerKey].filter(([, ids]) => ids.size > 1).map(([key, ids]) => `${key} ${[...ids]}`);
    const keyOf = (c: ContactLogEntry) => `${c.invoiceId}#${c.stageId}#${c.channel}`;
    const loggedPerKey = countBy(outcome.delivered, keyOf);
    const loggedDuplicates = [...loggedPerKey].filter(([, n]) => n > 1);
    const providerIds = new Set(ledger.sends.map((s) => s.messageId));
    const mailboxIds = new Set(outcome.mailbox.map((m) => m.messageId));
    const smsIds = new Set(outcome.smsOutbox.map((m) => m.messageId));
    const unattributed = ledger.sends.filter((s) => !ledger.coverage.has(s.messageId));
    const unrecorded = [...messagesPerKey.keys()].filter((key) => !loggedPerKey.has(key));
    const neverSent = outcome.delivered.filter((c) => !providerIds.has(String(c.messageId)));
    counts.emails = outcome.mailbox.length;
    counts.sms = outcome.smsOutbox.length;
    counts.escalations = outcome.escalations.length;
    counts.invoiceStageChannelsReached = messagesPerKey.size;
    counts.listedInAnotherInvoicesMessage = outcome.delivered.filter((c) =>
      c.reason?.startsWith('consolidated'),
    ).length;
    counts.duplicateMessages = duplicates.length + loggedDuplicates.length;
    counts.sentButUnrecorded = unrecorded.length;

    // every message the providers hold is one the ledger saw, and the other way round
    expect(ledger.sends.filter((s) => s.channel === 'email').length).toBe(outcome.mailbox.length);
    expect(ledger.sends.filter((s) => s.channel === 'sms').length).toBe(outcome.smsOutbox.length);
    expect(ledger.sends.filter((s) => s.channel === 'escalate').length).toBe(outcome.escalations.length);
    expect(ledger.sends.filter((s) => s.channel === 'email' && !mailboxIds.has(s.messageId))).toEqual([]);
    expect(ledger.sends.filter((s) => s.channel === 'sms' && !smsIds.has(s.messageId))).toEqual([]);
    expect(unattributed).toEqual([]);
    // no invoice·stage·channel reached twice, by its own message or listed in another invoice's
    expect(duplicates).toEqual([]);
    expect(loggedDuplicates).toEqual([]);
    // the contact log holds every message with the provider's id, and only messages that went out
    expect(unrecorded).toEqual([]);
    expect(neverSent.map(keyOf)).toEqual([]);
  });

  it("sends nothing after a payment's commit, and concurrent payments lose no update", () => {
    const sends = coveredSends();
    const afterCommit = sends.filter((s) => {
      const paid = ledger.paidCommit.get(s.invoiceId);
      return paid !== undefined && (s.seq > paid.seq || s.at > paid.at);
    });
    const wrongBalances: string[] = [];
    const answersOf = new Map<string, typeof paymentAnswers>();
    for (const a of paymentAnswers)
      answersOf.set(a.payment.invoiceId, [...(answersOf.get(a.payment.invoiceId) ?? []), a]);
    for (const [invoiceId, answers] of answersOf) {
      const invoice = outcome.invoices.get(invoiceId);
      const accepted = answers.filter((a) => a.status === 200);
      const fullAccepted = accepted.filter((a) => a.payment.amountMinor === undefined).length;
      const partials = accepted.reduce((sum, a) => sum + (a.payment.amountMinor ?? 0), 0);
      // A full payment pays what is left; partial ones lower the balance by their amount (never below 0, the rest
      // kept as credit): none of them lost to a concurrent one.
      const amount = invoice?.amount.minor ?? 0;
      const expected = fullAccepted > 0 ? 0 : Math.max(0, amount - partials);
      if (fullAccepted > 1) wrongBalances.push(`${invoiceId}: ${fullAccepted} full payments accepted`);
      if (invoice?.balanceMinor !== expected) {
        wrongBalances.push(`${invoiceId}: balance ${invoice?.balanceMinor}, expected ${expected}`);
      }
      const credit = (invoice as { creditMinor?: number } | undefined)?.creditMinor ?? 0;
      if (fullAccepted === 0 && credit !== Math.max(0, partials - amount)) {
        wrongBalances.push(`${invoiceId}: credit ${credit}, expected ${Math.max(0, partials - amount)}`);
      }
      if ((invoice?.balanceMinor ?? 1) <= 0 !== (invoice?.status === 'PAID')) {
        wrongBalances.push(`${invoiceId}: balance ${invoice?.balanceMinor} but ${invoice?.status}`);
      }
      for (const a of answers) {
        if (a.status !== 200 && a.status !== 409) wrongBalances.push(`${invoiceId}: payment answered ${a.status}`);
      }
    }
    counts.payments = paymentAnswers.length;
    counts.paymentsAccepted = paymentAnswers.filter((a) => a.status === 200).length;
    counts.paymentsRefusedNotOpen = paymentAnswers.filter((a) => a.status === 409).length;
    counts.paymentsRacingASend = payments.filter((p) => p.kind === 'race').length;
    counts.paidInvoices = [...outcome.invoices.values()].filter((i) => i.status === 'PAID').length;
    counts.messagesAfterPaymentCommit = afterCommit.length;

    expect(paymentAnswers.length).toBe(payments.length);
    expect(afterCommit.map((s) => `${s.key} #${s.seq} ${s.at}`)).toEqual([]);
    expect(wrongBalances).toEqual([]);
  });

  it('keeps the hours, holidays and caps: the independent timeline check finds no violation', () => {
    // Messages that went out but that the contact log does not hold would escape the check: add them.
    const logged = new Set(outcome.delivered.map((c) => `${c.invoiceId}#${c.stageId}#${c.channel}`));
    const customerOf = new Map(planned.map((p) => [p.registration.invoiceId, p.registration.customer.customerId]));
    const extra: TimelineEvent[] = coveredSends()
      .filter((s) => s.channel !== 'escalate' && !logged.has(s.key))
      .map((s) => ({
        at: s.at,
        invoiceId: s.invoiceId,
        customerId: customerOf.get(s.invoiceId) ?? '',
        stage: s.stageId,
        channel: s.channel,
        event: 'sent' as const,
      }));
    const violations: Violation[] = checkTimeline({
      rule,
      invoices: planned.map((p) => p.registration),
      timeline: [...outcome.timeline, ...extra],
    });
    counts.timelineViolations = violations.length;
    counts.deferrals = outcome.timeline.filter((e) => e.event === 'deferred').length;

    expect(violations.map((v) => `${v.kind} ${v.event.invoiceId} ${v.event.stage} ${v.detail}`)).toEqual([]);
  });

  it('really injected every kind of fault, and the races really happened', () => {
    Object.assign(counts, ledger.injected, {
      slotRacesLost: ledger.observed.slotRacesLost,
      paymentVersionRaces: ledger.observed.paymentRaces,
      sendClaimConflicts: ledger.observed.claimConflicts,
    });

    for (const [kind, n] of Object.entries(ledger.injected)) expect(n, kind).toBeGreaterThan(0);
    expect(ledger.observed.slotRacesLost).toBeGreaterThan(0);
    expect(ledger.observed.paymentRaces).toBeGreaterThan(0);
    expect(payments.filter((p) => p.kind === 'race').length).toBeGreaterThan(10);
  });
});

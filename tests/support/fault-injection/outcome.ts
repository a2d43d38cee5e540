import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ContactLogEntry } from '../../../functions/contact/contact-log';
import { executionNameFor } from '../../../functions/invoices/execution-name';
import { type Invoice, isContactable } from '../../../functions/invoices/invoice';
import type { TimelineEvent } from '../../../local/simulator/timeline';
import type { LocalSystem } from '../../../local/system/system';
import { STATE } from '../../../state-machines/state-names';
import type { FaultRun } from './drive';
import { ledger, type ProviderSend } from './faults';
import { type PlannedInvoice, rule, stageInstant, UNTIL } from './plan';

/**
 * Reading the outcome of the fault-injection run (tests/e2e/fault-injection.test.ts): the invoices and contact log
 * as the table holds them, the timeline, the providers' outboxes; and what the checks make of them.
 */

export interface Outcome {
  readonly invoices: Map<string, Invoice & { taskToken?: string; currentStage?: string }>;
  /** The contact log's `sent` and `escalated` lines, with the provider's message id. */
  readonly delivered: ContactLogEntry[];
  readonly timeline: TimelineEvent[];
  readonly mailbox: { messageId: string }[];
  readonly smsOutbox: { messageId: string }[];
  readonly escalations: { messageId: string }[];
  readonly failureNotices: number;
}

export async function readOutcome(system: LocalSystem, planned: readonly PlannedInvoice[]): Promise<Outcome> {
  const { dynamo } = await import('../../../functions/platform/clients');
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
export function coveredSends(): (ProviderSend & { invoiceId: string; stageId: string; key: string })[] {
  return ledger.sends.flatMap((s) =>
    [...(ledger.coverage.get(s.messageId) ?? [])].map((key) => {
      const [invoiceId = '', stageId = ''] = key.split('#');
      return { ...s, invoiceId, stageId, key };
    }),
  );
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Where each walk stands (`<execution status>:<last state>` → count), and what is wrong about any of them. */
export function walkStates(system: LocalSystem, planned: readonly PlannedInvoice[], outcome: Outcome) {
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
      wrong.push(...succeededWrongly(id, last, invoice));
    } else if (execution.status === 'RUNNING') {
      wrong.push(...waitsWrongly(p, last, invoice, outcome));
    } else {
      const lastError = (invoice as { lastError?: string } | undefined)?.lastError ?? '';
      wrong.push(`${id}: ${execution.status} ${execution.error ?? ''}: ${lastError}`.slice(0, 400));
    }
  }
  return { byStatus, wrong };
}

type StoredInvoice = Invoice & { taskToken?: string; currentStage?: string };

/** A walk that succeeded must have ended paid (the invoice PAID), completed or stopped. */
function succeededWrongly(id: string, last: string | undefined, invoice: StoredInvoice | undefined): string[] {
  const wrong: string[] = [];
  const ends: string[] = [STATE.paid, STATE.completed, STATE.stopped];
  if (!last || !ends.includes(last)) wrong.push(`${id}: succeeded in ${last}`);
  if (last === STATE.paid && invoice?.status !== 'PAID') wrong.push(`${id}: ended paid but is ${invoice?.status}`);
  return wrong;
}

/**
 * A walk still running must wait for a stage of the rule that is due (or deferred) after the run's end, with the
 * invoice contactable, at that stage and holding the task token.
 */
function waitsWrongly(
  p: PlannedInvoice,
  last: string | undefined,
  invoice: StoredInvoice | undefined,
  outcome: Outcome,
): string[] {
  const id = p.registration.invoiceId;
  const stageId = last?.endsWith(' · wait or payment') ? last.split(' · ')[0] : undefined;
  const stageIndex = rule.stages.findIndex((s) => s.id === stageId);
  if (stageId === undefined || stageIndex < 0 || !invoice) return [`${id}: running in ${last}`];
  const wrong: string[] = [];
  const deferredUntil = outcome.timeline
    .filter((e) => e.invoiceId === id && e.stage === stageId && e.event === 'deferred')
    .map((e) => e.until ?? '')
    .sort()
    .at(-1);
  const due = stageInstant(p.registration, stageIndex).toISOString();
  const wakesAt = deferredUntil && deferredUntil > due ? deferredUntil : due;
  if (!isContactable(invoice.status)) wrong.push(`${id}: waits but is ${invoice.status}`);
  if (invoice.currentStage !== stageId) wrong.push(`${id}: waits for ${stageId}, invoice at ${invoice.currentStage}`);
  if (!invoice.taskToken) wrong.push(`${id}: waits without a stored task token`);
  if (wakesAt <= UNTIL.toISOString()) wrong.push(`${id}: waits for ${stageId}, due ${wakesAt}, already past`);
  return wrong;
}

/**
 * What is wrong with the balances after the payments: a full payment pays what is left; partial ones lower the
 * balance by their amount (never below 0, the rest kept as credit): none of them lost to a concurrent one.
 */
export function balanceProblems(run: FaultRun, outcome: Outcome): string[] {
  const wrongBalances: string[] = [];
  const answersOf = new Map<string, FaultRun['paymentAnswers']>();
  for (const a of run.paymentAnswers)
    answersOf.set(a.payment.invoiceId, [...(answersOf.get(a.payment.invoiceId) ?? []), a]);
  for (const [invoiceId, answers] of answersOf) {
    wrongBalances.push(...invoiceBalanceProblems(invoiceId, answers, outcome.invoices.get(invoiceId)));
  }
  return wrongBalances;
}

function invoiceBalanceProblems(
  invoiceId: string,
  answers: FaultRun['paymentAnswers'],
  invoice: StoredInvoice | undefined,
): string[] {
  const wrongBalances: string[] = [];
  const accepted = answers.filter((a) => a.status === 200);
  const fullAccepted = accepted.filter((a) => a.payment.amountMinor === undefined).length;
  const partials = accepted.reduce((sum, a) => sum + (a.payment.amountMinor ?? 0), 0);
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
  return wrongBalances;
}

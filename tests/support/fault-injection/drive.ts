import { PutObjectCommand } from '@aws-sdk/client-s3';
import { objectCreatedEvent } from '../../../local/system/event-sources';
import type { LocalSystem } from '../../../local/system/system';
import { ledger } from './faults';
import { CSV_COLUMNS, HOUR, type PlannedInvoice, type PlannedPayment, pick, T0, UNTIL } from './plan';

/**
 * Driving the fault-injection run (tests/e2e/fault-injection.test.ts): the registrations through the API and S3 drops
 * (each S3 event delivered twice, some invoices by both doors at once), the payments at their instants, the start
 * queue polled as Lambda's SQS trigger would.
 */

/** A run: the system, its plan, and the answers it collects. */
export interface FaultRun {
  readonly system: LocalSystem;
  readonly planned: readonly PlannedInvoice[];
  readonly payments: readonly PlannedPayment[];
  /** The API's answers to the registrations (POST /invoices). */
  readonly apiAnswers: { statusCode: number; body: unknown }[];
  /** The API's answer to each planned payment (status 0: the call failed). */
  readonly paymentAnswers: { payment: PlannedPayment; status: number; body: unknown }[];
}

export type Step =
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

async function uploadDrop(
  system: LocalSystem,
  name: string,
  invoices: readonly PlannedInvoice[],
): Promise<{ key: string; size: number }> {
  const { s3 } = await import('../../../functions/platform/clients');
  const body = Buffer.from(csvOf(invoices));
  const key = `incoming/${name}`;
  await s3.send(new PutObjectCommand({ Bucket: system.resources.bucket, Key: key, Body: body }));
  return { key, size: body.length };
}

/** One S3 ObjectCreated delivery to the ingest handler (as Lambda's S3 trigger makes it). */
async function deliver(system: LocalSystem, key: string, size: number): Promise<void> {
  ledger.observed.s3Deliveries++;
  try {
    await system.invoke('ingest-file', objectCreatedEvent(system.resources.bucket, key, size));
  } catch (error) {
    ledger.observed.ingestErrors.push(`${key}: ${(error as Error).name}: ${(error as Error).message}`);
  }
  system.kickStarts();
}

async function registerByApi(run: FaultRun, invoices: readonly PlannedInvoice[]): Promise<void> {
  for (let i = 0; i < invoices.length; i += 500) {
    const answer = await run.system.api(
      'POST',
      '/invoices',
      invoices.slice(i, i + 500).map((p) => p.record),
    );
    run.apiAnswers.push(answer);
  }
}

export async function planSteps(system: LocalSystem, invoices: readonly PlannedInvoice[]): Promise<Step[]> {
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
      const { key: s3Key, size } = await uploadDrop(system, `drop-${++file}.csv`, group);
      const mode = pick(['concurrent', 'sequential', 'later'] as const);
      steps.push({ at, kind: 's3', key: s3Key, size, mode });
      if (mode === 'later') steps.push({ at: new Date(at.getTime() + 2 * HOUR), kind: 's3', key: s3Key, size, mode });
    } else {
      const { key: s3Key, size } = await uploadDrop(system, `both-${++file}.csv`, group);
      steps.push({ at, kind: 'both', invoices: group, key: s3Key, size });
    }
  }
  return steps.sort((a, b) => a.at.getTime() - b.at.getTime());
}

export async function runStep(run: FaultRun, step: Step): Promise<void> {
  switch (step.kind) {
    case 'api':
      await registerByApi(run, step.invoices);
      return;
    case 's3':
      if (step.mode === 'concurrent')
        await Promise.all([deliver(run.system, step.key, step.size), deliver(run.system, step.key, step.size)]);
      else if (step.mode === 'sequential') {
        await deliver(run.system, step.key, step.size);
        await deliver(run.system, step.key, step.size);
      } else await deliver(run.system, step.key, step.size);
      return;
    case 'both':
      // the same invoices through both doors at the same moment
      await Promise.all([registerByApi(run, step.invoices), deliver(run.system, step.key, step.size)]);
      return;
  }
}

export function schedulePayments(run: FaultRun): void {
  for (const payment of run.payments) {
    // A clock timer: the payment runs at its instant together with whatever else is due then (e.g. the sends).
    run.system.clock.setTimer(payment.at, () => {
      const body = payment.amountMinor === undefined ? {} : { amount: (payment.amountMinor / 100).toFixed(2) };
      void run.system.api('POST', `/invoices/${payment.invoiceId}/payments`, body).then(
        (answer) => run.paymentAnswers.push({ payment, status: answer.statusCode, body: answer.body }),
        (error: unknown) => run.paymentAnswers.push({ payment, status: 0, body: String(error) }),
      );
    });
  }
}

/** What Lambda's SQS trigger does: poll the start queue again, every two virtual hours. */
export function scheduleStartQueuePolls(system: LocalSystem): void {
  const poll = (at: Date) =>
    system.clock.setTimer(at, () => {
      system.kickStarts();
      const next = new Date(at.getTime() + 2 * HOUR);
      if (next.getTime() <= UNTIL.getTime()) poll(next);
    });
  poll(new Date(T0.getTime() + 2 * HOUR));
}

/** Starts that failed come back to the queue after its visibility timeout (real seconds): poll until none is left. */
export async function drainFailedStarts(run: FaultRun): Promise<number> {
  let rounds = 0;
  while (run.system.runtime.listExecutions().length < run.planned.length && rounds < 12) {
    rounds++;
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    run.system.kickStarts();
    await run.system.whenIdle();
  }
  return rounds;
}

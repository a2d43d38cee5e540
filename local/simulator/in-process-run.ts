import { DynamoAuditLog } from '../../functions/stores/dynamodb';
import type { DunningConfig } from '../../lib/config';
import { FaultPlane, type FaultProfile, installFaultPlane } from '../emulators/fault-plane';
import { synthesizeWorkflowCached } from '../system/synth-cache';
import { type ApiAnswer, LocalSystem } from '../system/system';
import { installClientFaults } from './client-faults';
import type { PlaneCounts, RunResult } from './outbox';
import { startProgress } from './progress';
import type { PortfolioInvoice, SimulationEvent } from './simulation-input';
import type { SimulationIo, SimulationOptions } from './simulation-options';

/**
 * A simulation in this process: one local system in memory for the whole portfolio, each invoice registered
 * through the API at its instant, each event applied through the API at its instant, the clock played one
 * execution at a time so the same input gives the same timeline every time.
 */

export interface InProcessRun {
  readonly config: DunningConfig;
  readonly options: SimulationOptions;
  readonly start: Date;
  readonly until: Date | undefined;
  /**
   * The fault plane's profile (`--faults`; an empty one for `--outbox` alone, which only records), the shard index
   * that seeds it, and whether faults are injected at all.
   */
  readonly faults?: { readonly profile: FaultProfile; readonly shard: number; readonly inject: boolean };
}

/** The simulation in this process: one local system for the whole portfolio. */
export async function simulateHere(
  portfolio: readonly PortfolioInvoice[],
  events: readonly SimulationEvent[],
  context: InProcessRun,
  io: SimulationIo,
): Promise<RunResult> {
  const { options, start, until, faults } = context;
  let clock: { now(): Date } | undefined;
  const plane = faults ? new FaultPlane(faults.profile, faults.shard, () => clock?.now() ?? start) : undefined;
  // The emulators and the handler host the local system starts find the plane here (one system per process).
  installFaultPlane(plane);
  let system: LocalSystem;
  try {
    system = await LocalSystem.start({
      config: context.config,
      start,
      recordStateData: false,
      dynamodb: options.dynamodb ?? 'in-process',
      // with faults, walks fail as they would on AWS, and the reconciler restarts them within the hour as it would
      reconciler: faults?.inject === true,
    });
  } catch (error) {
    installFaultPlane(undefined);
    throw error;
  }
  clock = system.clock;
  if (plane && faults) {
    plane.setWorkflowHandlers(await workflowHandlers(context.config));
    if (faults.inject) await installClientFaults(plane);
  }
  const progress = startProgress(system, portfolio.length, io, options);
  try {
    // Invoices the run itself registers (the instalments of an agreement) are on the timeline too.
    const registeredOnTheWay: string[] = [];
    for (const step of agenda(portfolio, events, start)) {
      if (until && step.at.getTime() > until.getTime()) break;
      await system.advanceTo(step.at, { oneAtATime: true });
      if (step.kind === 'register') await register(system, step.invoices, io);
      else registeredOnTheWay.push(...(await applyEvent(system, step.event, options.events ?? '', io)));
    }
    // One execution at a time at each instant, in name order: the same input gives the same timeline every time.
    await system.runFast({ ...(until ? { until } : {}), oneAtATime: true });
    progress.stop();
    const ids = [...portfolio.map((p) => p.registration.invoiceId), ...new Set(registeredOnTheWay)];
    const timeline = (await system.timeline(ids)).filter((e) => !until || e.at <= until.toISOString());
    if (!plane) return { timeline };
    const counts: PlaneCounts = {
      injected: Object.fromEntries(plane.injected),
      refused: Object.fromEntries(plane.refused),
      restarted: await restartedWalks(system, ids),
    };
    const outbox = until ? plane.outbox.filter((e) => e.at <= until.toISOString()) : plane.outbox;
    return { timeline, plane: { outbox, counts } };
  } finally {
    progress.stop();
    await system.stop();
    installFaultPlane(undefined);
  }
}

/**
 * The handlers the workflow's tasks run (what Step Functions invokes): the `lambda:` faults and the concurrency
 * limit are Step Functions' view of Lambda; the API's and the event sources' Lambdas are not faulted.
 */
export async function workflowHandlers(config: DunningConfig): Promise<string[]> {
  const synthesized = await synthesizeWorkflowCached(config);
  const definition = JSON.stringify(synthesized.definition);
  return [...synthesized.handlerByArn].filter(([arn]) => definition.includes(arn)).map(([, handler]) => handler);
}

/** Audit events of type `walk-restarted` (a walk started again by the reconciler) of the given invoices. */
async function restartedWalks(system: LocalSystem, invoiceIds: readonly string[]): Promise<number> {
  const clients = await import('../../functions/platform/clients');
  const audit = new DynamoAuditLog(clients.dynamo, system.resources.tableName);
  let restarted = 0;
  for (const id of invoiceIds) {
    // compared as a string: the event type is another engineer's, not in InvoiceEvent's union yet
    restarted += (await audit.invoiceHistory(id)).events.filter((e) => (e.type as string) === 'walk-restarted').length;
  }
  return restarted;
}

type AgendaStep =
  | { readonly at: Date; readonly kind: 'register'; readonly invoices: readonly PortfolioInvoice[] }
  | { readonly at: Date; readonly kind: 'event'; readonly event: SimulationEvent };

/** Registrations (grouped by instant; without registeredAt = at the start) and events, in time order. */
function agenda(portfolio: readonly PortfolioInvoice[], events: readonly SimulationEvent[], start: Date): AgendaStep[] {
  const groups = new Map<number, PortfolioInvoice[]>();
  for (const p of portfolio) {
    const at = Math.max(start.getTime(), p.registration.registeredAt ? Date.parse(p.registration.registeredAt) : 0);
    groups.set(at, [...(groups.get(at) ?? []), p]);
  }
  const steps: AgendaStep[] = [
    ...[...groups].map(([at, invoices]): AgendaStep => ({ at: new Date(at), kind: 'register', invoices })),
    ...events.map((event): AgendaStep => ({ at: new Date(event.at), kind: 'event', event })),
  ];
  // Stable: at one instant, registrations first, then the events in file order.
  return steps.sort(
    (a, b) => a.at.getTime() - b.at.getTime() || (a.kind === b.kind ? 0 : a.kind === 'register' ? -1 : 1),
  );
}

/** Times a registration the API answered as failed ("submit it again") is submitted again, as a client would. */
const REGISTRATION_ATTEMPTS = 5;

/**
 * Registers through `POST /invoices` in batches of 500 (the API's limit), the raw records as given. Invoices the API
 * lists as failed (stored but not queued, or not stored: an infrastructure error) are submitted again, as the answer
 * asks, up to {@link REGISTRATION_ATTEMPTS} times.
 */
async function register(system: LocalSystem, invoices: readonly PortfolioInvoice[], io: SimulationIo): Promise<void> {
  for (let i = 0; i < invoices.length; i += 500) {
    let batch = invoices.slice(i, i + 500);
    for (let attempt = 1; batch.length > 0; attempt++) {
      const answer = await system.api(
        'POST',
        '/invoices',
        batch.map((p) => p.record),
      );
      const body = answer.body as { rejected?: unknown[]; failed?: { invoiceId: string; error: string }[] };
      const failed = new Set((body.failed ?? []).map((f) => f.invoiceId));
      const refused = (body.rejected?.length ?? 0) > 0 || (answer.statusCode >= 400 && answer.statusCode !== 503);
      if (refused || (failed.size > 0 && attempt === REGISTRATION_ATTEMPTS)) {
        io.err(
          `warning: registering ${batch.length} invoice(s) answered ${answer.statusCode}: ${JSON.stringify(body)}\n`,
        );
        break;
      }
      batch = batch.filter((p) => failed.has(p.registration.invoiceId));
    }
  }
}

/** Applies one `--events` line through the API; returns the ids of the invoices it registered (an agreement's). */
async function applyEvent(
  system: LocalSystem,
  event: SimulationEvent,
  file: string,
  io: SimulationIo,
): Promise<string[]> {
  let answer: ApiAnswer;
  switch (event.type) {
    case 'payment':
      answer = await system.api(
        'POST',
        `/invoices/${encodeURIComponent(event.invoiceId)}/payments`,
        event.amount === undefined ? {} : { amount: event.amount },
      );
      break;
    case 'optout':
      answer = await system.api('POST', `/customers/${encodeURIComponent(event.customerId)}/opt-outs`, {
        channel: event.channel,
      });
      break;
    case 'pause':
    case 'resume':
    case 'dispute':
    case 'resolve':
    case 'write-off':
      // The API requires an operator's reason; an event line may leave it out.
      answer = await system.api('POST', `/invoices/${encodeURIComponent(event.invoiceId)}/${event.type}`, {
        reason: event.reason ?? `simulated ${event.type} (${file}:${event.line})`,
      });
      break;
    case 'escalate':
      answer = await system.api('POST', `/invoices/${encodeURIComponent(event.invoiceId)}/escalate`, {
        reason: event.reason ?? `simulated escalation (${file}:${event.line})`,
        ...(event.to === undefined ? {} : { to: event.to }),
      });
      break;
    case 'promise':
      answer = await system.api('POST', `/invoices/${encodeURIComponent(event.invoiceId)}/promises`, {
        date: event.date,
        ...(event.amount === undefined ? {} : { amount: event.amount }),
      });
      break;
    case 'agreement':
      answer = await system.api('POST', `/invoices/${encodeURIComponent(event.invoiceId)}/agreements`, {
        instalments: event.instalments,
      });
      break;
  }
  if (answer.statusCode >= 300) {
    const error =
      (answer.body as { error?: { message?: string } } | null)?.error?.message ?? JSON.stringify(answer.body);
    io.err(`warning: ${file}:${event.line}: the ${event.type} was not applied (${answer.statusCode}): ${error}\n`);
    return [];
  }
  const registered = (answer.body as { registered?: unknown } | null)?.registered;
  return Array.isArray(registered) ? registered.filter((id): id is string => typeof id === 'string') : [];
}

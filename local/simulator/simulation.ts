import { availableParallelism } from 'node:os';
import type { BillingRule } from '../../functions/rules/billing-rule';
import { debtorTimezone } from '../../functions/rules/schedule';
import {
  type DunningConfig,
  InvalidDunningConfig,
  loadDunningConfig,
  resolveConfigPath,
  withRuleSet,
} from '../../lib/config';
import type { FaultProfile } from '../emulators/fault-plane';
import { lambdaHandlersNamed, readFaultProfile } from './fault-profile';
import { simulateHere, workflowHandlers } from './in-process-run';
import { type FaultReport, faultReport, type RunResult, restoreEmailTags, writeOutbox } from './outbox';
import { startWorkersProgress } from './progress';
import { FAULTS_PREFIX, planShards, runShards, type WorkerProgress } from './shards';
import {
  formatProblem,
  type InputProblem,
  type PortfolioInvoice,
  readEvents,
  readInstantFlag,
  readPortfolio,
  readRuleSet,
  type SimulationEvent,
} from './simulation-input';
import type { SimulationIo, SimulationOptions } from './simulation-options';
import type { TimelineEvent } from './timeline';

export type { SimulationIo, SimulationOptions };

/**
 * The simulation engine behind `dunning simulate` (cli/simulate.ts): reads and checks the input (every problem at
 * once), picks the start instant and the number of worker processes, and runs the portfolio in this process
 * (in-process-run.ts) or spread over workers by customer (shards.ts). Returns the timeline; the command prints it.
 */

/** What a simulation produced: the timeline, and what a summary or a table of it needs. */
export interface SimulationRun {
  readonly timeline: TimelineEvent[];
  /** How many invoices the portfolio held. */
  readonly invoices: number;
  readonly start: Date;
  readonly until: Date | undefined;
  readonly workers: number;
  /** With `--faults` or `--outbox` (not in a worker, which reports to its parent): the counts of the summary. */
  readonly faultReport?: FaultReport;
  /** The debtor's zone of each invoice on the timeline (an agreement's instalments in their customer's zone). */
  debtorZones(): (invoiceId: string) => string;
}

/** Below this many invoices per worker, a second process costs more (its start) than it saves. */
const INVOICES_PER_WORKER = 250;

/** A simulation's input problems: nothing ran. */
export class InvalidSimulationInput extends Error {
  override readonly name = 'InvalidSimulationInput';
  constructor(readonly problems: readonly InputProblem[]) {
    super(
      `Invalid input (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
    );
  }
}

/**
 * Validates the input (throws {@link InvalidSimulationInput} listing every problem), starts the local system in
 * memory at the start instant, registers each invoice through the API at its `registeredAt` (or the start),
 * applies the events at their instants and plays the clock as fast as it runs until every walk has ended (or
 * `until`).
 */
export async function runSimulation(options: SimulationOptions, io: SimulationIo): Promise<SimulationRun> {
  const problems: InputProblem[] = [];
  const ruleSet = readRuleSet(options.rule, problems);
  const portfolio = await readPortfolio(options.invoices, problems);
  const events = options.events === undefined ? [] : readEvents(options.events, portfolio, problems);
  const fromFlag = readInstantFlag('from', options.from, problems);
  const until = readInstantFlag('until', options.until, problems);
  const profile = options.faults === undefined ? undefined : readFaultProfile(options.faults, problems);
  let config: DunningConfig | undefined;
  try {
    config = loadDunningConfig(resolveConfigPath(options.config));
  } catch (error) {
    if (!(error instanceof InvalidDunningConfig)) throw error;
    problems.push({ file: error.file, line: 0, field: '(config)', issue: error.message });
  }
  if (portfolio.length === 0 && !problems.some((p) => p.file === options.invoices)) {
    problems.push({ file: options.invoices, line: 0, field: '(file)', issue: 'holds no invoice' });
  }
  if (problems.length > 0 || !ruleSet || !config) throw new InvalidSimulationInput(problems);
  const withRules = withRuleSet(config, ruleSet);
  const { rule } = withRules;
  if (profile) await checkLambdaFaults(profile, options.faults as string, withRules);

  const start = fromFlag ?? defaultStart(portfolio);
  if (until && until.getTime() < start.getTime()) {
    throw new InvalidSimulationInput([
      { file: '--until', line: 0, field: 'until', issue: `is before the start ${start.toISOString()}` },
    ]);
  }
  const workers = Math.max(
    1,
    Math.min(options.workers ?? availableParallelism(), Math.floor(portfolio.length / INVOICES_PER_WORKER) || 1),
  );
  const faults = planeOf(profile, options);
  const result: RunResult =
    workers > 1
      ? await simulateInWorkers(portfolio, events, { options, start, until, workers }, io)
      : await simulateHere(
          portfolio,
          events,
          { config: withRules, options, start, until, ...(faults ? { faults } : {}) },
          io,
        );
  const { timeline } = result;
  const stageIds = ruleSet.rules.flatMap((r) => r.stages.map((s) => s.id));
  const report = faults ? reportFaults(result, faults.profile.seed, stageIds, options, io) : undefined;
  return {
    timeline,
    ...(report ? { faultReport: report } : {}),
    invoices: portfolio.length,
    start,
    until,
    workers,
    debtorZones: () => {
      const zones = new Map(portfolio.map((p) => [p.registration.invoiceId, zoneOf(rule, p)]));
      // an agreement's instalments are the customer's, in the customer's zone
      const customerZones = new Map(portfolio.map((p) => [p.registration.customer.customerId, zoneOf(rule, p)]));
      for (const e of timeline)
        if (!zones.has(e.invoiceId)) zones.set(e.invoiceId, customerZones.get(e.customerId) ?? rule.timezone);
      return (id) => zones.get(id) ?? rule.timezone;
    },
  };
}

/** The simulation spread over worker processes by customer (see planShards), progress summed up. */
async function simulateInWorkers(
  portfolio: readonly PortfolioInvoice[],
  events: readonly SimulationEvent[],
  context: {
    readonly options: SimulationOptions;
    readonly start: Date;
    readonly until: Date | undefined;
    readonly workers: number;
  },
  io: SimulationIo,
): Promise<RunResult> {
  const { options, start, until } = context;
  const shards = planShards(portfolio, events, context.workers);
  const latest = new Map<number, WorkerProgress>();
  const progress = startWorkersProgress(latest, portfolio.length, shards.length, io, options);
  try {
    return await runShards(
      shards,
      {
        rule: options.rule,
        dynamodb: options.dynamodb ?? 'in-process',
        from: start,
        ...(until ? { until } : {}),
        ...(options.config ? { config: options.config } : {}),
        ...(options.faults ? { faults: options.faults } : {}),
        outbox: options.faults !== undefined || options.outbox !== undefined,
      },
      { onProgress: (worker, progress) => latest.set(worker, progress), onStderr: (text) => io.err(text) },
    );
  } finally {
    progress.stop();
  }
}

/** The fault plane of the run: `--faults`' profile, or one that only records for `--outbox` alone; else none. */
function planeOf(
  profile: FaultProfile | undefined,
  options: SimulationOptions,
): { profile: FaultProfile; shard: number; inject: boolean } | undefined {
  if (!profile && options.outbox === undefined) return undefined;
  return { profile: profile ?? { seed: 0, quotas: {}, faults: [] }, shard: options.shard ?? 0, inject: !!profile };
}

/**
 * Writes the outbox; a worker then reports its counts to its parent (`@@faults {json}` on stderr), the others
 * count the summary.
 */
function reportFaults(
  result: RunResult,
  seed: number,
  stageIds: readonly string[],
  options: SimulationOptions,
  io: SimulationIo,
): FaultReport | undefined {
  if (!result.plane) return undefined;
  const invoiceIds = new Set(result.timeline.map((e) => e.invoiceId));
  const outbox = restoreEmailTags(result.plane.outbox, invoiceIds, stageIds);
  if (options.outbox !== undefined) writeOutbox(options.outbox, outbox);
  if (options.shard !== undefined) {
    io.err(`${FAULTS_PREFIX}${JSON.stringify(result.plane.counts)}\n`);
    return undefined;
  }
  return faultReport(seed, outbox, result.timeline, result.plane.counts);
}

/**
 * `lambda:<handler>` faults must name a handler the workflow invokes: they are what Step Functions sees of Lambda
 * (an API or event-source Lambda failing is not modelled).
 */
async function checkLambdaFaults(profile: FaultProfile, file: string, config: DunningConfig): Promise<void> {
  const named = lambdaHandlersNamed(profile);
  if (named.length === 0) return;
  const tasks = new Set(await workflowHandlers(config));
  const problems = profile.faults.flatMap((f, index): InputProblem[] => {
    const handler = f.call.slice('lambda:'.length);
    if (!f.call.startsWith('lambda:') || handler === '*' || tasks.has(handler)) return [];
    const issue = `${handler} is not a task of the workflow (Step Functions invokes ${[...tasks].sort().join(', ')})`;
    return [{ file, line: 0, field: `faults[${index}].call`, issue }];
  });
  if (problems.length > 0) throw new InvalidSimulationInput(problems);
}

/** Start = the earliest registeredAt, else 00:00 UTC thirty days before the earliest due date (docs/formats.md). */
export function defaultStart(portfolio: readonly PortfolioInvoice[]): Date {
  const registered = portfolio.flatMap((p) => (p.registration.registeredAt ? [p.registration.registeredAt] : []));
  if (registered.length > 0) return new Date(Math.min(...registered.map((r) => Date.parse(r))));
  const earliestDue = portfolio.map((p) => p.registration.dueDate).sort()[0] as string;
  return new Date(Date.parse(`${earliestDue}T00:00:00Z`) - 30 * 86_400_000);
}

function zoneOf(rule: BillingRule, p: PortfolioInvoice): string {
  return debtorTimezone(rule, p.registration.customer);
}

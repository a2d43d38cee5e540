import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { BillingRule } from '../../functions/rules/billing-rule';
import { debtorTimezone } from '../../functions/rules/schedule';
import {
  type DunningConfig,
  InvalidDunningConfig,
  loadDunningConfig,
  resolveConfigPath,
  withRuleSet,
} from '../../lib/config';
import { type ApiAnswer, LocalSystem } from '../system/system';
import { PROGRESS_PREFIX, planShards, runShards, type WorkerProgress } from './shards';
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
import type { TimelineEvent } from './timeline';
import { timelineJson, timelineTable } from './timeline-format';

export const SIMULATE_USAGE = `Usage: dunning simulate --rule <rule.json> --invoices <file.csv|.json|.jsonl>
                        [--events <file.jsonl>] [--from <ISO instant>] [--until <ISO instant>]
                        [--format json|table] [--config <dunning.config.json>]

Runs the real workflow (the synthesized state machine, the real handlers, local emulators) over a portfolio on a
virtual clock and prints the dunning timeline: one JSON object per line (--format json, the default), or a table.

  --rule      the billing rule (docs/formats.md format)
  --invoices  the portfolio; every row must be valid
  --events    JSON Lines: {"at","type":"payment","invoiceId","amount"?} | optout {"customerId","channel"} |
              dispute / resolve / pause / resume / write-off / escalate {"invoiceId","reason"?} |
              promise {"invoiceId","date","amount"?} | agreement {"invoiceId","instalments":[{"dueDate","amount"}]}
  --from      virtual start (default: the earliest registeredAt, else 00:00 UTC 30 days before the earliest due date)
  --until     stop there (default: when every walk has ended)
  --format    json (default) or table
  --config    company identity and sender for the messages (default: dunning.config.json; its rule is replaced)
  --workers   processes to spread the customers over (default: one per CPU core for large portfolios)
  --dynamodb  in-process (default: dynalite's engine, no HTTP round trip) or http (dynalite's server, as npm start)

Exit status: 0 done, 2 invalid input (every problem listed by file, line and field), 1 unexpected error.`;

/** Where the simulator writes: the timeline to `out`, progress and problems to `err`. */
export interface SimulationIo {
  out(text: string): void;
  err(text: string): void;
}

export interface SimulationOptions {
  readonly rule: string;
  readonly invoices: string;
  readonly events?: string;
  readonly from?: string;
  readonly until?: string;
  readonly format?: 'json' | 'table';
  readonly config?: string;
  /** Seconds between progress lines on `err` (0 = none). @default 2 */
  readonly progressSeconds?: number;
  /** Progress as readable lines, or as `@@progress {json}` lines for a parent process. @default 'text' */
  readonly progress?: 'text' | 'json';
  /**
   * Worker processes to spread the customers over (each runs its own local system on one core).
   * @default one per CPU core, at most one per 250 invoices
   */
  readonly workers?: number;
  /** How DynamoDB is reached (see LocalSystemOptions.dynamodb). @default 'in-process' */
  readonly dynamodb?: 'http' | 'in-process';
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

/** Counts of what the simulation produced, for the closing summary. */
export interface SimulationSummary {
  readonly invoices: number;
  readonly events: Readonly<Record<string, number>>;
  readonly stillRunning: number;
  readonly from: string;
  readonly to: string;
  readonly seconds: number;
  readonly workers: number;
}

/**
 * `dunning simulate`: validates the input (throws {@link InvalidSimulationInput} listing every problem), starts the
 * local system in memory at the start instant, registers each invoice through the API at its `registeredAt` (or
 * the start), applies the events at their instants, plays the clock as fast as it runs until every walk has ended
 * (or `--until`), and writes the timeline.
 */
export async function simulate(options: SimulationOptions, io: SimulationIo): Promise<SimulationSummary> {
  const began = performance.now();
  const problems: InputProblem[] = [];
  const ruleSet = readRuleSet(options.rule, problems);
  const portfolio = await readPortfolio(options.invoices, problems);
  const events = options.events === undefined ? [] : readEvents(options.events, portfolio, problems);
  const fromFlag = readInstantFlag('from', options.from, problems);
  const until = readInstantFlag('until', options.until, problems);
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
  const timeline =
    workers > 1
      ? await simulateInWorkers(portfolio, events, { options, start, until, workers }, io)
      : await simulateHere(portfolio, events, { config: withRules, options, start, until }, io);
  if (options.format === 'table') {
    const zones = new Map(portfolio.map((p) => [p.registration.invoiceId, zoneOf(rule, p)]));
    // an agreement's instalments are the customer's, in the customer's zone
    const customerZones = new Map(portfolio.map((p) => [p.registration.customer.customerId, zoneOf(rule, p)]));
    for (const e of timeline)
      if (!zones.has(e.invoiceId)) zones.set(e.invoiceId, customerZones.get(e.customerId) ?? rule.timezone);
    io.out(`${timelineTable(timeline, (id) => zones.get(id) ?? rule.timezone)}\n`);
  } else {
    io.out(timeline.map((e) => `${timelineJson(e)}\n`).join(''));
  }
  const counts: Record<string, number> = {};
  const last = new Map<string, string>();
  for (const e of timeline) {
    counts[e.event] = (counts[e.event] ?? 0) + 1;
    last.set(e.invoiceId, e.event);
  }
  return {
    invoices: portfolio.length,
    events: counts,
    stillRunning: [...last.values()].filter((e) => !ENDINGS.has(e)).length,
    from: start.toISOString(),
    to: until?.toISOString() ?? timeline.at(-1)?.at ?? start.toISOString(),
    seconds: (performance.now() - began) / 1000,
    workers,
  };
}

/** Timeline events after which an invoice's walk is over. */
const ENDINGS = new Set(['completed', 'paid', 'failed', 'written-off', 'renegotiated']);

interface RunContext {
  readonly options: SimulationOptions;
  readonly start: Date;
  readonly until: Date | undefined;
}

/** The simulation in this process: one local system for the whole portfolio. */
async function simulateHere(
  portfolio: readonly PortfolioInvoice[],
  events: readonly SimulationEvent[],
  context: RunContext & { readonly config: DunningConfig },
  io: SimulationIo,
): Promise<TimelineEvent[]> {
  const { options, start, until } = context;
  const system = await LocalSystem.start({
    config: context.config,
    start,
    recordStateData: false,
    dynamodb: options.dynamodb ?? 'in-process',
  });
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
    return (await system.timeline(ids)).filter((e) => !until || e.at <= until.toISOString());
  } finally {
    progress.stop();
    await system.stop();
  }
}

/** The simulation spread over worker processes by customer (see planShards), progress summed up. */
async function simulateInWorkers(
  portfolio: readonly PortfolioInvoice[],
  events: readonly SimulationEvent[],
  context: RunContext & { readonly workers: number },
  io: SimulationIo,
): Promise<TimelineEvent[]> {
  const { options, start, until } = context;
  const shards = planShards(portfolio, events, context.workers);
  const latest = new Map<number, WorkerProgress>();
  const began = performance.now();
  const seconds = options.progressSeconds ?? 2;
  const timer =
    seconds > 0
      ? setInterval(() => {
          const all = [...latest.values()];
          if (all.length === 0) return;
          const virtual = all.map((p) => p.virtual).sort()[0] ?? '';
          const registered = all.reduce((n, p) => n + p.registered, 0);
          const ended = all.reduce((n, p) => n + p.ended, 0);
          reportProgress(io, options, { virtual, registered, ended }, portfolio.length, began, shards.length);
        }, seconds * 1000)
      : undefined;
  timer?.unref();
  try {
    return await runShards(
      shards,
      {
        rule: options.rule,
        dynamodb: options.dynamodb ?? 'in-process',
        from: start,
        ...(until ? { until } : {}),
        ...(options.config ? { config: options.config } : {}),
      },
      { onProgress: (worker, progress) => latest.set(worker, progress), onStderr: (text) => io.err(text) },
    );
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** Start = the earliest registeredAt, else 00:00 UTC thirty days before the earliest due date (docs/formats.md). */
export function defaultStart(portfolio: readonly PortfolioInvoice[]): Date {
  const registered = portfolio.flatMap((p) => (p.registration.registeredAt ? [p.registration.registeredAt] : []));
  if (registered.length > 0) return new Date(Math.min(...registered.map((r) => Date.parse(r))));
  const earliestDue = portfolio.map((p) => p.registration.dueDate).sort()[0] as string;
  return new Date(Date.parse(`${earliestDue}T00:00:00Z`) - 30 * 86_400_000);
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

/** Registers through `POST /invoices` in batches of 500 (the API's limit), the raw records as given. */
async function register(system: LocalSystem, invoices: readonly PortfolioInvoice[], io: SimulationIo): Promise<void> {
  for (let i = 0; i < invoices.length; i += 500) {
    const batch = invoices.slice(i, i + 500);
    const answer = await system.api(
      'POST',
      '/invoices',
      batch.map((p) => p.record),
    );
    const body = answer.body as { rejected?: unknown[]; failed?: { invoiceId: string; error: string }[] };
    if (answer.statusCode !== 202 || (body.rejected?.length ?? 0) > 0 || (body.failed?.length ?? 0) > 0) {
      io.err(
        `warning: registering ${batch.length} invoice(s) answered ${answer.statusCode}: ${JSON.stringify(body)}\n`,
      );
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

function zoneOf(rule: BillingRule, p: PortfolioInvoice): string {
  return debtorTimezone(rule, p.registration.customer);
}

/** Progress on stderr every `progressSeconds` (the first after that long, so short runs print none). */
function startProgress(
  system: LocalSystem,
  total: number,
  io: SimulationIo,
  options: SimulationOptions,
): { stop(): void } {
  const seconds = options.progressSeconds ?? 2;
  if (seconds <= 0) return { stop: () => {} };
  const began = performance.now();
  const timer = setInterval(() => {
    const registered = system.runtime.listExecutions().length;
    const progress = {
      virtual: system.clock.now().toISOString(),
      registered,
      ended: registered - system.runtime.running,
    };
    reportProgress(io, options, progress, total, began, 1);
  }, seconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function reportProgress(
  io: SimulationIo,
  options: SimulationOptions,
  progress: WorkerProgress,
  total: number,
  began: number,
  workers: number,
): void {
  if (options.progress === 'json') {
    io.err(`${PROGRESS_PREFIX}${JSON.stringify(progress)}\n`);
    return;
  }
  const elapsed = Math.round((performance.now() - began) / 1000);
  io.err(
    `[simulate] virtual ${progress.virtual.slice(0, 16)}Z · ${progress.registered}/${total} registered · ` +
      `${progress.ended}/${total} walks ended · ${elapsed}s${workers > 1 ? ` · ${workers} workers` : ''}\n`,
  );
}

/** The `dunning simulate` command line: parses the flags, runs, prints the summary; returns the exit status. */
export async function simulateCommand(argv: readonly string[], io: SimulationIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        rule: { type: 'string' },
        invoices: { type: 'string' },
        events: { type: 'string' },
        from: { type: 'string' },
        until: { type: 'string' },
        format: { type: 'string', default: 'json' },
        config: { type: 'string' },
        workers: { type: 'string' },
        dynamodb: { type: 'string', default: 'in-process' },
        progress: { type: 'string', default: 'text' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${SIMULATE_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${SIMULATE_USAGE}\n`);
    return 0;
  }
  const missing = (['rule', 'invoices'] as const).filter((flag) => typeof values[flag] !== 'string');
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  const why = [
    ...missing.map((flag) => `--${flag} is required`),
    ...(values.format !== 'json' && values.format !== 'table'
      ? [`--format must be json or table, got ${String(values.format)}`]
      : []),
    ...(workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)
      ? [`--workers must be a whole number from 1 to 64, got ${String(values.workers)}`]
      : []),
    ...(values.progress !== 'text' && values.progress !== 'json' ? ['--progress must be text or json'] : []),
    ...(values.dynamodb !== 'in-process' && values.dynamodb !== 'http'
      ? [`--dynamodb must be in-process or http, got ${String(values.dynamodb)}`]
      : []),
  ];
  if (why.length > 0) {
    io.err(`${why.join('\n')}\n\n${SIMULATE_USAGE}\n`);
    return 2;
  }
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  try {
    const summary = await simulate(
      {
        rule: str('rule') as string,
        invoices: str('invoices') as string,
        ...(str('events') ? { events: str('events') as string } : {}),
        ...(str('from') ? { from: str('from') as string } : {}),
        ...(str('until') ? { until: str('until') as string } : {}),
        ...(str('config') ? { config: str('config') as string } : {}),
        ...(workers !== undefined ? { workers } : {}),
        format: values.format === 'table' ? 'table' : 'json',
        progress: values.progress === 'json' ? 'json' : 'text',
        dynamodb: values.dynamodb === 'http' ? 'http' : 'in-process',
      },
      io,
    );
    const counts = Object.entries(summary.events)
      .map(([event, n]) => `${n} ${event}`)
      .join(', ');
    io.err(
      `Simulated ${summary.invoices} invoice(s) from ${summary.from} to ${summary.to} (virtual) in ` +
        `${summary.seconds.toFixed(1)} s${summary.workers > 1 ? ` (${summary.workers} workers)` : ''}: ${counts}` +
        (summary.stillRunning > 0 ? `; ${summary.stillRunning} walk(s) still running at --until` : '') +
        '\n',
    );
    return 0;
  } catch (error) {
    if (error instanceof InvalidSimulationInput) {
      io.err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

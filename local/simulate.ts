import { parseArgs } from 'node:util';
import type { BillingRule } from '../functions/domain/billing-rule';
import { debtorTimezone } from '../functions/domain/schedule';
import { type DunningConfig, InvalidDunningConfig, loadDunningConfig, resolveConfigPath } from '../lib/config';
import {
  formatProblem,
  type InputProblem,
  type PortfolioInvoice,
  readEvents,
  readInstantFlag,
  readPortfolio,
  readRule,
  type SimulationEvent,
} from './simulation-input';
import { type ApiAnswer, LocalSystem } from './system';
import type { TimelineEvent } from './timeline';
import { timelineJson, timelineTable } from './timeline-format';

export const SIMULATE_USAGE = `Usage: dunning simulate --rule <rule.json> --invoices <file.csv|.json|.jsonl>
                        [--events <file.jsonl>] [--from <ISO instant>] [--until <ISO instant>]
                        [--format json|table] [--config <dunning.config.json>]

Runs the real workflow (the synthesized state machine, the real handlers, local emulators) over a portfolio on a
virtual clock and prints the dunning timeline: one JSON object per line (--format json, the default), or a table.

  --rule      the billing rule (DESIGN §8 format)
  --invoices  the portfolio; every row must be valid
  --events    JSON Lines: {"at","type":"payment","invoiceId","amount"?} | optout {"customerId","channel"} |
              dispute / resolve / pause / resume {"invoiceId"}
  --from      virtual start (default: the earliest registeredAt, else 00:00 UTC 30 days before the earliest due date)
  --until     stop there (default: when every walk has ended)
  --format    json (default) or table
  --config    company identity and sender for the messages (default: dunning.config.json; its rule is replaced)

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
}

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
  const rule = readRule(options.rule, problems);
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
  for (const event of events) {
    if (event.type !== 'payment' && event.type !== 'optout') {
      problems.push({
        file: options.events ?? '',
        line: event.line,
        field: 'type',
        issue: `"${event.type}" events need the pause/dispute workflow paths, which this version does not have yet`,
      });
    }
  }
  if (problems.length > 0 || !rule || !config) throw new InvalidSimulationInput(problems);

  const start = fromFlag ?? defaultStart(portfolio);
  if (until && until.getTime() < start.getTime()) {
    throw new InvalidSimulationInput([
      { file: '--until', line: 0, field: 'until', issue: `is before the start ${start.toISOString()}` },
    ]);
  }
  const system = await LocalSystem.start({ config: { ...config, rule }, start, recordStateData: false });
  const progress = startProgress(system, portfolio.length, io, options.progressSeconds ?? 2);
  let timeline: TimelineEvent[];
  try {
    for (const step of agenda(portfolio, events, start)) {
      if (until && step.at.getTime() > until.getTime()) break;
      await system.advanceTo(step.at);
      if (step.kind === 'register') await register(system, step.invoices, io);
      else await applyEvent(system, step.event, options.events ?? '', io);
    }
    await system.runFast(until ? { until } : {});
    progress.stop();
    const ids = portfolio.map((p) => p.registration.invoiceId);
    timeline = (await system.timeline(ids)).filter((e) => !until || e.at <= until.toISOString());
  } finally {
    progress.stop();
    await system.stop();
  }

  if (options.format === 'table') {
    const zones = new Map(portfolio.map((p) => [p.registration.invoiceId, zoneOf(rule, p)]));
    io.out(`${timelineTable(timeline, (id) => zones.get(id) ?? rule.timezone)}\n`);
  } else {
    io.out(timeline.map((e) => `${timelineJson(e)}\n`).join(''));
  }
  const counts: Record<string, number> = {};
  for (const e of timeline) counts[e.event] = (counts[e.event] ?? 0) + 1;
  return {
    invoices: portfolio.length,
    events: counts,
    stillRunning: system.runtime.running,
    from: start.toISOString(),
    to: system.clock.now().toISOString(),
    seconds: (performance.now() - began) / 1000,
  };
}

/** Start = the earliest registeredAt, else 00:00 UTC thirty days before the earliest due date (DESIGN §8). */
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

async function applyEvent(system: LocalSystem, event: SimulationEvent, file: string, io: SimulationIo): Promise<void> {
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
    default:
      throw new Error(`${file}:${event.line}: "${event.type}" events are not supported yet`);
  }
  if (answer.statusCode >= 300) {
    const error =
      (answer.body as { error?: { message?: string } } | null)?.error?.message ?? JSON.stringify(answer.body);
    io.err(`warning: ${file}:${event.line}: the ${event.type} was not applied (${answer.statusCode}): ${error}\n`);
  }
}

function zoneOf(rule: BillingRule, p: PortfolioInvoice): string {
  return debtorTimezone(rule, p.registration.customer);
}

/** Progress lines on stderr every `seconds` (the first after `seconds`, so short runs print none). */
function startProgress(system: LocalSystem, total: number, io: SimulationIo, seconds: number): { stop(): void } {
  if (seconds <= 0) return { stop: () => {} };
  const began = performance.now();
  const timer = setInterval(() => {
    const executions = system.runtime.listExecutions().length;
    const ended = executions - system.runtime.running;
    const elapsed = Math.round((performance.now() - began) / 1000);
    io.err(
      `[simulate] virtual ${system.clock.now().toISOString().slice(0, 16)}Z · ${executions}/${total} registered · ` +
        `${ended}/${total} walks ended · ${elapsed}s\n`,
    );
  }, seconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
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
  if (missing.length > 0 || (values.format !== 'json' && values.format !== 'table')) {
    const why = [
      ...missing.map((flag) => `--${flag} is required`),
      ...(values.format !== 'json' && values.format !== 'table'
        ? [`--format must be json or table, got ${String(values.format)}`]
        : []),
    ];
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
        format: values.format,
      },
      io,
    );
    const counts = Object.entries(summary.events)
      .map(([event, n]) => `${n} ${event}`)
      .join(', ');
    io.err(
      `Simulated ${summary.invoices} invoice(s) from ${summary.from} to ${summary.to} (virtual) in ` +
        `${summary.seconds.toFixed(1)} s: ${counts}` +
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

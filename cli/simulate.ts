import { type FaultReport, faultReportLine } from '../local/simulator/outbox';
import { InvalidSimulationInput, runSimulation, type SimulationOptions } from '../local/simulator/simulation';
import { timelineJson, timelineTable } from '../local/simulator/timeline-format';
import { type CommandIo, type FlagValues, INPUT_FLAGS, readFlags } from './command-line';

/**
 * `dunning simulate`: the command line (usage, flags and their checks, exit status), the timeline printed as JSON
 * Lines or a table, and the closing summary on standard error. The simulation itself is local/simulator/simulation.ts.
 */

export const SIMULATE_USAGE = `Usage: dunning simulate --rule <rule.json> --invoices <file.csv|.json|.jsonl>
                        [--events <file.jsonl>] [--from <ISO instant>] [--until <ISO instant>]
                        [--format json|table] [--config <dunning.config.json>]
                        [--faults <faults.json>] [--outbox <outbox.jsonl>]

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
  --faults    a fault profile: {"seed","quotas":{"email":{"perSecond","perDay"},"sms":{"perSecond"}},
              "lambdaConcurrency","faults":[{"call","kind","rate"}]}; a summary of what it caused goes to stderr
  --outbox    write every message the emulated providers accepted, as JSON Lines
              {"at","channel","messageId","invoiceId","stageId"}

Exit status: 0 done, 2 invalid input (every problem listed by file, line and field), 1 unexpected error.`;

/** Counts of what the simulation produced, for the closing summary. */
export interface SimulationSummary {
  readonly invoices: number;
  readonly events: Readonly<Record<string, number>>;
  readonly stillRunning: number;
  readonly from: string;
  readonly to: string;
  readonly seconds: number;
  readonly workers: number;
  /** With --faults or --outbox. */
  readonly faultReport?: FaultReport;
}

/** Timeline events after which an invoice's walk is over. */
const ENDINGS = new Set(['completed', 'paid', 'failed', 'written-off', 'renegotiated']);

/**
 * Runs the simulation (throws InvalidSimulationInput listing every problem) and writes the timeline to `out`: one
 * JSON object per line (`json`, the default) or a table in the debtors' local times.
 */
export async function simulate(
  options: SimulationOptions & { readonly format?: 'json' | 'table' },
  io: CommandIo,
): Promise<SimulationSummary> {
  const began = performance.now();
  const run = await runSimulation(options, io);
  const { timeline, start, until } = run;
  if (options.format === 'table') {
    io.out(`${timelineTable(timeline, run.debtorZones())}\n`);
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
    invoices: run.invoices,
    events: counts,
    stillRunning: [...last.values()].filter((e) => !ENDINGS.has(e)).length,
    from: start.toISOString(),
    to: until?.toISOString() ?? timeline.at(-1)?.at ?? start.toISOString(),
    seconds: (performance.now() - began) / 1000,
    workers: run.workers,
    ...(run.faultReport ? { faultReport: run.faultReport } : {}),
  };
}

/** The `dunning simulate` command line: parses the flags, runs, prints the summary; returns the exit status. */
export async function simulateCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const values = readFlags(
    argv,
    {
      ...INPUT_FLAGS,
      from: { type: 'string' },
      until: { type: 'string' },
      format: { type: 'string', default: 'json' },
      config: { type: 'string' },
      workers: { type: 'string' },
      dynamodb: { type: 'string', default: 'in-process' },
      progress: { type: 'string', default: 'text' },
      faults: { type: 'string' },
      outbox: { type: 'string' },
      // internal: a worker's shard index, given by the parent process (local/simulator/shards.ts)
      shard: { type: 'string' },
    },
    SIMULATE_USAGE,
    io,
  );
  if (typeof values === 'number') return values;
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  const shard = values.shard === undefined ? undefined : Number(values.shard);
  const why = flagProblems(values, workers);
  if (shard !== undefined && (!Number.isInteger(shard) || shard < 0)) why.push('--shard must be a whole number ≥ 0');
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
        ...(str('faults') ? { faults: str('faults') as string } : {}),
        ...(str('outbox') ? { outbox: str('outbox') as string } : {}),
        ...(shard !== undefined ? { shard } : {}),
        format: values.format === 'table' ? 'table' : 'json',
        progress: values.progress === 'json' ? 'json' : 'text',
        dynamodb: values.dynamodb === 'http' ? 'http' : 'in-process',
      },
      io,
    );
    io.err(summaryLine(summary));
    if (summary.faultReport) io.err(faultReportLine(summary.faultReport));
    return 0;
  } catch (error) {
    if (error instanceof InvalidSimulationInput) {
      io.err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** What is wrong with the flags (nothing: empty). */
function flagProblems(values: FlagValues, workers: number | undefined): string[] {
  const missing = (['rule', 'invoices'] as const).filter((flag) => typeof values[flag] !== 'string');
  return [
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
}

/** The closing line on standard error: how many invoices, the virtual span, the real time, the events counted. */
function summaryLine(summary: SimulationSummary): string {
  const counts = Object.entries(summary.events)
    .map(([event, n]) => `${n} ${event}`)
    .join(', ');
  return (
    `Simulated ${summary.invoices} invoice(s) from ${summary.from} to ${summary.to} (virtual) in ` +
    `${summary.seconds.toFixed(1)} s${summary.workers > 1 ? ` (${summary.workers} workers)` : ''}: ${counts}` +
    (summary.stillRunning > 0 ? `; ${summary.stillRunning} walk(s) still running at --until` : '') +
    '\n'
  );
}

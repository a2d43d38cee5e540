/**
 * `npm start` — the whole dunning system on this machine, no AWS account (docs/architecture.md "Local runtime"): the real stack's synthesized
 * workflow on a virtual clock, the real handlers, the HTTP API, a drop folder, and local emulators for DynamoDB,
 * SES, SNS (SMS and topics), SQS, S3 and Step Functions. Data persists in `.dunning/` unless `--ephemeral`.
 */
import './system/quiet-warnings';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { API_ROUTES } from '../functions/contracts/api-routes';
import { InvalidDunningConfig, loadDunningConfig, resolveConfigPath } from '../lib/config';
import { type TimelineEvent, timelineKey } from './simulator/timeline';
import { localTime } from './simulator/timeline-format';
import { type LocalControl, startHttpApi } from './system/http-api';
import { localControl, type Pace, pacedSpeed } from './system/local-control';
import { LocalSystem } from './system/system';

const HELP = `Usage: npm start -- [options]

Runs the dunning system locally: HTTP API, drop folder, the real workflow on a virtual clock, and emulators for
DynamoDB, SES (with a web mailbox), SNS/SMS, SQS, S3 and Step Functions. Nothing reaches AWS.

Options:
  --config <file>    deployment config naming the billing rule (default: dunning.config.json)
  --data <dir>       where data persists across restarts (default: .dunning)
  --ephemeral        keep everything in memory (the drop folder goes to a temporary directory)
  --speed <n>        virtual seconds per real second while idle (default: 86400 = a day per second; 0 = paused);
                     the clock stands still while nothing waits on it (no invoice yet, every walk ended)
  --start <instant>  virtual instant to start at, ISO-8601 (default: now; a data dir's saved clock wins)
  --port <n>         HTTP API port (default: 3000; 0 = any free port)
  --invoices <file>  drop this file (.csv, .json, .jsonl) into the drop folder at start
  --quiet            do not print the timeline as it happens
  --help             this text`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      data: { type: 'string', default: '.dunning' },
      ephemeral: { type: 'boolean', default: false },
      speed: { type: 'string', default: '86400' },
      start: { type: 'string' },
      port: { type: 'string', default: '3000' },
      invoices: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed < 0) throw new UsageError(`--speed must be a number >= 0, got ${values.speed}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be 0-65535`);
  const start = values.start === undefined ? new Date() : new Date(values.start);
  if (Number.isNaN(start.getTime())) throw new UsageError(`--start must be an ISO-8601 instant, got ${values.start}`);
  const config = loadDunningConfig(resolveConfigPath(values.config));
  const dataDir = values.ephemeral ? undefined : resolve(values.data);
  const dropDir = dataDir === undefined ? mkdtempSync(join(tmpdir(), 'dunning-drop-')) : join(dataDir, 'drop');

  console.log(`Starting the local dunning system (billing rule "${config.rule.id}")…`);
  const pace: Pace = { speed };
  // The API listens first, so its URL can go into the emails' unsubscribe links; it answers 503 until ready.
  let ready: { system: LocalSystem; control: LocalControl } | undefined;
  let api: Awaited<ReturnType<typeof startHttpApi>>;
  try {
    api = await startHttpApi({
      port,
      invoke: (handler, event) => (ready ? ready.system.invokeApi(handler, event) : Promise.resolve(starting())),
      control: (method, url, body) =>
        ready
          ? ready.control(method, url, body)
          : Promise.resolve({ statusCode: 503, body: JSON.parse(starting().body) }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'EADDRINUSE'
      ? new UsageError(`Port ${port} is in use (another npm start?): pass --port <n>, or --port 0 for any free port`)
      : error;
  }
  let system: LocalSystem;
  try {
    system = await LocalSystem.start({ config, dataDir, dropDir, start, publicApiUrl: api.url });
  } catch (error) {
    await api.close();
    throw error;
  }
  ready = { system, control: localControl(system, pace) };

  const feed = values.quiet ? undefined : new TimelineFeed(system);
  if (feed) system.observeInvocations((handler, event) => feed.touch(handler, event));
  system.startBackground({
    onDrop: (name, outcome) => {
      // a failed attempt is logged by the event pumps as one line (attempt n of m, and where the event went)
      if (outcome.error) return;
      const totals = outcome.report?.totals;
      const where = system.drop ? relative(process.cwd(), system.drop.rejected) || '.' : '';
      console.log(
        totals
          ? `✓ ${name}: ${totals.registered} registered, ${totals.duplicates} already known, ${totals.rejected} rejected → ${where}/${name}.errors.json`
          : `✓ ${name}: ingested, every row valid → processed/`,
      );
    },
  });
  const pacing = new AbortController();
  const paced = system.clock.runPaced({
    speed: () => pacedSpeed(pace, system.clock.pendingTimers),
    whenIdle: () => system.whenIdle(),
    signal: pacing.signal,
  });
  const flushing = feed ? setInterval(() => void feed.flush(), 250) : undefined;

  printBanner(system, api.url, pace);
  if (values.invoices !== undefined && system.drop) {
    const source = resolve(values.invoices);
    copyFileSync(source, join(system.drop.incoming, basename(source)));
    console.log(`Dropped ${values.invoices} into the drop folder.`);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      console.log('Forced exit.');
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: stopping (saving the clock and the executions)…`);
    pacing.abort();
    if (flushing) clearInterval(flushing);
    void (async () => {
      await paced.catch(() => undefined);
      await api.close();
      await feed?.flush();
      await system.stop();
      console.log(system.dataDir ? `Stopped. Data kept in ${system.dataDir}` : 'Stopped.');
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function printBanner(system: LocalSystem, apiUrl: string, pace: Pace): void {
  const rel = (path: string) => relative(process.cwd(), path) || '.';
  const routes = API_ROUTES.map((r) => `${r.method} ${r.path}`).join(', ');
  const lines = [
    '',
    `Local dunning system is up — virtual clock at ${system.clock.now().toISOString()}, ${describeSpeed(pace.speed)}`,
    `  HTTP API       ${apiUrl}   (${routes}; no auth locally)`,
    `  Drop folder    ${system.drop ? `${rel(system.drop.incoming)}/   (→ processed/, rejected/<name>.errors.json)` : '-'}`,
    `  Mailbox (SES)  ${system.endpoints.ses}   (web UI)`,
    `  SMS, topics    ${apiUrl}/_local/outbox`,
    `  Executions     ${apiUrl}/_local/executions   (states entered, as the Step Functions console shows them)`,
    `  Clock          ${apiUrl}/_local/clock   (POST {"speed": 3600} or {"advanceBy": "P1D"})`,
    `  Data           ${system.dataDir ? `${rel(system.dataDir)}/ (kept across restarts)` : 'in memory (--ephemeral)'}`,
    '',
    'Try it:',
    `  cp examples/invoices.csv ${system.drop ? rel(system.drop.incoming) : '<drop folder>'}/`,
    `  curl ${apiUrl}/invoices/INV-2026-0001`,
    '',
    'Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

function describeSpeed(speed: number): string {
  if (speed === 0) return 'paused (POST /_local/clock to advance)';
  if (speed === 86_400) return 'one virtual day per second';
  if (speed === 3_600) return 'one virtual hour per second';
  return `${speed}× real time`;
}

/**
 * Prints each invoice's timeline lines as they happen: invoices touched by a handler are re-read after a moment and
 * their new lines printed, in time order.
 */
class TimelineFeed {
  private readonly dirty = new Set<string>();
  private readonly printed = new Set<string>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly system: LocalSystem) {}

  touch(handler: string, event: unknown): void {
    for (const id of invoiceIdsOf(handler, event)) this.dirty.add(id);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.dirty.size === 0) return;
      const ids = [...this.dirty];
      this.dirty.clear();
      const fresh: TimelineEvent[] = [];
      for (const event of await this.system.timeline(ids)) {
        const key = timelineKey(event);
        if (this.printed.has(key)) continue;
        this.printed.add(key);
        fresh.push(event);
      }
      for (const event of fresh) console.log(describe(event, this.system.debtorZone(event.invoiceId)));
    });
    return this.flushing.catch((error: unknown) => console.error(`timeline: ${(error as Error).message}`));
  }
}

function describe(e: TimelineEvent, zone: string): string {
  const what = [e.stage, e.channel, e.event].filter(Boolean).join(' ');
  const why = [e.reason, e.until ? `until ${localTime(e.until, zone)}` : ''].filter(Boolean).join(', ');
  return `${localTime(e.at, zone)}  ${e.invoiceId.padEnd(14)} ${what}${why ? ` (${why})` : ''}`;
}

/** The invoices a handler invocation is about (workflow steps, starts, payments, opt-outs are per invoice). */
function invoiceIdsOf(handler: string, event: unknown): string[] {
  if (typeof event !== 'object' || event === null) return [];
  const record = event as { invoiceId?: unknown; Records?: { body?: string }[]; pathParameters?: { id?: string } };
  if (typeof record.invoiceId === 'string') return [record.invoiceId];
  if (handler === 'start-executions' && Array.isArray(record.Records)) {
    return record.Records.flatMap((r) => {
      try {
        const id = (JSON.parse(r.body ?? '{}') as { invoiceId?: unknown }).invoiceId;
        return typeof id === 'string' ? [id] : [];
      } catch {
        return [];
      }
    });
  }
  if (handler === 'record-payment' && typeof record.pathParameters?.id === 'string') {
    return [decodeURIComponent(record.pathParameters.id)];
  }
  return [];
}

class UsageError extends Error {}

/** What the API answers while the system is still starting. */
function starting(): { statusCode: number; headers: Record<string, string>; body: string } {
  return {
    statusCode: 503,
    headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '2' },
    body: JSON.stringify({
      error: { code: 'Starting', message: 'The local system is starting: try again', details: [] },
    }),
  };
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof InvalidDunningConfig) {
    console.error(error.message);
    if (error instanceof UsageError) console.error('\nRun `npm start -- --help` for the options.');
    process.exit(2);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

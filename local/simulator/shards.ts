import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeOutboxes, type PlaneCounts, type RunResult, readOutbox, sumCounts } from './outbox';
import type { PortfolioInvoice, SimulationEvent } from './simulation-input';
import { compareTimelineEvents, type TimelineEvent } from './timeline';

/**
 * `dunning simulate` over several processes: the portfolio split by customer (so every frequency cap lives in one
 * shard), each shard run by a `dunning simulate` worker process, their progress relayed and their timelines merged.
 */

/** Part of a portfolio simulated by one worker process: whole customers, with the events that concern them. */
export interface Shard {
  readonly invoices: readonly PortfolioInvoice[];
  readonly events: readonly SimulationEvent[];
}

/**
 * Splits a portfolio into `count` shards by customer (a stable hash of the customer id), so every invoice of a
 * customer — and so every frequency cap — lives in one shard; each event goes with its invoice or customer.
 * Customers never interact, so the shards' timelines merged are the timeline of the whole portfolio.
 */
export function planShards(
  portfolio: readonly PortfolioInvoice[],
  events: readonly SimulationEvent[],
  count: number,
): Shard[] {
  const shardOf = (customerId: string) => createHash('sha1').update(customerId).digest().readUInt32BE(0) % count;
  const shards = Array.from({ length: count }, () => ({
    invoices: [] as PortfolioInvoice[],
    events: [] as SimulationEvent[],
  }));
  const customerOfInvoice = new Map<string, string>();
  for (const p of portfolio) {
    customerOfInvoice.set(p.registration.invoiceId, p.registration.customer.customerId);
    shards[shardOf(p.registration.customer.customerId)]?.invoices.push(p);
  }
  for (const e of events) {
    const customerId = 'customerId' in e ? e.customerId : (customerOfInvoice.get(e.invoiceId) ?? '');
    shards[shardOf(customerId)]?.events.push(e);
  }
  return shards.filter((s) => s.invoices.length > 0);
}

/** A worker's progress, as it reports it on stderr (`@@progress {json}`). */
export interface WorkerProgress {
  readonly virtual: string;
  readonly registered: number;
  readonly ended: number;
}

export const PROGRESS_PREFIX = '@@progress ';
/** A worker's fault counts, as it reports them on stderr (`@@faults {json}`, a PlaneCounts). */
export const FAULTS_PREFIX = '@@faults ';

/**
 * Runs each shard in its own `dunning simulate` process (its own emulators and runtime: one CPU core each) and
 * merges their timelines in time order. `onProgress` hears each worker's latest progress; other lines a worker
 * writes on stderr are passed to `onStderr`. Rejects with the worker's stderr when one fails. With `faults` (a
 * fault profile file) or `outbox`, each worker runs a fault plane seeded with the profile's seed plus its shard
 * index, writes its outbox to a file of its own and reports its counts; they are merged here.
 */
export async function runShards(
  shards: readonly Shard[],
  args: {
    rule: string;
    dynamodb: 'http' | 'in-process';
    config?: string;
    from: Date;
    until?: Date;
    faults?: string;
    outbox?: boolean;
  },
  hooks: { onProgress(worker: number, progress: WorkerProgress): void; onStderr(text: string): void },
): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'dunning-shards-'));
  try {
    const runs = shards.map((shard, index) => {
      const invoices = join(dir, `invoices-${index}.jsonl`);
      writeFileSync(invoices, shard.invoices.map((p) => `${JSON.stringify(p.record)}\n`).join(''));
      const flags = ['--rule', args.rule, '--invoices', invoices, '--from', args.from.toISOString()];
      flags.push('--workers', '1', '--dynamodb', args.dynamodb);
      if (shard.events.length > 0) {
        const events = join(dir, `events-${index}.jsonl`);
        writeFileSync(events, shard.events.map(({ line: _line, ...e }) => `${JSON.stringify(e)}\n`).join(''));
        flags.push('--events', events);
      }
      if (args.until) flags.push('--until', args.until.toISOString());
      if (args.config) flags.push('--config', args.config);
      if (args.faults) flags.push('--faults', args.faults);
      if (args.faults || args.outbox) flags.push('--outbox', join(dir, `outbox-${index}.jsonl`), '--shard', `${index}`);
      return runWorker(flags, (progress) => hooks.onProgress(index, progress), hooks.onStderr);
    });
    const outputs = await Promise.all(runs);
    const timeline = outputs.flatMap((o) => o.timeline).sort(compareTimelineEvents);
    if (!args.faults && !args.outbox) return { timeline };
    const outbox = mergeOutboxes(shards.map((_, index) => readOutbox(join(dir, `outbox-${index}.jsonl`))));
    const counts = sumCounts(outputs.flatMap((o) => (o.counts ? [o.counts] : [])));
    return { timeline, plane: { outbox, counts } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CLI = fileURLToPath(new URL('../../cli/dunning.ts', import.meta.url));

function runWorker(
  flags: readonly string[],
  onProgress: (progress: WorkerProgress) => void,
  onStderr: (text: string) => void,
): Promise<{ timeline: TimelineEvent[]; counts?: PlaneCounts }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), CLI, 'simulate', ...flags, '--format', 'json', '--progress', 'json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const stdout: Buffer[] = [];
    let stderr = '';
    let pending = '';
    let counts: PlaneCounts | undefined;
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith(PROGRESS_PREFIX))
          onProgress(JSON.parse(line.slice(PROGRESS_PREFIX.length)) as WorkerProgress);
        else if (line.startsWith(FAULTS_PREFIX)) counts = JSON.parse(line.slice(FAULTS_PREFIX.length)) as PlaneCounts;
        else if (!line.startsWith('Simulated ')) {
          stderr += `${line}\n`;
          onStderr(`${line}\n`);
        }
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`a simulation worker exited with status ${code}:\n${stderr}`));
        return;
      }
      const text = Buffer.concat(stdout).toString('utf8');
      const timeline = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as TimelineEvent);
      resolve(counts ? { timeline, counts } : { timeline });
    });
  });
}

/**
 * Simulator scale: `npx dunning simulate` (the command a user runs, its default workers and in-process DynamoDB) over a
 * synthetic portfolio of the default rule, timed from the outside. An invoice·stage is one stage of one invoice played
 * to its outcome (sent, skipped — superseded included — or escalated), however many deferrals it took.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../lib/config';
import type { TimelineEvent } from '../local/simulator/timeline';

export interface ScaleResult {
  readonly invoices: number;
  readonly invoiceStages: number;
  readonly messages: number;
  readonly seconds: number;
  readonly invoiceStagesPerSecond: number;
  readonly invoicesPerSecond: number;
  readonly workers: number;
  readonly virtualDays: number;
  readonly events: Record<string, number>;
}

const PLAYED = new Set(['sent', 'skipped', 'escalated']);

export async function measureScale(portfolio: string, invoices: number): Promise<ScaleResult> {
  const args = [
    join(PROJECT_ROOT, 'bin', 'dunning.js'),
    'simulate',
    '--rule',
    join(PROJECT_ROOT, 'rules', 'default.json'),
    '--invoices',
    portfolio,
    '--format',
    'json',
  ];
  const t0 = performance.now();
  const { stdout, stderr, status } = await new Promise<{ stdout: string; stderr: string; status: number | null }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code) =>
        resolve({
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          status: code,
        }),
      );
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (status !== 0) throw new Error(`dunning simulate exited ${status}: ${stderr.slice(-1000)}`);
  const timeline = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as TimelineEvent);
  const played = new Set<string>();
  const events: Record<string, number> = {};
  for (const e of timeline) {
    events[e.event] = (events[e.event] ?? 0) + 1;
    if (PLAYED.has(e.event) && e.stage) played.add(`${e.invoiceId}#${e.stage}`);
  }
  const first = timeline[0]?.at ?? '';
  const last = timeline.at(-1)?.at ?? first;
  const workers = Number(/\((\d+) workers\)/.exec(stderr)?.[1] ?? 1);
  return {
    invoices,
    invoiceStages: played.size,
    messages: events.sent ?? 0,
    seconds,
    invoiceStagesPerSecond: played.size / seconds,
    invoicesPerSecond: invoices / seconds,
    workers,
    virtualDays: (Date.parse(last) - Date.parse(first)) / 86_400_000,
    events,
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `npm start`'s entry point as a real process, twice on the same data directory: what was registered, sent and
// scheduled before a Ctrl-C is all there after the restart, and nothing is sent twice.

const dataDir = mkdtempSync(join(tmpdir(), 'dunning-npm-start-'));
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  exit(): Promise<number | null>;
}

async function npmStart(args: string[]): Promise<Started> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      'node_modules/tsx/dist/cli.mjs',
      'local/start.ts',
      '--data',
      dataDir,
      '--port',
      String(port),
      '--speed',
      '0',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = performance.now() + 90_000;
  while (!output.includes('Ctrl-C to stop.')) {
    if (child.exitCode !== null || performance.now() > deadline)
      throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, exit: () => exited };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, each asserted field by field
type Json = any;

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const invoice = {
  invoiceId: 'INV-RESTART-1',
  customerId: 'C-RESTART-1',
  customerName: 'Ana Beatriz Souza',
  email: 'ana.souza@example.com',
  phone: '+5511987650001',
  timezone: 'America/Sao_Paulo',
  amount: '289.90',
  currency: 'BRL',
  dueDate: '2026-12-01',
};

describe('npm start keeps its data across a restart', () => {
  it('resumes the clock and the walk where Ctrl-C left them, losing nothing and sending nothing twice', async () => {
    // Prepare: register, play up to the day after D-3 (Sat 2026-11-28 09:00 local), stop with SIGINT
    const first = await npmStart(['--start', '2026-11-20T12:00:00.000Z']);
    expect((await call(first.url, 'POST', '/invoices', invoice)).status).toBe(202);
    await call(first.url, 'POST', '/_local/clock', { advanceTo: '2026-11-29T00:00:00.000Z' });
    const before = await call(first.url, 'GET', '/invoices/INV-RESTART-1');
    first.child.kill('SIGINT');
    expect(await first.exit()).toBe(0);

    // Act: start again on the same data directory (no --start: the saved clock wins), play to the end
    const second = await npmStart([]);
    const clock = await call(second.url, 'GET', '/_local/clock');
    const after = await call(second.url, 'GET', '/invoices/INV-RESTART-1');
    await call(second.url, 'POST', '/_local/clock', { advanceTo: '2027-01-15T00:00:00.000Z' });
    const end = await call(second.url, 'GET', '/invoices/INV-RESTART-1');
    const execution = await call(second.url, 'GET', '/_local/executions/INV-RESTART-1');
    const outbox = await call(second.url, 'GET', '/_local/outbox');
    second.child.kill('SIGINT');
    expect(await second.exit()).toBe(0);

    // Assess
    expect(first.output()).toContain(`Stopped. Data kept in ${dataDir}`);
    expect(before.body.contacts.map((c: Json) => `${c.stageId} ${c.channel} ${c.outcome}`)).toEqual(['D-3 email sent']);
    expect(clock.body.now).toBe('2026-11-29T00:00:00.000Z');
    expect(after.body.invoice).toMatchObject({ status: 'OPEN', currentStage: 'D0' });
    expect(after.body.contacts).toEqual(before.body.contacts);
    const sent = end.body.contacts.filter((c: Json) => c.outcome === 'sent' || c.outcome === 'escalated');
    expect(sent.map((c: Json) => `${c.at} ${c.stageId} ${c.channel}`)).toEqual([
      '2026-11-28T12:00:00.000Z D-3 email',
      '2026-12-01T12:00:00.000Z D0 email',
      '2026-12-01T12:00:00.000Z D0 sms',
      '2026-12-04T13:00:00.000Z D+3 sms',
      '2026-12-08T13:00:00.000Z D+7 email',
      '2026-12-08T13:00:00.000Z D+7 sms',
      '2026-12-16T13:00:00.000Z D+15 email',
      '2026-12-31T13:00:00.000Z D+30 escalate',
    ]);
    expect(execution.body.status).toBe('SUCCEEDED');
    // the SMS outbox persists in the data directory: both runs' messages, each once
    expect(outbox.body.sms.map((s: Json) => s.at)).toEqual([
      '2026-12-01T12:00:00.000Z',
      '2026-12-04T13:00:00.000Z',
      '2026-12-08T13:00:00.000Z',
    ]);
    expect(outbox.body.operators).toHaveLength(1);
  });
});

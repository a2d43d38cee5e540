import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorCommand } from '../../cli/operator-command';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { startHttpApi } from '../../local/system/http-api';
import { localControl, type Pace } from '../../local/system/local-control';
import { LocalSystem } from '../../local/system/system';

// The operator commands of `dunning` against the local system's HTTP API (what `npm start` serves), in this process;
// and once through the real binary (bin/dunning.js → tsx → cli/dunning.ts) as an operator types it.

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
const work = mkdtempSync(join(tmpdir(), 'dunning-cli-e2e-'));
let system: LocalSystem;
let api: { url: string; close(): Promise<void> };

beforeAll(async () => {
  system = await LocalSystem.start({ config, start: new Date('2026-11-20T12:00:00.000Z') });
  const pace: Pace = { speed: 0 };
  api = await startHttpApi({
    invoke: (handler, event) => system.invokeApi(handler, event),
    control: localControl(system, pace),
  });
});

afterAll(async () => {
  await api?.close();
  await system?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function dunning(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await operatorCommand([...argv, '--url', api.url], {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  return { status, out, err };
}

const advanceTo = (at: string) =>
  fetch(`${api.url}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: at }) });

const CSV = [
  'invoiceId,customerId,customerName,email,phone,timezone,amount,currency,dueDate',
  'CLI-1,C-CLI-1,Maria Silva,maria@example.com,+5511987650001,America/Sao_Paulo,289.90,BRL,2026-12-01',
  'CLI-2,C-CLI-2,João Souza,joao@example.com,,America/Sao_Paulo,100.00,BRL,2026-12-02',
  'CLI-3,C-CLI-3,,nobody@example.com,,America/Sao_Paulo,100.00,BRL,2026-12-02',
].join('\n');

describe('an operator drives invoices from the command line', () => {
  it('submits a file: registers the good rows and lists the bad one by file, line and field (exit 2)', async () => {
    const file = join(work, 'invoices.csv');
    writeFileSync(file, CSV);

    const submitted = await dunning('invoices', 'submit', file);

    expect(submitted.status).toBe(2);
    expect(submitted.out).toBe(`${file}: 2 registered, 0 already known, 1 rejected, 0 failed\n`);
    expect(submitted.err).toBe(`${file}:4: customerName: is required\n`);
  });

  it('pauses, shows, resumes, pays and reads the history of an invoice', async () => {
    await advanceTo('2026-11-29T12:00:00.000Z'); // D-3 of CLI-1 went out on Sat 28th

    const paused = await dunning('invoice', 'pause', 'CLI-1', '--reason', 'customer asked for a week');
    const shown = await dunning('invoice', 'show', 'CLI-1');
    await advanceTo('2026-12-05T00:00:00.000Z');
    const resumed = await dunning('invoice', 'resume', 'CLI-1', '--reason', 'the week is over');
    const paid = await dunning('invoice', 'pay', 'CLI-1', '--amount', '300.00', '--reference', 'PIX-1');
    const history = await dunning('history', 'CLI-1');

    expect(paused).toEqual({
      status: 0,
      out: 'CLI-1: OPEN → PAUSED (paused); the waiting walk was told at once\n',
      err: '',
    });
    expect(shown.out).toContain('CLI-1  PAUSED  balance 289.90 BRL of 289.90  due 2026-12-01');
    expect(shown.out).toContain('paused since 2026-11-29T12:00:00.000Z: customer asked for a week');
    expect(resumed.out).toBe('CLI-1: PAUSED → OPEN (resumed); the waiting walk was told at once\n');
    expect(paid.out).toBe('CLI-1: paid, PAID, balance 0.00 BRL; 10.10 BRL beyond the balance kept as credit\n');
    const lines = history.out.trim().split('\n');
    expect(lines[0]).toBe('CLI-1  PAID  (BRL)');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2026-11-28T12:00:00\.000Z {2}D-3 email sent reminder {2}\(message .+\)$/),
        '2026-11-29T12:00:00.000Z  paused  (reason: customer asked for a week)',
        '2026-12-05T00:00:00.000Z  resumed  (reason: the week is over)',
        '2026-12-05T00:00:00.000Z  paid  (amount: 300.00, balance: 0.00, excess: 10.10, credit: 10.10, reference: PIX-1)',
      ]),
    );
  });

  it("replaces a customer's contact details from a file and records an opt-out", async () => {
    // Prepare: C-CLI-2 was registered by the submitted file
    const file = join(work, 'c-cli-2.json');
    writeFileSync(
      file,
      JSON.stringify({ customerName: 'João Souza', email: 'joao.novo@example.com', timezone: 'America/Manaus' }),
    );
    const notAnObject = join(work, 'list.json');
    writeFileSync(notAnObject, '[1, 2]');

    // Act
    const updated = await dunning('customer', 'update', 'C-CLI-2', file);
    const optedOut = await dunning('customer', 'opt-out', 'C-CLI-2', '--channel', 'sms');
    const unknown = await dunning('customer', 'update', 'C-NOBODY', file);
    const badFile = await dunning('customer', 'update', 'C-CLI-2', notAnObject);
    const badChannel = await dunning('customer', 'opt-out', 'C-CLI-2', '--channel', 'fax');

    // Assess
    expect(updated).toEqual({
      status: 0,
      out: 'C-CLI-2: details replaced (name, email, timezone); later messages use them\n',
      err: '',
    });
    expect(optedOut).toEqual({ status: 0, out: 'C-CLI-2: opted out of sms\n', err: '' });
    expect(unknown.status).toBe(1);
    expect(unknown.err).toContain('error CustomerNotFound (HTTP 404)');
    expect(badFile).toMatchObject({ status: 2, out: '' });
    expect(badFile.err).toContain('must hold one JSON object');
    expect(badChannel.status).toBe(2);
    expect(badChannel.err).toContain('customer opt-out needs --channel email|sms');
  });

  it('records a promise, writes an invoice off, and says why the API refused a command (exit 1)', async () => {
    const promised = await dunning('invoice', 'promise', 'CLI-2', '--date', '2026-12-10');
    const writtenOff = await dunning('invoice', 'write-off', 'CLI-2', '--reason', 'debtor insolvent');
    const refused = await dunning('invoice', 'resume', 'CLI-2', '--reason', 'too late');

    expect(promised.out).toBe('CLI-2: OPEN → PAUSED (promised); the waiting walk was told at once\n');
    expect(writtenOff.out).toBe('CLI-2: PAUSED → WRITTEN_OFF (written-off); the waiting walk was told at once\n');
    expect(refused.status).toBe(1);
    expect(refused.err).toBe(
      'error InvalidTransition (HTTP 409): Invoice CLI-2 is WRITTEN_OFF: cannot resume it (resume needs PAUSED)\n' +
        '  (status): is WRITTEN_OFF\n',
    );
  });

  it('runs from the real binary, printing the API answer as JSON with --json', async () => {
    const run = await new Promise<{ status: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['bin/dunning.js', 'invoice', 'show', 'CLI-1', '--url', api.url, '--json']);
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.on('close', (status) => resolve({ status, out, err }));
    });

    expect(run.status, run.err).toBe(0);
    expect(JSON.parse(run.out).invoice).toMatchObject({ invoiceId: 'CLI-1', status: 'PAID', creditMinor: 1010 });
  });

  it('routes the customer commands from the real binary (opt-out answers 200, exit 0)', async () => {
    const run = await new Promise<{ status: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [
        'bin/dunning.js',
        'customer',
        'opt-out',
        'C-CLI-2',
        '--channel',
        'email',
        '--url',
        api.url,
      ]);
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.on('close', (status) => resolve({ status, out, err }));
    });

    expect(run.status, run.err).toBe(0);
    expect(run.out).toContain('C-CLI-2: opted out of');
    expect(run.out).toContain('email');
  });

  it('says the local API is not running when nothing answers (exit 1)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    let err = '';
    const status = await operatorCommand(['invoice', 'show', 'CLI-1', '--url', `http://127.0.0.1:${closed}`], {
      out: () => {},
      err: (text) => {
        err += text;
      },
    });

    expect(status).toBe(1);
    expect(err).toBe(`cannot reach the API at http://127.0.0.1:${closed}: ECONNREFUSED (is \`npm start\` running?)\n`);
  });
});

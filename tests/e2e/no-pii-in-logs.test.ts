import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { type ApiAnswer, LocalSystem } from '../../local/system/system';
import { registrationFixture } from '../support/fixtures';

// Issue #6, security: no personal data (names, emails, phone numbers) in logs. The local system runs a small
// portfolio of debtors with real-looking contact details through registration (API and S3 drop), sends, a deferral,
// payments (API and payment file), an unknown invoice and provider errors that echo the address or number they
// refused, with the logger's INFO lines on. Everything written to the console or to stdout/stderr is captured, and so
// is every execution's history with its state data: the workflow logs that to CloudWatch (`includeExecutionData`),
// and a task's uncaught error (which Lambda's runtime logs as "Invoke Error") is in it as the failure's cause.

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));

interface Debtor {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly dueDate: string;
}

const DEBTORS: readonly Debtor[] = [
  // pays over the API after D-3
  {
    invoiceId: 'INV-PII-1',
    customerId: 'C-PII-1',
    name: 'Maria Aparecida Souza',
    email: 'maria.aparecida.souza@gmail-exemplo.com.br',
    phone: '+5511987654321',
    dueDate: '2026-12-08',
  },
  // D-3 falls on Sun 2026-12-20: deferred to Mon 21st
  {
    invoiceId: 'INV-PII-2',
    customerId: 'C-PII-2',
    name: 'João Pedro Oliveira',
    email: 'joao.p.oliveira@uol-exemplo.com.br',
    phone: '+5521976543210',
    dueDate: '2026-12-23',
  },
  // SES refuses every email to this address, naming it (a per-message refusal, "Illegal address")
  {
    invoiceId: 'INV-PII-3',
    customerId: 'C-PII-3',
    name: 'Carlos Eduardo Ferreira',
    email: 'carlos.ferreira1978@hotmail-exemplo.com',
    phone: '+5531965432109',
    dueDate: '2026-12-09',
  },
  // SNS refuses this number when asked whether it opted out, naming it: the walk fails and the operators are told
  {
    invoiceId: 'INV-PII-4',
    customerId: 'C-PII-4',
    name: 'Ana Beatriz Lima',
    email: 'anabeatriz.lima@yahoo-exemplo.com.br',
    phone: '+5541954321098',
    dueDate: '2026-12-03',
  },
  // registered from a CSV dropped in the bucket, paid by a payment file
  {
    invoiceId: 'INV-PII-5',
    customerId: 'C-PII-5',
    name: 'Fernanda Costa Ribeiro',
    email: 'fernanda.ribeiro@outlook-exemplo.com',
    phone: '+5551943210987',
    dueDate: '2026-12-10',
  },
];

/** A row of the CSV drop that is rejected (bad email): its report names the field, the logs must not. */
const REJECTED = {
  invoiceId: 'INV-PII-6',
  customerId: 'C-PII-6',
  name: 'Luiz Gustavo Andrade',
  email: 'luiz.gustavo.andrade(at)bol-exemplo.com.br',
  phone: '+5561932109876',
  dueDate: '2026-12-10',
};

const ALL = [...DEBTORS, REJECTED];
const byId = (id: string): Debtor => DEBTORS.find((d) => d.invoiceId === id) as Debtor;

function registration(d: Debtor) {
  const { invoiceId, customerId, name: customerName, email, phone, dueDate } = d;
  return registrationFixture(invoiceId, { customerId, customerName, email, phone, dueDate });
}

function csvOf(rows: readonly Debtor[]): string {
  const records = rows.map(registration);
  const columns = Object.keys(records[0] ?? {}) as (keyof ReturnType<typeof registration>)[];
  return [columns.join(','), ...records.map((r) => columns.map((c) => r[c]).join(','))].join('\n');
}

/** An AWS SDK service error as the clients throw it. */
function awsError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Capture: every console method and every raw write to stdout / stderr, from before the system starts.

const captured: string[] = [];
const originals = {
  log: console.log,
  info: console.info,
  warn: console.warn,
  error: console.error,
  debug: console.debug,
  stdout: process.stdout.write,
  stderr: process.stderr.write,
};

function captureOutput(): void {
  const keep = (...args: unknown[]) => {
    captured.push(
      args
        .map((a) => (typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : JSON.stringify(a)))
        .join(' '),
    );
  };
  console.log = keep;
  console.info = keep;
  console.warn = keep;
  console.error = keep;
  console.debug = keep;
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = write as typeof process.stdout.write;
  process.stderr.write = write as typeof process.stderr.write;
}

function restoreOutput(): void {
  Object.assign(console, {
    log: originals.log,
    info: originals.info,
    warn: originals.warn,
    error: originals.error,
    debug: originals.debug,
  });
  process.stdout.write = originals.stdout;
  process.stderr.write = originals.stderr;
}

// ---------------------------------------------------------------------------------------------------------------
// The run: one local system for the file, driven in beforeAll; the tests read what it left behind.

let system: LocalSystem;
let executionLogs: { name: string; text: string }[] = [];
const answers = new Map<string, ApiAnswer>();
let drop: Awaited<ReturnType<LocalSystem['ingest']>>;
let paymentFile: Awaited<ReturnType<LocalSystem['ingestPayments']>>;
let quietLogs: string | undefined;

/** Provider errors that echo the refused destination, as SES and SNS word them. */
async function installProviderRefusals(): Promise<void> {
  const clients = await import('../../functions/platform/clients');
  type Args = { input: Record<string, unknown> };
  type Next = (args: Args) => Promise<unknown>;
  const refusedEmail = byId('INV-PII-3').email;
  const refusedPhone = byId('INV-PII-4').phone;
  // The middleware stacks are generic over every command's input and output: these see them all. Sends go through
  // the clients without SDK retries (sesSend, snsSend), SMS opt-out checks through sns.
  clients.sesSend.middlewareStack.add(
    ((next: Next) => async (args: Args) => {
      const to = (args.input.Destination as { ToAddresses?: string[] } | undefined)?.ToAddresses ?? [];
      if (to.includes(refusedEmail)) {
        throw awsError(
          'MessageRejected',
          400,
          // a refusal of this one message (SES's sandbox "not verified" is an account-level refusal: it pauses sending)
          `Illegal address: ${refusedEmail}`,
        );
      }
      return next(args);
    }) as never,
    { step: 'initialize', name: 'refuseEmail', priority: 'high' },
  );
  for (const client of [clients.sns, clients.snsSend]) {
    client.middlewareStack.add(
      ((next: Next) => async (args: Args) => {
        if (args.input.phoneNumber === refusedPhone || args.input.PhoneNumber === refusedPhone) {
          throw awsError(
            'InvalidParameterException',
            400,
            `Invalid parameter: PhoneNumber Reason: ${refusedPhone} is not valid to publish to`,
          );
        }
        return next(args);
      }) as never,
      { step: 'initialize', name: 'refusePhone', priority: 'high' },
    );
  }
}

beforeAll(async () => {
  // Prepare
  captureOutput();
  system = await LocalSystem.start({ config, start: new Date('2026-11-29T12:00:00.000Z') });
  quietLogs = process.env.DUNNING_QUIET_LOGS;
  process.env.DUNNING_QUIET_LOGS = '0'; // the local system turns INFO lines off; this run needs every line
  await installProviderRefusals();
  const { s3 } = await import('../../functions/platform/clients');

  // Act: four invoices over the API, two in a CSV drop (one row rejected)
  for (const id of ['INV-PII-1', 'INV-PII-2', 'INV-PII-3', 'INV-PII-4']) {
    answers.set(`register ${id}`, await system.api('POST', '/invoices', registration(byId(id))));
  }
  const key = 'incoming/carteira-dezembro.csv';
  await s3.send(
    new PutObjectCommand({ Bucket: system.resources.bucket, Key: key, Body: csvOf([byId('INV-PII-5'), REJECTED]) }),
  );
  drop = await system.ingest(key);
  await system.advanceTo(new Date('2026-12-06T00:00:00.000Z'));

  // an operator's free text naming the debtor, a payment, a payment for an unknown invoice, a payment file
  answers.set(
    'opt-out',
    await system.api('POST', '/customers/C-PII-2/opt-outs', {
      channel: 'sms',
      source: `ligação de ${byId('INV-PII-2').name}, ${byId('INV-PII-2').phone}`,
    }),
  );
  answers.set(
    'escalate',
    await system.api('POST', '/invoices/INV-PII-3/escalate', {
      reason: `${byId('INV-PII-3').name} (${byId('INV-PII-3').email}) pediu para falar com um advogado`,
    }),
  );
  answers.set('pay', await system.api('POST', '/invoices/INV-PII-1/payments', { reference: 'PIX-PII-1' }));
  answers.set('pay unknown', await system.api('POST', '/invoices/INV-PII-404/payments', {}));
  const payments = 'payments/banco-1206.csv';
  await s3.send(
    new PutObjectCommand({
      Bucket: system.resources.bucket,
      Key: payments,
      Body: ['invoiceId,amount,reference', 'INV-PII-5,289.90,BOLETO-PII-5', 'INV-PII-404,10.00,BOLETO-404'].join('\n'),
    }),
  );
  paymentFile = await system.ingestPayments(payments);
  await system.advanceTo(new Date('2027-01-31T00:00:00.000Z'));

  for (const id of ['INV-PII-2', 'INV-PII-3', 'INV-PII-4'])
    answers.set(`read ${id}`, await system.api('GET', `/invoices/${id}`));
  // What the workflow's execution log gets with includeExecutionData: every state's input and output, and a failed
  // task's error and cause (the error Lambda's runtime also logs as "Invoke Error").
  executionLogs = system.runtime.listExecutions().map((e) => ({
    name: e.name,
    text: JSON.stringify({ execution: e.name, history: system.runtime.history(e.executionArn) }),
  }));
}, 120_000);

afterAll(async () => {
  await system?.stop();
  restoreOutput();
  if (quietLogs === undefined) delete process.env.DUNNING_QUIET_LOGS;
  else process.env.DUNNING_QUIET_LOGS = quietLogs;
});

/** Each debtor's personal data as a log could hold it: name, email, its local part, phone (with and without +). */
const personalData = ALL.flatMap((d) => [
  { what: `name of ${d.customerId}`, value: d.name },
  { what: `email of ${d.customerId}`, value: d.email },
  {
    what: `email local part of ${d.customerId}`,
    value: d.email.slice(0, d.email.indexOf('(at)') >= 0 ? d.email.indexOf('(at)') : d.email.indexOf('@')),
  },
  { what: `phone of ${d.customerId}`, value: d.phone },
  { what: `phone digits of ${d.customerId}`, value: d.phone.slice(1) },
]);

/** `<what> in <where>: …<the text around it>…` for every personal datum found in the lines. */
function findings(lines: readonly { where: string; text: string }[]): string[] {
  return lines.flatMap(({ where, text }) =>
    personalData.flatMap(({ what, value }) => {
      const at = text.toLowerCase().indexOf(value.toLowerCase());
      return at < 0 ? [] : [`${what} in ${where}: …${text.slice(Math.max(0, at - 80), at + value.length + 40)}…`];
    }),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, each asserted field by field
const body = (name: string): any => answers.get(name)?.body;

describe('the run exercised what could leak', () => {
  it('registered over the API and from a drop (its bad row reported), paid twice and refused an unknown invoice', () => {
    for (const id of ['INV-PII-1', 'INV-PII-2', 'INV-PII-3', 'INV-PII-4']) {
      expect(body(`register ${id}`).registered).toEqual([id]);
    }
    expect(drop?.report?.totals).toMatchObject({ registered: 1, rejected: 1 });
    expect(drop?.report?.rejected.map((r) => `${r.invoiceId} ${r.issues[0]?.path}`)).toEqual(['INV-PII-6 email']);
    expect(answers.get('opt-out')?.statusCode).toBe(200);
    expect(answers.get('escalate')?.statusCode).toBe(200);
    expect(body('pay')).toMatchObject({ event: 'paid', status: 'PAID' });
    expect(answers.get('pay unknown')?.statusCode).toBe(404);
    expect(paymentFile?.report?.totals).toMatchObject({ applied: 1, rejected: 1 });
  });

  it('deferred a stage, recorded a refused email, failed a walk on a refused number, and sent the rest', async () => {
    const contacts = (id: string) =>
      (body(`read ${id}`).contacts as { stageId: string; channel: string; outcome: string; reason?: string }[]).map(
        (c) => `${c.stageId} ${c.channel} ${c.outcome} ${c.reason ?? ''}`.trim(),
      );
    expect(contacts('INV-PII-2')).toContain('D-3 * deferred outside-business-hours');
    expect(contacts('INV-PII-3')).toContain('D-3 email failed SES: MessageRejected: Illegal address: <email>');
    expect(body('read INV-PII-4').invoice.lastError).toBe(
      'PermanentSendError: SNS: InvalidParameterException: Invalid parameter: PhoneNumber Reason: <phone> is not valid to publish to',
    );
    expect(system.runtime.listExecutions().find((e) => e.name === 'INV-PII-4')?.status).toBe('FAILED');
    const mailbox = await system.aws.mailbox();
    expect(mailbox.some((m) => m.to.includes(byId('INV-PII-2').email) && (m.text ?? '').includes('INV-PII-2'))).toBe(
      true,
    );
  });
});

describe('no personal data in the logs', () => {
  it("captured the logger's INFO lines, which name every invoice by its id", () => {
    const info = captured.filter((line) => line.startsWith('{"level":"INFO"'));
    expect(info.length).toBeGreaterThan(0);
    for (const d of DEBTORS)
      expect(
        captured.some((line) => line.includes(d.invoiceId)),
        d.invoiceId,
      ).toBe(true);
    expect(captured).toContainEqual(expect.stringContaining('"message":"invoice walk failed","invoiceId":"INV-PII-4"'));
  });

  it('holds no name, email, email local part or phone number in anything written to the console, stdout or stderr', () => {
    expect(findings(captured.map((text, i) => ({ where: `captured line ${i + 1}`, text })))).toEqual([]);
  });

  it("holds none in the workflow's execution log either (states' data, failures' causes)", () => {
    const logs = executionLogs.map(({ name, text }) => ({ where: `execution ${name}`, text }));
    // every debtor's walk; INV-PII-4's failed walk restarted by the reconciler too (executions `<id>-w<n>-<hash>`)
    const walked = new Set(executionLogs.map((e) => e.name.replace(/-w\d+-[0-9a-f]{12}$/, '')));
    expect([...walked].sort()).toEqual(DEBTORS.map((d) => d.invoiceId).sort());
    expect(executionLogs.find((e) => e.name === 'INV-PII-4')?.text).toContain(
      'SNS: InvalidParameterException: Invalid parameter: PhoneNumber Reason: <phone> is not valid to publish to',
    );
    expect(findings(logs)).toEqual([]);
  });
});

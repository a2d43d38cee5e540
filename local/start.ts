/**
 * `npm start` — preview of the local runtime: the real synthesized workflow, the real handlers and the real HTTP
 * API on this machine, DynamoDB on dynalite, on a virtual clock. Email/SMS/operators' messages are captured
 * in-process and shown (nothing reaches AWS). Registers a portfolio file, plays the whole billing rule out in
 * compressed time, prints the timeline from each invoice's contact log, then keeps the API up.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validateInvoiceRecord } from '../functions/domain/invoice-input';
import { formatFromKey, parseRecords } from '../functions/ingest/parse-records';
import { API_ROUTES } from '../functions/shared/api-routes';
import { installClock } from '../functions/shared/clock';
import { loadDunningConfig, resolveConfigPath } from '../lib/config';
import { type ProxyHandler, startHttpApi } from './http-api';
import { startDynamo } from './preview/dynamo';
import { answerInProcess, type CapturedMessage, newMessageId } from './preview/provider-capture';
import { synthesizedWorkflow } from './preview/synthesized-workflow';
import { VirtualTimeRunner } from './preview/virtual-time-runner';

const HELP = `Usage: npm start -- [--invoices <file.csv|.json|.jsonl>] [--config <dunning.config.json>] [--port 3000] [--once]

  --invoices  portfolio to register at start (default: examples/invoices.csv)
  --config    deployment config naming the billing rule (default: dunning.config.json)
  --port      port of the local HTTP API (default: 3000; 0 = any free port)
  --once      print the timeline and exit instead of keeping the API up`;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      invoices: { type: 'string', default: 'examples/invoices.csv' },
      config: { type: 'string' },
      port: { type: 'string', default: '3000' },
      once: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const config = loadDunningConfig(resolveConfigPath(values.config));
  const invoicesFile = resolve(values.invoices);
  const format = formatFromKey(invoicesFile);
  if (!format) throw new Error(`--invoices: unsupported file type ${invoicesFile} (use .csv, .json or .jsonl)`);

  // 1. Read the portfolio first: the clock starts 30 days before the earliest due date (as the simulator does).
  const rows: { line: number; record: Record<string, unknown> }[] = [];
  const bad: { line: number; issue: string }[] = [];
  const body = await readFile(invoicesFile);
  for await (const parsed of parseRecords(
    (async function* () {
      yield body;
    })(),
    format,
  )) {
    if ('error' in parsed) bad.push({ line: parsed.line, issue: parsed.error });
    else rows.push(parsed);
  }
  const dueDates = rows.map((r) => validateInvoiceRecord(r.record)).flatMap((v) => (v.ok ? [v.value.dueDate] : []));
  const earliest = dueDates.sort()[0] ?? new Date().toISOString().slice(0, 10);
  const start = new Date(Date.parse(`${earliest}T00:00:00Z`) - 30 * 86_400_000);

  // 2. DynamoDB (dynalite, in memory) and the environment the handlers read at import.
  const tableName = 'dunning-local';
  const dynamo = await startDynamo(tableName);
  const stateMachineArn = 'arn:aws:states:local:000000000000:stateMachine:dunning';
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    TABLE_NAME: tableName,
    START_QUEUE_URL: 'local://start-queue',
    STATE_MACHINE_ARN: stateMachineArn,
    RULE_ID: config.rule.id,
    OPERATORS_TOPIC_ARN: 'arn:aws:sns:local:000000000000:dunning-operators',
    SENDER_EMAIL: config.sender.email,
    COMPANY_LEGAL_NAME: config.company.legalName,
    COMPANY_TAX_ID: config.company.taxId,
    COMPANY_SUPPORT_CONTACT: config.company.supportContact ?? '',
    DUNNING_QUIET_LOGS: '1',
  });

  // 3. The synthesized definition (same builder, same rule as `cdk deploy`) on a virtual clock.
  console.error(`Synthesizing the stack for billing rule "${config.rule.id}"…`);
  const { definition, handlerByArn } = synthesizedWorkflow(config);
  const handlers: Record<string, Handler> = {};
  const load = async (name: string) => {
    handlers[name] ??= ((await import(`../functions/handlers/${name}.ts`)) as { handler: Handler }).handler;
    return handlers[name] as Handler;
  };
  const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'local' };
  const runner = new VirtualTimeRunner(
    definition,
    async (arn, payload) => {
      const name = handlerByArn.get(arn);
      if (!name) throw new Error(`No handler for ${arn}`);
      return (await load(name))(payload, context);
    },
    start,
  );
  installClock({ now: () => runner.now() });

  // 4. Providers answered in-process: nothing leaves this machine.
  const { ses, sns, sqs, sfn } = await import('../functions/shared/clients');
  const outbox: CapturedMessage[] = [];
  const startQueue: string[] = [];
  answerInProcess(ses, 'SES', {
    SendEmailCommand: (input) => {
      const content = input.Content as { Simple: { Subject: { Data: string }; Body: { Text: { Data: string } } } };
      const to = (input.Destination as { ToAddresses: string[] }).ToAddresses.join(', ');
      outbox.push({
        at: runner.now().toISOString(),
        channel: 'email',
        to,
        subject: content.Simple.Subject.Data,
        text: content.Simple.Body.Text.Data,
      });
      return { MessageId: newMessageId() };
    },
  });
  answerInProcess(sns, 'SNS', {
    PublishCommand: (input) => {
      const channel = input.TopicArn ? 'operators' : 'sms';
      outbox.push({
        at: runner.now().toISOString(),
        channel,
        to: String(input.PhoneNumber ?? input.TopicArn),
        text: String(input.Message),
      });
      return { MessageId: newMessageId() };
    },
    CheckIfPhoneNumberIsOptedOutCommand: () => ({ isOptedOut: false }),
  });
  answerInProcess(sqs, 'SQS', {
    SendMessageBatchCommand: (input) => {
      for (const entry of input.Entries as { MessageBody: string }[]) startQueue.push(entry.MessageBody);
      return { Successful: [], Failed: [] };
    },
  });
  answerInProcess(sfn, 'SFN', {
    StartExecutionCommand: (input) => runner.startExecution(String(input.name), JSON.parse(String(input.input))),
    SendTaskSuccessCommand: (input) => {
      runner.sendTaskSuccess(String(input.taskToken), JSON.parse(String(input.output)));
      return {};
    },
  });

  // 5. The HTTP API with the same routes as API Gateway, and a pump that starts what was registered.
  const apiHandlers: Record<string, ProxyHandler> = {};
  for (const route of API_ROUTES) apiHandlers[route.handler] = (await load(route.handler)) as unknown as ProxyHandler;
  const api = await startHttpApi({ handlers: apiHandlers, port: Number(values.port) });
  const startExecutions = await load('start-executions');
  const pump = async () => {
    while (startQueue.length > 0) {
      const batch = startQueue.splice(0, 10);
      await startExecutions({ Records: batch.map((body, i) => ({ messageId: `m${i}`, body })) }, context);
    }
    await runner.runToCompletion();
  };

  // 6. Register the portfolio through the API, walk it, print the timeline.
  const response = await fetch(`${api.url}/invoices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rows.map((r) => r.record)),
  });
  const result = (await response.json()) as {
    registered?: string[];
    duplicates?: string[];
    rejected?: { index: number; details: { path: string; issue: string }[] }[];
    error?: { message: string; details: { path: string; issue: string }[] };
  };
  for (const r of result.rejected ?? []) {
    bad.push({ line: rows[r.index]?.line ?? 0, issue: r.details.map((d) => `${d.path}: ${d.issue}`).join('; ') });
  }
  console.error(
    `Registered ${result.registered?.length ?? 0} invoice(s) from ${values.invoices} at ${start.toISOString()} (virtual time)` +
      (bad.length ? `; ${bad.length} rejected:` : ''),
  );
  for (const b of bad.sort((x, y) => x.line - y.line)) console.error(`  line ${b.line}: ${b.issue}`);
  console.error('Walking the billing rule on the virtual clock…');
  await pump();
  await printTimeline(api.url, result.registered ?? []);
  console.log(
    `\n${outbox.length} message(s) captured (email ${count(outbox, 'email')}, sms ${count(outbox, 'sms')}, operators ${count(outbox, 'operators')}).`,
  );
  for (const s of runner.summary().filter((e) => e.status !== 'SUCCEEDED'))
    console.log(`  ${s.name}: ${s.status} ${s.error ?? ''}`);

  if (values.once) {
    await api.close();
    await dynamo.close();
    return;
  }
  console.log(`\nLocal API: ${api.url}  (routes: ${API_ROUTES.map((r) => `${r.method} ${r.path}`).join(', ')})`);
  console.log(`  curl ${api.url}/invoices/${result.registered?.[0] ?? 'INV-1'}`);
  console.log('New invoices POSTed to /invoices are walked at once in compressed time. Ctrl-C to stop.');
  const timer = setInterval(() => {
    if (startQueue.length > 0) void pump().then(() => printLast(outbox));
  }, 500);
  process.once('SIGINT', () => {
    clearInterval(timer);
    void Promise.all([api.close(), dynamo.close()]).then(() => process.exit(0));
  });
}

function count(outbox: CapturedMessage[], channel: CapturedMessage['channel']): number {
  return outbox.filter((m) => m.channel === channel).length;
}

function printLast(outbox: CapturedMessage[]): void {
  for (const m of outbox.slice(-5)) console.log(`${m.at}  ${m.channel.padEnd(9)} ${m.subject ?? m.text.slice(0, 80)}`);
}

/** The timeline, from each invoice's contact log (GET /invoices/{id}), in time order. */
async function printTimeline(apiUrl: string, invoiceIds: string[]): Promise<void> {
  const lines: { at: string; text: string }[] = [];
  for (const id of invoiceIds) {
    const res = await fetch(`${apiUrl}/invoices/${encodeURIComponent(id)}`);
    const body = (await res.json()) as {
      invoice: { status: string };
      contacts: { at: string; stageId: string; channel: string; outcome: string; reason?: string; until?: string }[];
    };
    for (const c of body.contacts) {
      const detail = [c.reason && c.reason !== c.outcome ? c.reason : '', c.until ? `until ${c.until}` : '']
        .filter(Boolean)
        .join(' ');
      lines.push({
        at: c.at,
        text: `${id.padEnd(16)} ${c.stageId.padEnd(5)} ${c.channel.padEnd(9)} ${c.outcome.padEnd(11)} ${detail}`,
      });
    }
  }
  console.log(
    `\n${'at (UTC)'.padEnd(25)}${'invoice'.padEnd(17)}${'stage'.padEnd(6)}${'channel'.padEnd(10)}${'outcome'.padEnd(12)}detail`,
  );
  for (const l of lines.sort((a, b) => a.at.localeCompare(b.at))) console.log(`${l.at.padEnd(25)}${l.text}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

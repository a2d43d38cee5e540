/**
 * Cost per invoice (run by bench/run.ts in its own process: one LocalSystem per process). Walks N invoices of a
 * synthetic portfolio through the default rule on the local system — the synthesized state machine, the real
 * handlers, the emulators — with no payment, so every walk goes through all six stages (the most a walk costs), one
 * execution at a time at each instant (clean handler timings). Counts what AWS bills: state transitions, Lambda
 * requests and durations, DynamoDB request units (from the consumed capacity dynalite computes from item sizes, as
 * DynamoDB does, plus the GSI copy of contact-log items), emails, SMS parts, topic publishes, SQS requests, API calls.
 *
 * `npx tsx bench/cost.ts --invoices 300` prints one `@@result {json}` line.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../lib/config';
import { LocalSystem } from '../local/system/system';
import { STATE } from '../state-machines/state-names';
import { printResult, runWhenStarted } from './child-script';
import { portfolioLines } from './generate-portfolio';
import { smsParts } from './prices';

interface Counter {
  calls: number;
  ms: number;
  durationsMs: number[];
}

type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
type Middleware = (next: Next, context: { commandName?: string }) => Next;

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { invoices: { type: 'string', default: '300' } } });
  const count = Number(values.invoices);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`--invoices must be a whole number, got ${values.invoices}`);

  // A portfolio as bench/generate-portfolio.ts writes it, registered through POST /invoices (batches of 500).
  const [header, ...rows] = [...portfolioLines(count)];
  const columns = (header ?? '').split(',');
  const records = rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [columns[i] ?? '', v])));
  const earliestDue = records.map((r) => String(r.dueDate)).sort()[0] ?? '2026-12-01';
  const start = new Date(Date.parse(`${earliestDue}T00:00:00Z`) - 30 * 86_400_000);

  const config = loadDunningConfig(`${PROJECT_ROOT}/${DEFAULT_CONFIG_FILE}`);
  // The reconciler's schedules cost per deployment, not per invoice (744 hourly runs a month, each two ListExecutions
  // of failed and timed-out executions, and 30 daily Queries of the walks marked for attention: well under a cent a
  // month): left out of the per-invoice figures, as the walks here all succeed and it would repair nothing.
  const system = await LocalSystem.start({
    config,
    start,
    recordStateData: false,
    dynamodb: 'in-process',
    reconciler: false,
  });
  const began = performance.now();
  try {
    // Lambda: every handler call, timed (what Lambda bills is the handler's duration, rounded up to 1 ms).
    const lambdas = new Map<string, Counter>();
    const invoke = system.invoke.bind(system);
    system.invoke = async (handler: string, event: unknown): Promise<unknown> => {
      const t0 = performance.now();
      try {
        return await invoke(handler, event);
      } finally {
        const ms = performance.now() - t0;
        const c = lambdas.get(handler) ?? { calls: 0, ms: 0, durationsMs: [] };
        c.calls += 1;
        c.ms += Math.ceil(ms);
        c.durationsMs.push(ms);
        lambdas.set(handler, c);
      }
    };

    // AWS calls of the handlers, at their clients (functions/platform/clients.ts).
    const clients = await import('../functions/platform/clients');
    const calls = new Map<string, number>();
    const dynamo = { readUnits: 0, writeUnits: 0, gsiWriteUnits: 0, reads: 0, writes: 0 };
    const count1 = (key: string) => calls.set(key, (calls.get(key) ?? 0) + 1);
    const counting =
      (service: string): Middleware =>
      (next, context) =>
      (args) => {
        count1(`${service}.${(context.commandName ?? '').replace(/Command$/, '')}`);
        return next(args);
      };
    // The middleware stack's types are generic over every command's input and output: these see them all.
    for (const [name, client] of [
      ['ses', clients.ses],
      ['ses', clients.sesSend],
      ['sns', clients.sns],
      ['sns', clients.snsSend],
      ['sqs', clients.sqs],
      ['sfn', clients.sfn],
      ['s3', clients.s3],
      ['scheduler', clients.scheduler],
    ] as const) {
      const stack = client.middlewareStack as unknown as { add(mw: never, options: object): void };
      stack.add(counting(name) as never, { step: 'initialize', name: `bench-${name}` });
    }
    const capacity: Middleware = (next, context) => async (args) => {
      const command = context.commandName ?? '';
      count1(`dynamodb.${command.replace(/Command$/, '')}`);
      const result = await next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
      const consumed = result.output.ConsumedCapacity as { CapacityUnits?: number } | undefined;
      const units = consumed?.CapacityUnits ?? 0;
      if (READS.has(command)) {
        dynamo.reads += 1;
        dynamo.readUnits += units;
      } else {
        dynamo.writes += 1;
        dynamo.writeUnits += units;
        // Contact-log items are projected (ALL) into the gsi1 index: DynamoDB bills that copy as a write too.
        if ((args.input.Item as { gsi1pk?: unknown } | undefined)?.gsi1pk !== undefined) dynamo.gsiWriteUnits += units;
      }
      return result;
    };
    clients.dynamo.middlewareStack.addRelativeTo(capacity as never, {
      name: 'bench-capacity',
      relation: 'before',
      toMiddleware: 'DocumentMarshall',
    });

    // Act: register, then play every walk to its end.
    let apiRequests = 0;
    for (let i = 0; i < records.length; i += 500) {
      apiRequests += 1;
      const answer = await system.api('POST', '/invoices', records.slice(i, i + 500));
      if (answer.statusCode !== 202) throw new Error(`registration answered ${answer.statusCode}`);
    }
    await system.runFast({ oneAtATime: true });
    const wallSeconds = (performance.now() - began) / 1000;

    // State transitions, in total and per stage (from each execution's history).
    const executions = system.runtime.listExecutions();
    let transitions = 0;
    const perStage = new Map<string, number[]>();
    let overhead = 0;
    let stillRunning = 0;
    for (const e of executions) {
      if (e.status === 'RUNNING') stillRunning += 1;
      transitions += system.runtime.stateTransitions(e.executionArn);
      const entered = system.runtime.history(e.executionArn).filter((h) => h.type === 'StateEntered');
      const byStage = new Map<string, number>();
      for (const h of entered) {
        const stage = config.rule.stages.find((s) => h.stateName?.startsWith(`${s.id} · `));
        if (stage) byStage.set(stage.id, (byStage.get(stage.id) ?? 0) + 1);
        else overhead += 1;
      }
      for (const [stage, n] of byStage) perStage.set(stage, [...(perStage.get(stage) ?? []), n]);
    }
    overhead += executions.length; // the execution's start is billed as a transition too
    const emails = await system.aws.mailbox();
    const sms = system.aws.smsOutbox();
    const topic = system.aws.topicMessages(system.resources.topicArn);
    const stageStats = Object.fromEntries(
      config.rule.stages.map((s) => {
        const list = perStage.get(s.id) ?? [];
        const sorted = [...list].sort((a, b) => a - b);
        return [
          s.id,
          {
            walks: list.length,
            mean: list.reduce((a, b) => a + b, 0) / Math.max(1, list.length),
            median: sorted[Math.floor(sorted.length / 2)] ?? 0,
            min: sorted[0] ?? 0,
          },
        ];
      }),
    );
    const lambdaStats = Object.fromEntries(
      [...lambdas].map(([name, c]) => {
        const sorted = [...c.durationsMs].sort((a, b) => a - b);
        return [
          name,
          {
            calls: c.calls,
            billedMs: c.ms,
            p50Ms: sorted[Math.floor(sorted.length / 2)] ?? 0,
            maxMs: sorted.at(-1) ?? 0,
          },
        ];
      }),
    );
    const result = {
      invoices: count,
      rule: config.rule.id,
      stages: config.rule.stages.map((s) => s.id),
      wallSeconds,
      stillRunning,
      endings: countBy(
        executions.map((e) => {
          const last = system.runtime
            .history(e.executionArn)
            .filter((h) => h.type === 'StateEntered')
            .at(-1)?.stateName;
          return last === STATE.completed ? 'completed' : (last ?? e.status);
        }),
      ),
      transitions,
      transitionsOutsideStages: overhead,
      perStage: stageStats,
      lambda: lambdaStats,
      awsCalls: Object.fromEntries([...calls].sort()),
      dynamodb: dynamo,
      emails: emails.length,
      sms: sms.length,
      smsParts: sms.reduce((n, m) => n + smsParts(m.message), 0),
      topicPublishes: topic.length,
      apiRequests,
      // the waits' one-time schedules that fired (EventBridge Scheduler bills each invocation)
      scheduleInvocations: system.waitSchedules.fired,
    };
    printResult(result);
  } finally {
    await system.stop();
  }
}

function countBy(items: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[item] = (out[item] ?? 0) + 1;
  return out;
}

runWhenStarted(import.meta.url, main);

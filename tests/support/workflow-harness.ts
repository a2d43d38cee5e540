import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, type SFNClientResolvedConfig } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll } from 'vitest';
import { installClock } from '../../functions/platform/clock';
import type { BillingRule } from '../../functions/rules/billing-rule';
import { startDynamo as startDynalite } from '../../local/emulators/dynamo';
import { createTable } from '../../local/emulators/provision';
import { VirtualClock } from '../../local/stepfunctions/virtual-clock';
import { type JsonValue, LocalWorkflowRuntime } from '../../local/stepfunctions/workflow-runtime';
import { workflowFor } from './definition';
import { lambdaContext } from './fixtures';
import type { Stub } from './providers';

/** A Lambda handler as the tests call it in-process. */
export type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** An event to inject while the execution waits, at a virtual instant. */
export interface ScheduledEvent {
  readonly at: Date;
  readonly run: () => Promise<unknown>;
}

const HANDLER_FILES = {
  planStage: 'plan-stage',
  waitForEvent: 'wait-for-event',
  sendStage: 'send-stage',
  handleFailure: 'handle-failure',
  continueWalk: 'continue-walk',
} as const;

/** What an API handler answers API Gateway. */
export interface HandlerResponse {
  statusCode: number;
  body: string;
}

/** The handlers the workflow's tasks run, by task. */
export type WorkflowHandlers = Record<keyof typeof HANDLER_FILES, Handler>;

/** dynalite in memory with the single table created; `endpoint` for AWS_ENDPOINT_URL_DYNAMODB. */
export async function startDynamo(tableName: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const dynamo = await startDynalite({});
  const client = new DynamoDBClient({
    endpoint: dynamo.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await createTable(client, tableName);
  client.destroy();
  return { endpoint: dynamo.url, close: () => dynamo.stop() };
}

/** Imports handlers from `functions/handlers/<file>.ts`, one after the other, into `into` by the key given each file. */
async function loadHandlers<Key extends string>(files: Record<Key, string>, into: Record<Key, Handler>): Promise<void> {
  for (const [key, file] of Object.entries(files) as [Key, string][]) {
    into[key] = ((await import(`../../functions/handlers/${file}.ts`)) as { handler: Handler }).handler;
  }
}

/**
 * For a test file, the real handlers against dynalite: before all, dynalite started with `table`, the handlers pointed
 * at it (TABLE_NAME, AWS_ENDPOINT_URL_DYNAMODB; they read them at import) and then loaded, the workflow's tasks' into
 * `handlers` and the ones `apiFiles` names (`functions/handlers/<file>.ts` by key) into `api`; dynalite stopped after
 * all. The objects answered are filled in before all.
 */
export function useDynaliteHandlers<Key extends string>(
  table: string,
  apiFiles: Record<Key, string>,
): { handlers: WorkflowHandlers; api: Record<Key, Handler>; dynamo: { endpoint: string } } {
  // Empty until beforeAll fills them, as a `let` assigned in beforeAll would be.
  const handlers = {} as WorkflowHandlers;
  const api = {} as Record<Key, Handler>;
  const dynamo = { endpoint: '', close: async (): Promise<void> => {} };
  beforeAll(async () => {
    Object.assign(dynamo, await startDynamo(table));
    process.env.TABLE_NAME = table;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    await loadHandlers(HANDLER_FILES, handlers);
    await loadHandlers(apiFiles, api);
  });
  afterAll(async () => {
    await dynamo.close();
  });
  return { handlers, api, dynamo };
}

/**
 * Registers invoices through the real create-invoices handler, `INV-<prefix>-1`, `-2`… (customer `C-<prefix>-<n>`):
 * 1234.50 BRL due Thursday 2026-12-10 from Maria Silva (maria@example.com, +5511987650001) in São Paulo, pt-BR;
 * `overrides` change or add fields. Answers the id and the handler's response. `api` is read at each call.
 */
export function invoiceRegistrar(
  prefix: string,
  api: { readonly createInvoices: Handler },
): (overrides?: Record<string, unknown>) => Promise<{ invoiceId: string; response: HandlerResponse }> {
  let counter = 0;
  return async (overrides = {}) => {
    counter += 1;
    const invoiceId = `INV-${prefix}-${counter}`;
    const response = (await api.createInvoices(
      {
        body: JSON.stringify({
          invoiceId,
          customerId: `C-${prefix}-${counter}`,
          customerName: 'Maria Silva',
          email: 'maria@example.com',
          phone: '+5511987650001',
          timezone: 'America/Sao_Paulo',
          locale: 'pt-BR',
          amount: '1234.50',
          currency: 'BRL',
          dueDate: '2026-12-10',
          ...overrides,
        }),
        isBase64Encoded: false,
      } as APIGatewayProxyEvent,
      lambdaContext,
    )) as HandlerResponse;
    return { invoiceId, response };
  };
}

/**
 * Runs the real stack's synthesized workflow for a rule on the local runtime (the engine `npm start` and
 * `dunning simulate` use), with the given handlers in-process, on a virtual clock; reports the states entered with
 * their virtual instants (the execution history).
 */
export class WorkflowHarness {
  private readonly clock: VirtualClock;
  private readonly runtime: LocalWorkflowRuntime;
  private readonly restoreClock: () => void;

  constructor(rule: BillingRule, handlers: WorkflowHandlers, start: Date) {
    const { definition, handlerByArn } = workflowFor(rule);
    const byFile = Object.fromEntries(
      Object.entries(HANDLER_FILES).map(([key, file]) => [file, handlers[key as keyof typeof HANDLER_FILES]]),
    );
    this.clock = new VirtualClock(start);
    this.runtime = new LocalWorkflowRuntime({
      definition,
      clock: this.clock,
      invokeLambda: async (arn, payload) => {
        const handler = byFile[handlerByArn.get(arn) ?? ''];
        if (!handler) throw new Error(`No handler for ${arn}`);
        return handler(payload, { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 30_000 });
      },
    });
    this.restoreClock = installClock(this.clock);
  }

  now(): Date {
    return this.clock.now();
  }

  dispose(): void {
    this.restoreClock();
  }

  /** What SendTaskSuccess does: resumes the waiting task holding this token (throws TaskTimedOut… as AWS does). */
  sendTaskSuccess(token: string, output: JsonValue): void {
    this.runtime.sendTaskSuccess(token, output);
  }

  /** Runs one execution to its end, injecting the events at their instants. */
  async run(
    input: { invoiceId: string },
    events: ScheduledEvent[] = [],
  ): Promise<{ status: string; error?: string; entered: { name: string; at: string }[] }> {
    const { executionArn } = this.runtime.startExecution({ name: input.invoiceId, input });
    for (const event of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      await this.runtime.advanceTo(event.at);
      await event.run();
    }
    await this.runtime.runUntilSettled();
    const execution = this.runtime.describeExecution(executionArn);
    const entered = this.runtime
      .history(executionArn)
      .filter((e) => e.type === 'StateEntered')
      .map((e) => ({ name: e.stateName ?? '', at: e.at.toISOString() }));
    return {
      status: execution.status,
      ...(execution.error ? { error: `${execution.error}: ${execution.cause ?? ''}` } : {}),
      entered,
    };
  }
}

/**
 * A harness for the rule from `start` (an ISO instant), resumed by the SFN mock's SendTaskSuccess (which the handlers
 * call when a payment or an operator ends a wait).
 */
export function startHarness(
  rule: BillingRule,
  handlers: WorkflowHandlers,
  start: string,
  sfn: Stub<SFNClientResolvedConfig>,
): WorkflowHarness {
  const harness = new WorkflowHarness(rule, handlers, new Date(start));
  sfn.on(SendTaskSuccessCommand).callsFake((input: { taskToken: string; output: string }) => {
    harness.sendTaskSuccess(input.taskToken, JSON.parse(input.output));
    return {};
  });
  return harness;
}

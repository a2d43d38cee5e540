import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  type DeleteScheduleCommandInput,
  GetScheduleCommand,
  type GetScheduleCommandInput,
  ResourceNotFoundException,
  SchedulerClient,
  type SchedulerClientResolvedConfig,
  type SchedulerServiceException,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { SendTaskSuccessCommand, type SFNClientResolvedConfig } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll } from 'vitest';
import { installClock } from '../../functions/platform/clock';
import type { BillingRule } from '../../functions/rules/billing-rule';
import { startDynamo as startDynalite } from '../../local/emulators/dynamo';
import { createTable } from '../../local/emulators/provision';
import { VirtualClock } from '../../local/stepfunctions/virtual-clock';
import { LocalWaitScheduler, SchedulerApiError } from '../../local/stepfunctions/wait-scheduler';
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
 * their virtual instants (the execution history). The waits' one-time schedules live in {@link schedules}, on the
 * same clock: a firing resumes its task token as Scheduler's call to SendTaskSuccess would.
 */
export class WorkflowHarness {
  private readonly clock: VirtualClock;
  private readonly runtime: LocalWorkflowRuntime;
  private readonly restoreClock: () => void;
  private readonly disposers: (() => void)[] = [];
  /** EventBridge Scheduler's one-time schedules on the harness's clock (what `startHarness` serves the mock from). */
  readonly schedules: LocalWaitScheduler;

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
    this.schedules = new LocalWaitScheduler({
      clock: this.clock,
      resume: (token, output) => this.sendTaskSuccess(token, output),
    });
    this.restoreClock = installClock(this.clock);
  }

  now(): Date {
    return this.clock.now();
  }

  /** Calls `fn` at {@link dispose} (e.g. to restore a mock the harness made). */
  onDispose(fn: () => void): void {
    this.disposers.push(fn);
  }

  dispose(): void {
    this.schedules.shutdown();
    for (const fn of this.disposers.splice(0)) fn();
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
  ): Promise<{
    status: string;
    error?: string;
    entered: { name: string; at: string }[];
    /** Errors a Catch caught, as the console shows them ("caught error"): `<at> <state> <error>`. */
    caught: string[];
  }> {
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
    const history = this.runtime.history(executionArn);
    const caught = history.flatMap((e, i) => {
      if (e.type !== 'StateCaught') return [];
      const failed = history.slice(0, i).findLast((f) => f.type === 'StateFailed' && f.stateName === e.stateName);
      return [`${e.at.toISOString()} ${e.stateName ?? ''} ${failed?.error ?? ''}`.trim()];
    });
    return {
      status: execution.status,
      ...(execution.error ? { error: `${execution.error}: ${execution.cause ?? ''}` } : {}),
      entered,
      caught,
    };
  }
}

/**
 * A harness for the rule from `start` (an ISO instant), resumed by the SFN mock's SendTaskSuccess (which the handlers
 * call when a payment or an operator ends a wait) and by the waits' schedules: the Scheduler mock's CreateSchedule,
 * DeleteSchedule and GetSchedule are served by the harness's {@link WorkflowHarness.schedules} (its errors thrown as
 * the SDK's exceptions of the same name), so a schedule fires at its instant on the harness's clock. Without
 * `scheduler`, the harness mocks SchedulerClient itself and restores it at `dispose()`; a test file that mocks
 * SchedulerClient itself (to inject faults, or to count calls) passes its mock.
 */
export function startHarness(
  rule: BillingRule,
  handlers: WorkflowHandlers,
  start: string,
  sfn: Stub<SFNClientResolvedConfig>,
  scheduler?: Stub<SchedulerClientResolvedConfig>,
): WorkflowHarness {
  const harness = new WorkflowHarness(rule, handlers, new Date(start));
  sfn.on(SendTaskSuccessCommand).callsFake((input: { taskToken: string; output: string }) => {
    harness.sendTaskSuccess(input.taskToken, JSON.parse(input.output));
    return {};
  });
  const schedulerMock = scheduler ?? mockClient(SchedulerClient);
  if (!scheduler) harness.onDispose(() => schedulerMock.restore());
  serveSchedules(schedulerMock, harness.schedules);
  return harness;
}

/** The SDK's exceptions by the local scheduler's error names. */
const SCHEDULER_EXCEPTIONS: Record<
  string,
  new (options: {
    message: string;
    Message: string;
    $metadata: object;
  }) => SchedulerServiceException
> = { ConflictException, ResourceNotFoundException, ValidationException };

/**
 * Serves a Scheduler mock's CreateSchedule / DeleteSchedule / GetSchedule from `schedules`; an error is thrown as the
 * SDK would throw it (its exception class, `name` the AWS code, the HTTP status in `$metadata`).
 */
export function serveSchedules(mock: Stub<SchedulerClientResolvedConfig>, schedules: LocalWaitScheduler): void {
  const answer =
    <Input>(call: (input: Input) => object) =>
    (input: Input) => {
      try {
        return call(input);
      } catch (error) {
        throw asSdkError(error);
      }
    };
  mock
    .on(CreateScheduleCommand)
    .callsFake(answer((input: CreateScheduleCommandInput) => schedules.createSchedule(input)));
  mock
    .on(DeleteScheduleCommand)
    .callsFake(answer((input: DeleteScheduleCommandInput) => schedules.deleteSchedule(input)));
  mock.on(GetScheduleCommand).callsFake(answer((input: GetScheduleCommandInput) => schedules.getSchedule(input)));
}

function asSdkError(error: unknown): unknown {
  if (!(error instanceof SchedulerApiError)) return error;
  const Exception = SCHEDULER_EXCEPTIONS[error.name];
  const $metadata = { httpStatusCode: error.statusCode };
  return Exception
    ? new Exception({ message: error.message, Message: error.message, $metadata })
    : Object.assign(new Error(error.message), { name: error.name, $metadata });
}

import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BillingRule } from '../../functions/domain/billing-rule';
import { installClock } from '../../functions/shared/clock';
import { startDynamo as startDynalite } from '../../local/emulators/dynamo';
import { createTable } from '../../local/emulators/provision';
import { VirtualClock } from '../../local/virtual-clock';
import { type JsonValue, LocalWorkflowRuntime } from '../../local/workflow-runtime';
import { workflowFor } from './definition';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

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
} as const;

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

/**
 * Runs the real stack's synthesized workflow for a rule on the local runtime (the engine `npm start` and
 * `dunning simulate` use), with the given handlers in-process, on a virtual clock; reports the states entered with
 * their virtual instants (the execution history).
 */
export class WorkflowHarness {
  private readonly clock: VirtualClock;
  private readonly runtime: LocalWorkflowRuntime;
  private readonly restoreClock: () => void;

  constructor(rule: BillingRule, handlers: Record<keyof typeof HANDLER_FILES, Handler>, start: Date) {
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

import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { StateMachine } from 'aws-local-stepfunctions';
// dynalite ships no types: a DynamoDB HTTP server (node:http Server) factory.
// @ts-expect-error untyped CommonJS module
import dynalite from 'dynalite';
import type { BillingRule } from '../../functions/domain/billing-rule';
import { installClock } from '../../functions/shared/clock';

export { startDynamo } from '../../local/preview/dynamo';

import { definitionOf, synthWorkflowTemplate } from './workflow-stack';

type Json = ReturnType<typeof JSON.parse>;
type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const TOKEN_PLACEHOLDER = '__TASK_TOKEN__';

interface Parked {
  readonly token: string;
  readonly stateName: string;
  readonly deadline: number;
  resolve(output: Json): void;
  reject(error: Error): void;
}

/** An event to inject while the execution waits, at a virtual instant. */
export interface ScheduledEvent {
  readonly at: Date;
  readonly run: () => Promise<unknown>;
}

/**
 * Runs the synthesized workflow definition with aws-local-stepfunctions on a virtual clock, the real handlers
 * in-process. `.waitForTaskToken` tasks are implemented here: the handler gets a fresh token, the task waits
 * until `sendTaskSuccess(token)` or until the virtual clock reaches its TimeoutSecondsPath (then `States.Timeout`).
 * One execution at a time: the clock only moves when the execution is parked in a wait.
 */
export class WorkflowHarness {
  private nowMs: number;
  private parked: Parked | undefined;
  private onPark: (() => void) | undefined;
  private readonly restoreClock: () => void;
  readonly definition: { StartAt: string; States: Record<string, Record<string, unknown>> };
  private readonly handlersByFunction: Record<string, Handler>;

  constructor(
    rule: BillingRule,
    handlers: Record<'planStage' | 'waitForEvent' | 'sendStage' | 'handleFailure', Handler>,
    start: Date,
  ) {
    this.nowMs = start.getTime();
    this.restoreClock = installClock({ now: () => new Date(this.nowMs) });
    const definition = definitionOf(synthWorkflowTemplate(rule));
    this.handlersByFunction = {
      PlanStage: handlers.planStage,
      WaitForEvent: handlers.waitForEvent,
      SendStage: handlers.sendStage,
      HandleFailure: handlers.handleFailure,
    };
    // aws-local-stepfunctions races every task against a real-time setTimeout: move the token waits' timeouts onto
    // the virtual clock (the override reads them) and give the library a large real-time bound that cannot overflow.
    for (const state of Object.values(definition.States)) {
      if (state.Type !== 'Task') continue;
      state.TimeoutSeconds = 2_000_000;
      if (typeof state.TimeoutSecondsPath === 'string') {
        const parameters = state.Parameters as Record<string, unknown>;
        parameters['__timeoutSeconds.$'] = state.TimeoutSecondsPath;
        delete state.TimeoutSecondsPath;
      }
    }
    this.definition = definition;
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  dispose(): void {
    this.restoreClock();
  }

  /** Resumes the parked wait whose token this is (what SendTaskSuccess does). */
  sendTaskSuccess(token: string, output: Json): void {
    if (!this.parked || this.parked.token !== token) {
      throw Object.assign(new Error('Task does not exist or timed out'), { name: 'TaskTimedOut' });
    }
    const parked = this.parked;
    this.parked = undefined;
    parked.resolve(output);
  }

  private handlerFor(functionName: string): Handler {
    const logicalId = functionName.split(':function:')[1] ?? '';
    const entry = Object.entries(this.handlersByFunction).find(([prefix]) => logicalId.startsWith(prefix));
    if (!entry) throw new Error(`No handler for ${functionName}`);
    return entry[1];
  }

  private overrides(): Record<string, (input: Json) => Promise<Json>> {
    const result: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [name, state] of Object.entries(this.definition.States)) {
      if (state.Type !== 'Task') continue;
      const waits = String(state.Resource).endsWith('.waitForTaskToken');
      result[name] = async (input: Json) => {
        const { FunctionName, Payload, __timeoutSeconds } = input as {
          FunctionName: string;
          Payload: Record<string, unknown>;
          __timeoutSeconds?: number;
        };
        const handler = this.handlerFor(FunctionName);
        const context = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 30_000 };
        if (!waits) return { Payload: await handler(Payload, context) };
        const token = `${name}#${randomUUID()}`;
        const output = new Promise<Json>((resolve, reject) => {
          this.parked = {
            token,
            stateName: name,
            deadline: this.nowMs + (__timeoutSeconds ?? 60) * 1000,
            resolve,
            reject,
          };
        });
        await handler({ ...Payload, taskToken: token }, context);
        // The handler may have resumed the token itself (invoice already paid): then there is nothing to park on.
        if (this.parked?.token === token) this.onPark?.();
        return output;
      };
    }
    return result;
  }

  /**
   * Runs one execution to its end. While it waits, events due before the wait's timeout run at their instant;
   * otherwise the clock jumps to the timeout. Returns the result, the ordered state names entered, and the clock
   * reading at each entry.
   */
  async run(
    input: { invoiceId: string },
    events: ScheduledEvent[] = [],
  ): Promise<{
    status: 'SUCCEEDED' | 'FAILED';
    output?: Json;
    error?: string;
    entered: { name: string; at: string }[];
  }> {
    const machine = new StateMachine(this.definition as never, { validationOptions: { checkPaths: false } });
    const retryIntervalOverrides = Object.fromEntries(
      Object.entries(this.definition.States)
        .filter(([, s]) => Array.isArray(s.Retry))
        .map(([name]) => [name, 0]),
    );
    const execution = machine.run(input, {
      overrides: { taskResourceLocalHandlers: this.overrides(), retryIntervalOverrides },
      context: { Task: { Token: TOKEN_PLACEHOLDER }, Execution: { Name: input.invoiceId } } as never,
    });
    const entered: { name: string; at: string }[] = [];
    const logs = (async () => {
      for await (const event of execution.eventLogs as AsyncGenerator<{ type: string; state?: { name: string } }>) {
        if (event.type === 'StateEntered')
          entered.push({ name: event.state?.name ?? '', at: this.now().toISOString() });
      }
    })();
    const pending = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
    let finished = false;
    const result = execution.result.then(
      (output) => ({ status: 'SUCCEEDED' as const, output }),
      (error: Error) => ({ status: 'FAILED' as const, error: `${error.name}: ${error.message}` }),
    );
    void result.then(() => {
      finished = true;
      this.onPark?.();
    });
    for (let steps = 0; steps < 10_000; steps++) {
      if (!finished && !this.parked) await new Promise<void>((resolve) => (this.onPark = resolve));
      this.onPark = undefined;
      if (finished) break;
      const parked = this.parked as Parked;
      const next = pending[0];
      if (next && next.at.getTime() <= parked.deadline) {
        pending.shift();
        this.nowMs = Math.max(this.nowMs, next.at.getTime());
        await next.run();
      } else {
        this.nowMs = parked.deadline;
        this.parked = undefined;
        parked.reject(Object.assign(new Error('wait timed out'), { name: 'States.Timeout' }));
      }
      // Give the execution time to move on to its next task (or end) before looking again.
      if (!finished && !this.parked) await new Promise<void>((resolve) => (this.onPark = resolve));
    }
    const outcome = await result;
    await logs;
    return { ...outcome, entered };
  }
}

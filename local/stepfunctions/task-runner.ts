import type { Execution } from './execution';
import { type InvokeLambda, type JsonValue, toJson } from './runtime-types';
import { lambdaFailure, StateError, statesRuntime, statesTimeout } from './task-errors';
import { asRecord, invokeParameters, timeoutOf, withToken } from './task-parameters';
import { newTaskToken, type TaskWaits } from './task-waits';
import type { VirtualClock } from './virtual-clock';
import { type LocalDefinition, type LocalStatePlan, RESERVED } from './virtual-timers';

/**
 * The task override the runtime gives aws-local-stepfunctions for each Task (and rewritten Wait) state: one attempt
 * after the pending retry backoff — a Lambda call to the in-process handler, a `.waitForTaskToken` call that parks
 * on a fresh token, or a Wait on the virtual clock — with failures turned into the errors Retry/Catch match.
 */
export class TaskRunner {
  constructor(
    private readonly clock: VirtualClock,
    private readonly local: LocalDefinition,
    private readonly invokeLambda: InvokeLambda,
    private readonly waits: TaskWaits,
  ) {}

  /** The task handlers of an execution, by state name (aws-local-stepfunctions' `taskResourceLocalHandlers`). */
  overridesFor(execution: Execution): Record<string, (input: JsonValue) => Promise<JsonValue>> {
    const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const plan of this.local.states.values()) {
      handlers[plan.name] = (input) => this.runTask(execution, plan, input);
    }
    return handlers;
  }

  /** One attempt of a Task (or rewritten Wait) state; waits the pending retry backoff first. */
  private async runTask(execution: Execution, plan: LocalStatePlan, input: JsonValue): Promise<JsonValue> {
    const backoffMs = execution.backoff.takeDelay(plan.name);
    try {
      if (backoffMs > 0) await this.waits.sleep(execution, new Date(this.clock.now().getTime() + backoffMs));
      const result = await this.attempt(execution, plan, input);
      execution.backoff.succeeded(plan.name);
      return result;
    } catch (thrown) {
      const error = thrown instanceof StateError ? thrown : lambdaFailure(thrown);
      execution.backoff.failed(plan.name, plan.retriers, error.name, error.isRetryable);
      throw error;
    }
  }

  private async attempt(execution: Execution, plan: LocalStatePlan, input: JsonValue): Promise<JsonValue> {
    switch (plan.kind) {
      case 'wait':
        return this.waitState(execution, plan, input);
      case 'lambda-function':
        return this.invoke(plan.resource, input);
      case 'lambda-invoke': {
        const { FunctionName, Payload } = invokeParameters(plan, input);
        return { ExecutedVersion: '$LATEST', Payload: await this.invoke(FunctionName, Payload), StatusCode: 200 };
      }
      case 'lambda-invoke-token':
        return this.waitForTaskToken(execution, plan, input);
    }
  }

  private async waitForTaskToken(execution: Execution, plan: LocalStatePlan, input: JsonValue): Promise<JsonValue> {
    const timeoutSeconds = timeoutOf(plan, input);
    const token = newTaskToken(execution.arn, plan.name);
    const { FunctionName, Payload } = invokeParameters(plan, withToken(input, token));
    const wait = this.waits.open(execution);
    this.waits.holdToken(token, wait);
    if (timeoutSeconds !== undefined) {
      const deadline = new Date(this.clock.now().getTime() + timeoutSeconds * 1000);
      wait.cancelTimer = this.clock.setTimer(
        deadline,
        () => wait.reject(statesTimeout(timeoutSeconds)),
        execution.name,
        { deadline: isOpenEndedHold(Payload) },
      );
    }
    try {
      await this.invoke(FunctionName, Payload);
    } catch (error) {
      wait.reject(error instanceof StateError ? error : lambdaFailure(error));
    }
    return this.waits.park(wait);
  }

  private async waitState(execution: Execution, plan: LocalStatePlan, input: JsonValue): Promise<JsonValue> {
    const params = asRecord(input, plan);
    const seconds = params[RESERVED.waitSeconds];
    const timestamp = params[RESERVED.waitTimestamp];
    let until: number;
    if (seconds !== undefined) {
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
        throw statesRuntime(`State "${plan.name}": the wait's seconds must be an integer >= 0, got ${String(seconds)}`);
      }
      until = this.clock.now().getTime() + seconds * 1000;
    } else {
      until = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
      if (Number.isNaN(until)) {
        throw statesRuntime(
          `State "${plan.name}": the wait's timestamp is not an ISO-8601 instant: ${String(timestamp)}`,
        );
      }
    }
    await this.waits.sleep(execution, new Date(until));
    return params[RESERVED.input] ?? null;
  }

  /** Calls the handler; its result goes through JSON as a Lambda's would. */
  private async invoke(functionName: string, payload: unknown): Promise<JsonValue> {
    try {
      return toJson(await this.invokeLambda(functionName, payload));
    } catch (error) {
      throw lambdaFailure(error);
    }
  }
}

/**
 * A hold with no end of its own (the workflow's `Paused or disputed` wait: `kind` 'hold', no `until`) times out only
 * at the execution's year, to plan again and continue in a new execution (functions/executions/execution-life.ts).
 * Like the year itself it is a deadline: it ends the wait when the clock gets there, but fast mode does not play a
 * year forward for it alone, so a simulation ends with the walk parked on its hold instead of walking it year after
 * year.
 */
function isOpenEndedHold(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return false;
  const { kind, until } = payload as { kind?: unknown; until?: unknown };
  return kind === 'hold' && (until === undefined || until === '');
}

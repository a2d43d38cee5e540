import type { VirtualClock } from './virtual-clock';

/**
 * The shapes the local workflow runtime speaks in (see {@link LocalWorkflowRuntime} in workflow-runtime.ts): JSON
 * values, execution statuses and descriptions, the records kept across a restart, and history events.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/**
 * The longest a Standard workflow execution runs (Step Functions quota "Maximum execution time": 1 year). AWS then
 * ends it TIMED_OUT, whatever state it is in — no Retry or Catch applies.
 */
export const STANDARD_EXECUTION_LIMIT_SECONDS = 365 * 24 * 60 * 60;

/** Calls the in-process handler of a Lambda function named in the definition (by ARN) with a payload. */
export type InvokeLambda = (functionName: string, payload: unknown) => Promise<unknown>;

export interface LocalWorkflowRuntimeOptions {
  /** The state machine definition (JSONPath ASL), e.g. from `extractStateMachineDefinition`. */
  readonly definition: object;
  readonly clock: VirtualClock;
  /** @default arn:aws:states:local:000000000000:stateMachine:dunning */
  readonly stateMachineArn?: string;
  /** Resolves a Lambda FunctionName (ARN) from the definition to an in-process handler and calls it. */
  readonly invokeLambda: InvokeLambda;
  /**
   * Keep each state's input and output in the history (`false` keeps names, types, errors and instants only, for
   * runs of many executions).
   * @default true
   */
  readonly recordStateData?: boolean;
  /**
   * How long an execution may run before it ends TIMED_OUT (a definition's own TimeoutSeconds ends it sooner when
   * shorter). Shorter values are for tests.
   * @default STANDARD_EXECUTION_LIMIT_SECONDS (365 days, as AWS)
   */
  readonly executionLimitSeconds?: number;
}

export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly input: JsonValue;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly output?: JsonValue;
  readonly error?: string;
  readonly cause?: string;
}

/** An execution as `LocalWorkflowRuntime.snapshot` keeps it across a restart (dates as ISO strings). */
export interface ExecutionRecord {
  readonly name: string;
  readonly input: JsonValue;
  readonly status: ExecutionStatus;
  readonly startDate: string;
  readonly stopDate?: string;
  readonly output?: JsonValue;
  readonly error?: string;
  readonly cause?: string;
}

export type ExecutionListItem = Pick<
  ExecutionDescription,
  'executionArn' | 'stateMachineArn' | 'name' | 'status' | 'startDate' | 'stopDate'
>;

export type HistoryEventType =
  | 'ExecutionStarted'
  | 'StateEntered'
  | 'StateExited'
  | 'StateFailed'
  | 'StateRetried'
  | 'StateCaught'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'ExecutionAborted'
  | 'ExecutionTimedOut';

/** One event of an execution's history, stamped with the virtual instant it happened at. */
export interface HistoryEvent {
  /** 1-based, in order. */
  readonly id: number;
  readonly type: HistoryEventType;
  readonly at: Date;
  readonly stateName?: string;
  /** The state's type in the definition as written (a Wait stays `Wait`). */
  readonly stateType?: string;
  readonly input?: JsonValue;
  readonly output?: JsonValue;
  readonly error?: string;
  readonly cause?: string;
  /** StateRetried: which retry of its retrier this is (1 for the first). */
  readonly retryAttempt?: number;
}

/** What a Lambda's result or a task output becomes through JSON (undefined → null). */
export function toJson(value: unknown): JsonValue {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

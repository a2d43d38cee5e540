import type { AslDefinition, AslState } from './asl';

/**
 * Rewrites a state machine definition so aws-local-stepfunctions can run it on a virtual clock: every timer the
 * library would arm with `setTimeout` (task timeouts, Wait states, the execution timeout) moves onto the
 * runtime's overrides, and `$$.Task.Token` becomes a placeholder the override fills with a fresh token.
 */

/** A Retry entry of a state (JSONPath ASL). */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'NONE' | 'FULL';
}

/** What the runtime's override does for a state. */
export type LocalStateKind =
  /** `arn:aws:states:::lambda:invoke`: calls the function with `Payload`, returns `{ Payload, StatusCode }`. */
  | 'lambda-invoke'
  /** `…lambda:invoke.waitForTaskToken`: calls the function, then waits for the token (or the virtual timeout). */
  | 'lambda-invoke-token'
  /** Resource is a Lambda function ARN: calls it with the state input, returns its result. */
  | 'lambda-function'
  /** A Wait state, rewritten into a Task whose override sleeps on the virtual clock. */
  | 'wait';

/** How the runtime runs one Task (or rewritten Wait) state. */
export interface LocalStatePlan {
  readonly name: string;
  /** The state's type in the original definition (`Task` or `Wait`). */
  readonly originalType: string;
  readonly kind: LocalStateKind;
  readonly resource: string;
  readonly retriers: readonly Retrier[];
}

/** A definition aws-local-stepfunctions runs without real-time timers, and how to override its states. */
export interface LocalDefinition {
  readonly definition: AslDefinition;
  readonly states: ReadonlyMap<string, LocalStatePlan>;
  /** The top-level TimeoutSeconds, to enforce on the virtual clock. */
  readonly executionTimeoutSeconds?: number;
  /** Every retryable state's retry interval set to 0 ms: the override waits the backoff on the virtual clock. */
  readonly retryIntervalOverrides: Record<string, number>;
}

/** Placeholder of `$$.Task.Token` in rewritten Parameters; the override replaces it with the task's token. */
export const TASK_TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';

/**
 * Where the rewritten definition reads the execution's start: aws-local-stepfunctions overwrites the context object's
 * `Execution.StartTime` with the wall clock's now, so `$$.Execution.StartTime` is rewritten to this field, which the
 * runtime fills with the virtual start (other fields of `Execution` it keeps).
 */
export const VIRTUAL_START_TIME = 'VirtualStartTime';

/** Reserved top-level Parameters fields the override reads and strips. */
export const RESERVED = {
  input: '__input',
  timeoutSeconds: '__timeoutSeconds',
  waitSeconds: '__waitSeconds',
  waitTimestamp: '__waitTimestamp',
} as const;

/**
 * The real-time bound left on every task: well past any virtual wait's real duration, below the ~24.8 days at which
 * setTimeout overflows and fires at once.
 */
export const REAL_TIME_TASK_TIMEOUT_SECONDS = 2_000_000;

/** Resource of the Task a Wait state becomes (never called: the override handles it). */
const WAIT_RESOURCE = 'arn:aws:states:::local:wait';

const LAMBDA_INVOKE = /^arn:[a-z-]+:states:::lambda:invoke$/;
const LAMBDA_INVOKE_TOKEN = /^arn:[a-z-]+:states:::lambda:invoke\.waitForTaskToken$/;
const LAMBDA_FUNCTION = /^arn:[a-z-]+:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/;

/**
 * Prepares `source` for the local runtime (the input is not modified). Throws an error naming the state for what
 * the runtime cannot run: Map / Parallel states (one thread per execution is what makes idle detection exact), a
 * Task resource other than a Lambda invocation, a `.waitForTaskToken` task without `$$.Task.Token`.
 */
export function prepareLocalDefinition(source: AslDefinition): LocalDefinition {
  if (!isRecord(source) || typeof source.StartAt !== 'string' || !isRecord(source.States)) {
    throw new Error('The state machine definition needs a StartAt string and a States object');
  }
  if ((source as unknown as Record<string, unknown>).QueryLanguage === 'JSONata') {
    throw new Error('The definition uses JSONata, which aws-local-stepfunctions ignores: build it in JSONPath');
  }
  const definition = structuredClone(source);
  const states = new Map<string, LocalStatePlan>();
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Map' || state.Type === 'Parallel') {
      throw new Error(`State "${name}": ${state.Type} states are not supported by the local workflow runtime`);
    }
    if (state.QueryLanguage === 'JSONata' || state.Assign !== undefined) {
      throw new Error(`State "${name}": JSONata and Assign (variables) are not supported locally: use JSONPath`);
    }
    if (isRecord(state.Parameters)) readVirtualStartTime(state.Parameters);
    if (state.Type === 'Task') states.set(name, rewriteTask(name, state));
    if (state.Type === 'Wait') states.set(name, rewriteWait(name, state));
    if (Array.isArray(state.Retry) && state.Retry.length > 0) retryIntervalOverrides[name] = 0;
  }
  const executionTimeoutSeconds = definition.TimeoutSeconds;
  delete definition.TimeoutSeconds;
  return {
    definition,
    states,
    ...(executionTimeoutSeconds !== undefined ? { executionTimeoutSeconds } : {}),
    retryIntervalOverrides,
  };
}

/** Every `"x.$": "$$.Execution.StartTime"` reads the virtual start instead ({@link VIRTUAL_START_TIME}), in place. */
function readVirtualStartTime(template: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && value === '$$.Execution.StartTime') template[key] = `$$.Execution.${VIRTUAL_START_TIME}`;
    else if (isRecord(value)) readVirtualStartTime(value);
  }
}

function rewriteTask(name: string, state: AslState): LocalStatePlan {
  const resource = typeof state.Resource === 'string' ? state.Resource : '';
  const kind: LocalStateKind | undefined = LAMBDA_INVOKE.test(resource)
    ? 'lambda-invoke'
    : LAMBDA_INVOKE_TOKEN.test(resource)
      ? 'lambda-invoke-token'
      : LAMBDA_FUNCTION.test(resource)
        ? 'lambda-function'
        : undefined;
  if (!kind) {
    throw new Error(
      `State "${name}": resource ${JSON.stringify(state.Resource)} is not supported by the local workflow runtime ` +
        '(supported: arn:aws:states:::lambda:invoke[.waitForTaskToken] and Lambda function ARNs)',
    );
  }
  const timeout = takeTimeout(state);
  state.TimeoutSeconds = REAL_TIME_TASK_TIMEOUT_SECONDS;
  if (kind === 'lambda-invoke-token') {
    if (!isRecord(state.Parameters) || !replaceTaskToken(state.Parameters)) {
      throw new Error(`State "${name}": a .waitForTaskToken task must pass "$$.Task.Token" in its Parameters`);
    }
    if (timeout) state.Parameters = { ...state.Parameters, ...timeout };
  } else if (isRecord(state.Parameters) && containsTaskToken(state.Parameters)) {
    throw new Error(`State "${name}": "$$.Task.Token" is only available to .waitForTaskToken tasks`);
  }
  return { name, originalType: 'Task', kind, resource, retriers: retriersOf(state) };
}

function rewriteWait(name: string, state: AslState): LocalStatePlan {
  const parameters: Record<string, unknown> = { [`${RESERVED.input}.$`]: '$' };
  if (state.Seconds !== undefined) parameters[RESERVED.waitSeconds] = state.Seconds;
  else if (state.SecondsPath !== undefined) parameters[`${RESERVED.waitSeconds}.$`] = state.SecondsPath;
  else if (state.Timestamp !== undefined) parameters[RESERVED.waitTimestamp] = state.Timestamp;
  else if (state.TimestampPath !== undefined) parameters[`${RESERVED.waitTimestamp}.$`] = state.TimestampPath;
  else throw new Error(`State "${name}": a Wait state needs Seconds, SecondsPath, Timestamp or TimestampPath`);
  for (const field of ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath']) delete state[field];
  state.Type = 'Task';
  state.Resource = WAIT_RESOURCE;
  state.Parameters = parameters;
  state.TimeoutSeconds = REAL_TIME_TASK_TIMEOUT_SECONDS;
  return { name, originalType: 'Wait', kind: 'wait', resource: WAIT_RESOURCE, retriers: [] };
}

/** Removes TimeoutSeconds / TimeoutSecondsPath from a task; returns them as reserved Parameters fields. */
function takeTimeout(state: AslState): Record<string, unknown> | undefined {
  const { TimeoutSeconds: seconds, TimeoutSecondsPath: path } = state;
  delete state.TimeoutSeconds;
  delete state.TimeoutSecondsPath;
  if (typeof seconds === 'number') return { [RESERVED.timeoutSeconds]: seconds };
  if (typeof path === 'string') return { [`${RESERVED.timeoutSeconds}.$`]: path };
  return undefined;
}

/** Replaces every `"x.$": "$$.Task.Token"` by `"x": placeholder`, in place; true if there was one. */
function replaceTaskToken(template: Record<string, unknown>): boolean {
  let found = false;
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && value === '$$.Task.Token') {
      delete template[key];
      template[key.slice(0, -2)] = TASK_TOKEN_PLACEHOLDER;
      found = true;
    } else if (isRecord(value)) {
      found = replaceTaskToken(value) || found;
    }
  }
  return found;
}

function containsTaskToken(template: Record<string, unknown>): boolean {
  return Object.values(template).some((value) =>
    isRecord(value) ? containsTaskToken(value) : typeof value === 'string' && value.includes('$$.Task.Token'),
  );
}

function retriersOf(state: AslState): Retrier[] {
  return Array.isArray(state.Retry) ? (state.Retry as Retrier[]) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

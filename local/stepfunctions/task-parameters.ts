import type { JsonValue } from './runtime-types';
import { statesRuntime } from './task-errors';
import { type LocalStatePlan, RESERVED, TASK_TOKEN_PLACEHOLDER } from './virtual-timers';

/**
 * Reading a task's resolved parameters as the runtime's task override gets them: the Lambda call
 * (`FunctionName`, `Payload`), the virtual timeout, the task token put in place of its placeholder.
 */

/** The task's parameters as an object; a `States.Runtime` error otherwise. */
export function asRecord(input: JsonValue, plan: LocalStatePlan): Record<string, JsonValue> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw statesRuntime(`State "${plan.name}": expected the task parameters to be an object`);
  }
  return input;
}

/** `{ FunctionName, Payload }` of a lambda:invoke task, the runtime's reserved fields left out. */
export function invokeParameters(plan: LocalStatePlan, input: JsonValue): { FunctionName: string; Payload: JsonValue } {
  const params = asRecord(input, plan);
  const functionName = params.FunctionName;
  if (typeof functionName !== 'string' || functionName.length === 0) {
    throw statesRuntime(`State "${plan.name}": Parameters.FunctionName must be a Lambda function name or ARN`);
  }
  return { FunctionName: functionName, Payload: params.Payload ?? {} };
}

/** The task's virtual timeout (TimeoutSeconds or the value at TimeoutSecondsPath), if it has one. */
export function timeoutOf(plan: LocalStatePlan, input: JsonValue): number | undefined {
  const value = asRecord(input, plan)[RESERVED.timeoutSeconds];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw statesRuntime(`State "${plan.name}": the task timeout must be an integer >= 1 second, got ${String(value)}`);
  }
  return value;
}

/** A copy of the parameters with the `$$.Task.Token` placeholder replaced by `token`. */
export function withToken(value: JsonValue, token: string): JsonValue {
  if (value === TASK_TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((item) => withToken(item, token));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withToken(item, token)]));
  }
  return value;
}

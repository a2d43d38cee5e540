/**
 * Errors the runtime's task overrides raise inside aws-local-stepfunctions. The library matches Retry/Catch on
 * `name`, puts `message` in the Catch output's `Cause`, and reads `isRetryable` / `isCatchable` when present.
 */
export class StateError extends Error {
  constructor(
    name: string,
    message: string,
    private readonly retryable = true,
    private readonly catchable = true,
  ) {
    super(message);
    this.name = name;
  }

  get isRetryable(): boolean {
    return this.retryable;
  }

  get isCatchable(): boolean {
    return this.catchable;
  }
}

/**
 * A failed Lambda invocation as Step Functions reports it: error = the thrown error's `name` (so Retry/Catch on
 * e.g. `TransientSendError` works), cause = `{"errorType","errorMessage"}` as JSON.
 */
export function lambdaFailure(thrown: unknown): StateError {
  const errorType =
    typeof thrown === 'object' && thrown !== null && typeof (thrown as { name?: unknown }).name === 'string'
      ? (thrown as { name: string }).name
      : 'Error';
  const errorMessage =
    thrown instanceof Error
      ? thrown.message
      : typeof thrown === 'object' && thrown !== null && typeof (thrown as { message?: unknown }).message === 'string'
        ? (thrown as { message: string }).message
        : String(thrown);
  return new StateError(errorType, JSON.stringify({ errorType, errorMessage }));
}

/** `States.Timeout` of a task whose virtual timeout passed. */
export function statesTimeout(seconds: number): StateError {
  return new StateError('States.Timeout', `The task did not complete within ${seconds} seconds (virtual clock)`);
}

/** `States.Runtime`: a definition/input problem; as on AWS, neither retried nor caught. */
export function statesRuntime(message: string): StateError {
  return new StateError('States.Runtime', message, false, false);
}

/** Unwinds a task of an execution that already ended (stopped or timed out): never retried nor caught. */
export function executionClosed(): StateError {
  return new StateError('States.ExecutionClosed', 'The execution has ended', false, false);
}

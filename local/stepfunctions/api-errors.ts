/**
 * Errors of the local Step Functions runtime, named as the Step Functions API names them: the local SFN endpoint
 * answers `{ "__type": error.name, "message": error.message }` with HTTP 400, which the real `@aws-sdk/client-sfn`
 * turns into its own exception classes of the same names.
 */
export abstract class StepFunctionsApiError extends Error {
  abstract override readonly name: string;
}

/** StartExecution: an execution of that name exists with another input, or has already ended. */
export class ExecutionAlreadyExists extends StepFunctionsApiError {
  override readonly name = 'ExecutionAlreadyExists';
}

/** No execution has that ARN. */
export class ExecutionDoesNotExist extends StepFunctionsApiError {
  override readonly name = 'ExecutionDoesNotExist';
}

/** The token was never issued by this runtime. */
export class TaskDoesNotExist extends StepFunctionsApiError {
  override readonly name = 'TaskDoesNotExist';
}

/** The token's task is no longer waiting: resumed already, timed out, or its execution ended. */
export class TaskTimedOut extends StepFunctionsApiError {
  override readonly name = 'TaskTimedOut';
}

/** The token is malformed (empty, too long, or not one this runtime could have issued). */
export class InvalidToken extends StepFunctionsApiError {
  override readonly name = 'InvalidToken';
}

/** The execution name breaks Step Functions' naming rules. */
export class InvalidName extends StepFunctionsApiError {
  override readonly name = 'InvalidName';
}

/** The execution input is not a JSON document. */
export class InvalidExecutionInput extends StepFunctionsApiError {
  override readonly name = 'InvalidExecutionInput';
}

/** The task output sent with SendTaskSuccess is not a JSON document. */
export class InvalidOutput extends StepFunctionsApiError {
  override readonly name = 'InvalidOutput';
}

/** The ARN is malformed. */
export class InvalidArn extends StepFunctionsApiError {
  override readonly name = 'InvalidArn';
}

/** The request names a state machine this runtime does not run. */
export class StateMachineDoesNotExist extends StepFunctionsApiError {
  override readonly name = 'StateMachineDoesNotExist';
}

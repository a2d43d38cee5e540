import { ExecutionDoesNotExist, InvalidArn, InvalidExecutionInput, InvalidName } from './api-errors';
import type { Execution } from './execution';
import type { ExecutionDescription, ExecutionListItem, ExecutionRecord, ExecutionStatus } from './runtime-types';

/**
 * The runtime's book of executions: ARNs of names, look-up by ARN, listing, descriptions and the snapshot a restart
 * carries on from, plus the checks Step Functions makes on an execution's name and input.
 */

/** Characters Step Functions refuses in execution names (besides whitespace and control characters). */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]/u;

export class ExecutionBook {
  private readonly executions = new Map<string, Execution>();

  constructor(private readonly stateMachineArn: string) {}

  /**
   * The ARN an execution of this name has (whether or not it exists), as AWS forms it: the state machine's ARN with
   * `stateMachine` turned `execution`, then the name — the form functions/executions/start-executions.ts assumes.
   */
  arnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  get(arn: string): Execution | undefined {
    return this.executions.get(arn);
  }

  has(arn: string): boolean {
    return this.executions.has(arn);
  }

  add(execution: Execution): void {
    this.executions.set(execution.arn, execution);
  }

  /** The execution of an ARN. Throws {@link ExecutionDoesNotExist} / {@link InvalidArn}. */
  find(executionArn: string): Execution {
    if (typeof executionArn !== 'string' || !executionArn.startsWith('arn:')) {
      throw new InvalidArn(`Invalid Arn: '${executionArn}'`);
    }
    const execution = this.executions.get(executionArn);
    if (!execution) throw new ExecutionDoesNotExist(`Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  /** The executions still running. */
  running(): Execution[] {
    return [...this.executions.values()].filter((e) => e.status === 'RUNNING');
  }

  /** Every execution's name, input, status and dates (not its history). */
  snapshot(): ExecutionRecord[] {
    return [...this.executions.values()].map((e) => ({
      name: e.name,
      input: e.input,
      status: e.status,
      startDate: e.startDate.toISOString(),
      ...(e.stopDate ? { stopDate: e.stopDate.toISOString() } : {}),
      ...(e.output !== undefined ? { output: e.output } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
    }));
  }

  /** Status, input, output or error of an execution. */
  describe(execution: Execution): ExecutionDescription {
    return {
      executionArn: execution.arn,
      stateMachineArn: this.stateMachineArn,
      name: execution.name,
      status: execution.status,
      input: execution.input,
      startDate: execution.startDate,
      ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
      ...(execution.output !== undefined ? { output: execution.output } : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    };
  }

  /** Executions, newest first; optionally only those with `statusFilter`. */
  list(filter: { statusFilter?: ExecutionStatus } = {}): ExecutionListItem[] {
    return [...this.executions.values()]
      .filter((e) => filter.statusFilter === undefined || e.status === filter.statusFilter)
      .reverse()
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
      .map((e) => ({
        executionArn: e.arn,
        stateMachineArn: this.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate,
        ...(e.stopDate ? { stopDate: e.stopDate } : {}),
      }));
  }
}

/** Throws {@link InvalidName} unless `name` is one Step Functions accepts for an execution. */
export function checkExecutionName(name: string): void {
  if (typeof name !== 'string' || name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) {
    throw new InvalidName(
      `Invalid execution name ${JSON.stringify(name)}: 1 to 80 characters, no whitespace, brackets, wildcards, ` +
        'control characters or any of " # % \\ ^ | ~ ` $ & , ; : /',
    );
  }
}

/** The execution input as JSON text (`{}` when there is none); throws {@link InvalidExecutionInput}. */
export function serializeInput(input: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(input ?? {});
  } catch (error) {
    throw new InvalidExecutionInput(`The execution input is not JSON: ${String(error)}`);
  }
  if (text === undefined) throw new InvalidExecutionInput('The execution input is not JSON');
  return text;
}

import { RetryBackoff } from './retry-backoff';
import type { ExecutionRecord, ExecutionStatus, HistoryEvent, JsonValue } from './runtime-types';
import type { CancelTimer } from './virtual-clock';

/**
 * The runtime's own record of one execution — its status, history, open waits and whether it is busy or parked —
 * and of one wait (a task token, a virtual timer) an execution is parked on.
 */

/** A promise an execution is parked on, settled once: by a task token, a virtual timer or the execution's end. */
export interface Wait {
  readonly execution: Execution;
  readonly promise: Promise<JsonValue>;
  settled: boolean;
  cancelTimer?: CancelTimer;
  resolve(value: JsonValue): void;
  reject(error: Error): void;
}

export interface Execution {
  readonly arn: string;
  readonly name: string;
  readonly inputText: string;
  readonly input: JsonValue;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: JsonValue;
  error?: string;
  cause?: string;
  /** Between states or inside a handler (as opposed to parked on a token or a virtual timer, or ended). */
  busy: boolean;
  released: boolean;
  readonly history: HistoryEvent[];
  transitions: number;
  readonly waits: Set<Wait>;
  readonly backoff: RetryBackoff;
  abort: () => void;
  cancelTimeout?: CancelTimer;
}

/** What identifies an execution and its input, before it runs. */
export type ExecutionBase = Pick<Execution, 'arn' | 'name' | 'inputText' | 'input' | 'startDate'>;

/** A new execution record, RUNNING and busy from its first state on. */
export function runningExecution(base: ExecutionBase): Execution {
  return {
    ...base,
    status: 'RUNNING',
    busy: true,
    released: false,
    history: [],
    transitions: 1,
    waits: new Set(),
    backoff: new RetryBackoff(),
    abort: () => {},
  };
}

/** An execution that had ended before a restart, as it ended (without its history). */
export function endedExecution(base: ExecutionBase, record: ExecutionRecord): Execution {
  return {
    ...base,
    status: record.status,
    ...(record.stopDate ? { stopDate: new Date(record.stopDate) } : {}),
    ...(record.output !== undefined ? { output: record.output } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
    busy: false,
    released: true,
    history: [],
    transitions: 0,
    waits: new Set(),
    backoff: new RetryBackoff(),
    abort: () => {},
  };
}

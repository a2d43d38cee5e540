import type { StateMachine } from 'aws-local-stepfunctions';
import type { Execution } from './execution';
import { type ExecutionStatus, type HistoryEvent, type HistoryEventType, toJson } from './runtime-types';
import type { VirtualClock } from './virtual-clock';
import type { LocalDefinition } from './virtual-timers';

/**
 * An execution's history: its events as aws-local-stepfunctions reports them (states entered, exited, failed,
 * retried, caught), stamped with the virtual instant and the state's type as written, the closing event of how it
 * ended, and the state transitions counted on the way. State input/output are kept only when asked to.
 */

type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const CLOSING: Record<Exclude<ExecutionStatus, 'RUNNING'>, HistoryEventType> = {
  SUCCEEDED: 'ExecutionSucceeded',
  FAILED: 'ExecutionFailed',
  ABORTED: 'ExecutionAborted',
  TIMED_OUT: 'ExecutionTimedOut',
};

export class HistoryRecorder {
  constructor(
    private readonly clock: VirtualClock,
    private readonly local: LocalDefinition,
    /** Keep each state's input and output (and the execution's output). */
    readonly recordStateData: boolean,
  ) {}

  /** Appends one event to the execution's history, numbered in order. */
  record(execution: Execution, event: Omit<HistoryEvent, 'id'>): void {
    execution.history.push({ id: execution.history.length + 1, ...event });
  }

  /** The closing event of an ended execution (succeeded, failed, aborted, timed out). */
  recordClosing(execution: Execution): void {
    this.record(execution, {
      type: CLOSING[execution.status as Exclude<ExecutionStatus, 'RUNNING'>],
      at: execution.stopDate ?? this.clock.now(),
      ...(execution.output !== undefined && this.recordStateData ? { output: execution.output } : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    });
  }

  /** Records the library's state events of a run as they come; resolves when the run's event log ends. */
  async consume(execution: Execution, events: AsyncGenerator<LibraryEvent>): Promise<void> {
    for await (const event of events) {
      if (!('state' in event) || event.type.startsWith('Execution')) continue;
      const stateName = event.state.name;
      const stateType = this.local.states.get(stateName)?.originalType ?? event.state.type;
      const data = this.recordStateData;
      const base = { at: this.clock.now(), stateName, stateType };
      switch (event.type) {
        case 'StateEntered':
          execution.transitions += 1;
          this.record(execution, {
            type: 'StateEntered',
            ...base,
            ...(data ? { input: toJson(event.state.input) } : {}),
          });
          break;
        case 'StateExited':
          this.record(execution, {
            type: 'StateExited',
            ...base,
            ...(data ? { output: toJson(event.state.output) } : {}),
          });
          break;
        case 'StateFailed':
          this.record(execution, { type: 'StateFailed', ...base, error: event.Error, cause: causeText(event.Cause) });
          break;
        case 'StateRetried':
          this.record(execution, { type: 'StateRetried', ...base, retryAttempt: event.retry.attempt });
          break;
        case 'StateCaught':
          this.record(execution, { type: 'StateCaught', ...base });
          break;
      }
    }
  }
}

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause) ?? '';
}

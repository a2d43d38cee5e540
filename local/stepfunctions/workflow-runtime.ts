import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { ExecutionAlreadyExists, InvalidArn, InvalidOutput } from './api-errors';
import { type AslDefinition, LOCAL_ACCOUNT, LOCAL_PARTITION, LOCAL_REGION } from './asl';
import { BusyLedger } from './busy-ledger';
import { type Execution, type ExecutionBase, endedExecution, runningExecution } from './execution';
import { checkExecutionName, ExecutionBook, serializeInput } from './execution-book';
import { HistoryRecorder } from './execution-history';
import {
  type ExecutionDescription,
  type ExecutionListItem,
  type ExecutionRecord,
  type ExecutionStatus,
  type HistoryEvent,
  type JsonValue,
  type LocalWorkflowRuntimeOptions,
  STANDARD_EXECUTION_LIMIT_SECONDS,
  toJson,
} from './runtime-types';
import { executionClosed, StateError } from './task-errors';
import { TaskRunner } from './task-runner';
import { TaskWaits } from './task-waits';
import type { CancelTimer, VirtualClock } from './virtual-clock';
import { type LocalDefinition, prepareLocalDefinition, VIRTUAL_START_TIME } from './virtual-timers';

export type {
  ExecutionDescription,
  ExecutionListItem,
  ExecutionRecord,
  ExecutionStatus,
  HistoryEvent,
  HistoryEventType,
  InvokeLambda,
  JsonValue,
  LocalWorkflowRuntimeOptions,
} from './runtime-types';
export { STANDARD_EXECUTION_LIMIT_SECONDS } from './runtime-types';

type Outcome = { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly error: unknown };

const DEFAULT_STATE_MACHINE_ARN = `arn:${LOCAL_PARTITION}:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:dunning`;

/**
 * Runs executions of one state machine definition with aws-local-stepfunctions, in process, on a
 * {@link VirtualClock}: Lambda tasks call in-process handlers; `.waitForTaskToken` tasks issue a fresh token, call
 * the handler with it and wait for {@link sendTaskSuccess} / {@link sendTaskFailure} or their TimeoutSeconds(Path)
 * on the virtual clock (`States.Timeout`); Retry backoffs and Wait states also wait on the virtual clock.
 *
 * It knows at every moment whether each execution is *busy* (between states, or inside a handler, real I/O
 * included) or *parked* (waiting on a token or a virtual timer), so {@link whenIdle} is exact and
 * {@link runUntilSettled} plays a 45-day billing rule out as fast as the handlers run.
 *
 * This file is the runtime's API and an execution's life (start, restore, stop, end); the parts are the book of
 * executions (execution-book.ts), the busy/parked count (busy-ledger.ts), the waits on tokens and timers
 * (task-waits.ts), the task override (task-runner.ts) and the history (execution-history.ts).
 */
export class LocalWorkflowRuntime {
  readonly stateMachineArn: string;
  private readonly clock: VirtualClock;
  private readonly local: LocalDefinition;
  private readonly machine: StateMachine;
  /** Set by {@link shutdown}: runs settling after it change nothing. */
  private shuttingDown = false;
  private readonly book: ExecutionBook;
  private readonly ledger = new BusyLedger();
  private readonly waits: TaskWaits;
  private readonly tasks: TaskRunner;
  private readonly recorder: HistoryRecorder;
  /** Seconds after its start at which an execution ends TIMED_OUT (the 1-year quota, or a shorter one for tests). */
  private readonly executionLimitSeconds: number;

  constructor(options: LocalWorkflowRuntimeOptions) {
    this.clock = options.clock;
    this.executionLimitSeconds = options.executionLimitSeconds ?? STANDARD_EXECUTION_LIMIT_SECONDS;
    if (!(this.executionLimitSeconds > 0)) {
      throw new RangeError(`executionLimitSeconds must be > 0, got ${options.executionLimitSeconds}`);
    }
    this.stateMachineArn = options.stateMachineArn ?? DEFAULT_STATE_MACHINE_ARN;
    if (!/^arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/.test(this.stateMachineArn)) {
      throw new InvalidArn(`Invalid state machine ARN: ${this.stateMachineArn}`);
    }
    this.local = prepareLocalDefinition(options.definition as AslDefinition);
    this.machine = new StateMachine(this.local.definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false },
    });
    this.book = new ExecutionBook(this.stateMachineArn);
    this.waits = new TaskWaits(this.clock, this.ledger);
    this.tasks = new TaskRunner(this.clock, this.local, options.invokeLambda, this.waits);
    this.recorder = new HistoryRecorder(this.clock, this.local, options.recordStateData ?? true);
  }

  /** The ARN an execution of this name has (whether or not it exists). */
  executionArnOf(name: string): string {
    return this.book.arnOf(name);
  }

  /**
   * Starts an execution at the clock's instant. Starting a name again while it runs with the identical input
   * returns the same execution (as AWS does for Standard workflows); with another input, or once it has ended,
   * throws {@link ExecutionAlreadyExists}. Throws {@link InvalidName} / {@link InvalidExecutionInput} for a bad
   * name / input.
   */
  startExecution(params: { name: string; input?: unknown }): { executionArn: string; startDate: Date } {
    const { name } = params;
    checkExecutionName(name);
    const inputText = serializeInput(params.input);
    const arn = this.executionArnOf(name);
    const existing = this.book.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.inputText === inputText) {
        return { executionArn: arn, startDate: existing.startDate };
      }
      const why = existing.status === 'RUNNING' ? 'running with another input' : existing.status.toLowerCase();
      throw new ExecutionAlreadyExists(`Execution Already Exists: '${arn}' (${why})`);
    }
    const input = JSON.parse(inputText) as JsonValue;
    const execution = this.launch({ arn, name, inputText, input, startDate: this.clock.now() });
    return { executionArn: arn, startDate: execution.startDate };
  }

  /**
   * What a restart needs to carry on: every execution's name, input, status and dates (not its history). Pass it
   * to {@link restore} on a new runtime.
   */
  snapshot(): ExecutionRecord[] {
    return this.book.snapshot();
  }

  /**
   * Brings back the executions of a {@link snapshot} (of a runtime that stopped): ended ones as they ended, and each
   * one that was RUNNING started again from its first state, with its name, input and start date — the workflow
   * is built to be re-entered (its plan step resumes from the invoice's current stage; sends are idempotent).
   * Their history starts again. Returns the names of the executions started again.
   */
  restore(records: readonly ExecutionRecord[]): string[] {
    const resumed: string[] = [];
    for (const record of records) {
      const arn = this.executionArnOf(record.name);
      if (this.book.has(arn)) throw new ExecutionAlreadyExists(`Execution Already Exists: '${arn}'`);
      const inputText = serializeInput(record.input);
      const base = { arn, name: record.name, inputText, input: record.input, startDate: new Date(record.startDate) };
      if (record.status === 'RUNNING') {
        this.launch(base);
        resumed.push(record.name);
        continue;
      }
      this.book.add(endedExecution(base, record));
    }
    return resumed;
  }

  /**
   * Resumes the task waiting on `token` with `output` (at its ResultPath). Throws {@link InvalidToken} for a
   * malformed token, {@link TaskDoesNotExist} for one never issued, {@link TaskTimedOut} when the task is no longer
   * waiting (resumed already, timed out, execution ended).
   */
  sendTaskSuccess(token: string, output: unknown): void {
    let json: JsonValue;
    try {
      json = toJson(output);
    } catch (error) {
      throw new InvalidOutput(`The task output is not JSON: ${String(error)}`);
    }
    this.waits.waitingTask(token).resolve(json);
  }

  /** Fails the task waiting on `token` with error name `error` (what Retry/Catch match) and `cause`. */
  sendTaskFailure(token: string, error: string, cause?: string): void {
    this.waits.waitingTask(token).reject(new StateError(error, cause ?? ''));
  }

  /** Heartbeats are accepted for waiting tasks and otherwise ignored (tasks have no heartbeat timeout locally). */
  sendTaskHeartbeat(token: string): void {
    this.waits.waitingTask(token);
  }

  /**
   * Stops a running execution (status ABORTED); no-op for an ended one. Throws {@link ExecutionDoesNotExist}.
   */
  stopExecution(executionArn: string, details: { error?: string; cause?: string } = {}): { stopDate: Date } {
    const execution = this.book.find(executionArn);
    if (execution.status === 'RUNNING') this.stop(execution, 'ABORTED', details.error, details.cause);
    return { stopDate: execution.stopDate ?? this.clock.now() };
  }

  /** Status, input, output or error of an execution. Throws {@link ExecutionDoesNotExist} / {@link InvalidArn}. */
  describeExecution(executionArn: string): ExecutionDescription {
    return this.book.describe(this.book.find(executionArn));
  }

  /** The execution's events in order: started, states entered/exited/failed/retried/caught, how it ended. */
  history(executionArn: string): readonly HistoryEvent[] {
    return [...this.book.find(executionArn).history];
  }

  /** State transitions so far, as AWS bills them (close enough): states entered + 1 for the start. */
  stateTransitions(executionArn: string): number {
    return this.book.find(executionArn).transitions;
  }

  /** Executions, newest first; optionally only those with `statusFilter`. */
  listExecutions(filter: { statusFilter?: ExecutionStatus } = {}): ExecutionListItem[] {
    return this.book.list(filter);
  }

  /** How many executions are running (busy or parked). */
  get running(): number {
    return this.ledger.running;
  }

  /** True when no execution is between states or inside a handler (see {@link whenIdle}). */
  get isIdle(): boolean {
    return this.ledger.isIdle;
  }

  /**
   * Resolves when no execution is between states or inside a handler: every one waits on a token or a virtual
   * timer, or has ended. Exact (counts busy executions, handler promises included), not a sleep.
   */
  whenIdle(): Promise<void> {
    return this.ledger.whenIdle();
  }

  /**
   * Fast mode: repeatedly waits for idle, then moves the clock to the next timer (a token timeout, a retry
   * backoff, a Wait) and fires it. Returns when no execution is running, when nothing is left to wake one
   * (all wait on tokens without timeout), or when the next timer lies after `until` (the clock then reads `until`).
   */
  async runUntilSettled(options: { until?: Date; oneAtATime?: boolean } = {}): Promise<void> {
    await this.clock.runFast({
      whenIdle: () => this.whenIdle(),
      ...(options.until ? { until: options.until } : {}),
      ...(options.oneAtATime ? { oneAtATime: true } : {}),
      stop: () => this.ledger.running === 0,
    });
  }

  /** Plays every timer due up to `at` (waiting for idle before each), then sets the clock to `at`. */
  advanceTo(at: Date): Promise<void> {
    return this.clock.advanceTo(at, () => this.whenIdle());
  }

  /** Starts running a new execution record from the definition's first state. */
  private launch(base: ExecutionBase): Execution {
    const { arn, name, input, startDate } = base;
    const execution = runningExecution(base);
    this.book.add(execution);
    this.ledger.started();
    this.recorder.record(execution, { type: 'ExecutionStarted', at: this.clock.now(), input });
    execution.cancelTimeout = this.armTimeout(execution);
    const run = this.machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: this.tasks.overridesFor(execution),
        retryIntervalOverrides: this.local.retryIntervalOverrides,
      },
      context: {
        Execution: {
          Id: arn,
          Name: name,
          StartTime: startDate.toISOString(),
          [VIRTUAL_START_TIME]: startDate.toISOString(),
        },
        StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineArn.split(':').pop() },
      },
    });
    execution.abort = run.abort;
    const consumed = this.recorder.consume(execution, run.eventLogs);
    void run.result
      .then(
        (output): Outcome => ({ ok: true, output }),
        (error: unknown): Outcome => ({ ok: false, error }),
      )
      .then(async (outcome) => {
        await consumed;
        this.complete(execution, outcome);
      });
    return execution;
  }

  /**
   * The timer that ends the execution TIMED_OUT (as AWS does, whatever task or wait it is in; no Retry or Catch
   * applies): at its definition's TimeoutSeconds, or at the maximum execution time of a Standard workflow (1 year)
   * when that comes first. The year is a deadline: fast mode does not play a year forward for it alone (a walk
   * parked on a token without timeout stays parked), paced mode and advanceTo reach it as they reach any instant.
   */
  private armTimeout(execution: Execution): CancelTimer {
    const defined = this.local.executionTimeoutSeconds;
    const limit = this.executionLimitSeconds;
    const end = (seconds: number, cause: string, options: { deadline?: boolean } = {}) =>
      this.clock.setTimer(
        new Date(execution.startDate.getTime() + seconds * 1000),
        () => this.stop(execution, 'TIMED_OUT', 'States.Timeout', cause),
        execution.name,
        options,
      );
    if (defined !== undefined && defined <= limit) {
      return end(defined, `The execution ran longer than ${defined} seconds`);
    }
    const cause = `The execution reached the maximum execution time of a Standard workflow (${limit} seconds)`;
    return end(limit, cause, { deadline: true });
  }

  /** Ends a running execution from outside (stop, execution timeout): the run is aborted and its waits closed. */
  private stop(execution: Execution, status: ExecutionStatus, error?: string, cause?: string): void {
    if (execution.status !== 'RUNNING') return;
    execution.status = status;
    execution.stopDate = this.clock.now();
    if (error !== undefined) execution.error = error;
    if (cause !== undefined) execution.cause = cause;
    this.release(execution);
    execution.abort();
  }

  /**
   * The runtime is going away (`npm start` stopping, a simulation done): every running execution's run is abandoned
   * as it is — its status stays RUNNING (a snapshot taken before carries it on) — and its waits and timers closed, so
   * nothing of it keeps the process alive (aws-local-stepfunctions arms a real timer for each running task).
   */
  shutdown(): void {
    this.shuttingDown = true;
    for (const execution of this.book.running()) {
      this.release(execution);
      execution.abort();
    }
  }

  /** The run settled and its events are recorded: sets the final status (unless stopped) and the closing event. */
  private complete(execution: Execution, outcome: Outcome): void {
    if (this.shuttingDown) return;
    if (execution.status === 'RUNNING') {
      execution.stopDate = this.clock.now();
      if (outcome.ok) {
        execution.status = 'SUCCEEDED';
        execution.output = toJson(outcome.output);
      } else {
        const failure = (outcome.error as { cause?: unknown }).cause ?? outcome.error;
        execution.status = 'FAILED';
        execution.error = (failure as { name?: string }).name ?? 'Error';
        execution.cause = (failure as { message?: string }).message ?? String(failure);
      }
    }
    this.recorder.recordClosing(execution);
    this.release(execution);
  }

  /** Once per execution: closes its waits and timers and stops counting it as running or busy. */
  private release(execution: Execution): void {
    if (execution.released) return;
    execution.cancelTimeout?.();
    this.ledger.markParked(execution);
    execution.released = true;
    this.ledger.ended();
    for (const wait of [...execution.waits]) wait.reject(executionClosed());
  }
}

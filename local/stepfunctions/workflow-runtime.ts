import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidOutput,
  InvalidToken,
  TaskDoesNotExist,
  TaskTimedOut,
} from './api-errors';
import { type AslDefinition, LOCAL_ACCOUNT, LOCAL_PARTITION, LOCAL_REGION } from './asl';
import { RetryBackoff } from './retry-backoff';
import { executionClosed, lambdaFailure, StateError, statesRuntime, statesTimeout } from './task-errors';
import type { CancelTimer, VirtualClock } from './virtual-clock';
import {
  type LocalDefinition,
  type LocalStatePlan,
  prepareLocalDefinition,
  RESERVED,
  TASK_TOKEN_PLACEHOLDER,
} from './virtual-timers';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

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

/** An execution as {@link LocalWorkflowRuntime.snapshot} keeps it across a restart (dates as ISO strings). */
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

type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

interface Wait {
  readonly execution: Execution;
  readonly promise: Promise<JsonValue>;
  settled: boolean;
  cancelTimer?: CancelTimer;
  resolve(value: JsonValue): void;
  reject(error: Error): void;
}

interface Execution {
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

type Outcome = { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly error: unknown };

const DEFAULT_STATE_MACHINE_ARN = `arn:${LOCAL_PARTITION}:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:dunning`;
const TOKEN_PREFIX = 'AQ';
const MAX_TOKEN_LENGTH = 2048;
/** Characters Step Functions refuses in execution names (besides whitespace and control characters). */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]/u;

/**
 * Runs executions of one state machine definition with aws-local-stepfunctions, in process, on a
 * {@link VirtualClock}: Lambda tasks call in-process handlers; `.waitForTaskToken` tasks issue a fresh token, call
 * the handler with it and wait for {@link sendTaskSuccess} / {@link sendTaskFailure} or their TimeoutSeconds(Path)
 * on the virtual clock (`States.Timeout`); Retry backoffs and Wait states also wait on the virtual clock.
 *
 * It knows at every moment whether each execution is *busy* (between states, or inside a handler, real I/O
 * included) or *parked* (waiting on a token or a virtual timer), so {@link whenIdle} is exact and
 * {@link runUntilSettled} plays a 45-day billing rule out as fast as the handlers run.
 */
export class LocalWorkflowRuntime {
  readonly stateMachineArn: string;
  private readonly clock: VirtualClock;
  private readonly invokeLambda: InvokeLambda;
  private readonly recordStateData: boolean;
  private readonly local: LocalDefinition;
  private readonly machine: StateMachine;
  private readonly executions = new Map<string, Execution>();
  private readonly tokens = new Map<string, Wait>();
  private busyCount = 0;
  private runningCount = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(options: LocalWorkflowRuntimeOptions) {
    this.clock = options.clock;
    this.invokeLambda = options.invokeLambda;
    this.recordStateData = options.recordStateData ?? true;
    this.stateMachineArn = options.stateMachineArn ?? DEFAULT_STATE_MACHINE_ARN;
    if (!/^arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/.test(this.stateMachineArn)) {
      throw new InvalidArn(`Invalid state machine ARN: ${this.stateMachineArn}`);
    }
    this.local = prepareLocalDefinition(options.definition as AslDefinition);
    this.machine = new StateMachine(this.local.definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false },
    });
  }

  /** The ARN an execution of this name has (whether or not it exists). */
  executionArnOf(name: string): string {
    const machineName = this.stateMachineArn.split(':').pop() as string;
    return `arn:${LOCAL_PARTITION}:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${machineName}:${name}`;
  }

  /**
   * Starts an execution at the clock's instant. Starting a name again while it runs with the identical input
   * returns the same execution (as AWS does for Standard workflows); with another input, or once it has ended,
   * throws {@link ExecutionAlreadyExists}. Throws {@link InvalidName} / {@link InvalidExecutionInput} for a bad
   * name / input.
   */
  startExecution(params: { name: string; input?: unknown }): { executionArn: string; startDate: Date } {
    const { name } = params;
    if (typeof name !== 'string' || name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) {
      throw new InvalidName(
        `Invalid execution name ${JSON.stringify(name)}: 1 to 80 characters, no whitespace, brackets, wildcards, ` +
          'control characters or any of " # % \\ ^ | ~ ` $ & , ; : /',
      );
    }
    const inputText = serializeInput(params.input);
    const arn = this.executionArnOf(name);
    const existing = this.executions.get(arn);
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
      if (this.executions.has(arn)) throw new ExecutionAlreadyExists(`Execution Already Exists: '${arn}'`);
      const inputText = serializeInput(record.input);
      const base = { arn, name: record.name, inputText, input: record.input, startDate: new Date(record.startDate) };
      if (record.status === 'RUNNING') {
        this.launch(base);
        resumed.push(record.name);
        continue;
      }
      this.executions.set(arn, {
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
      });
    }
    return resumed;
  }

  /** Starts running a new execution record from the definition's first state. */
  private launch(base: Pick<Execution, 'arn' | 'name' | 'inputText' | 'input' | 'startDate'>): Execution {
    const { arn, name, input, startDate } = base;
    const execution: Execution = {
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
    this.executions.set(arn, execution);
    this.busyCount += 1;
    this.runningCount += 1;
    this.record(execution, { type: 'ExecutionStarted', at: this.clock.now(), input });
    const timeoutSeconds = this.local.executionTimeoutSeconds;
    if (timeoutSeconds !== undefined) {
      execution.cancelTimeout = this.clock.setTimer(
        new Date(startDate.getTime() + timeoutSeconds * 1000),
        () =>
          this.stop(
            execution,
            'TIMED_OUT',
            'States.Timeout',
            `The execution ran longer than ${timeoutSeconds} seconds`,
          ),
        execution.name,
      );
    }
    const run = this.machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: this.overridesFor(execution),
        retryIntervalOverrides: this.local.retryIntervalOverrides,
      },
      context: {
        Execution: { Id: arn, Name: name, StartTime: startDate.toISOString() },
        StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineArn.split(':').pop() },
      },
    });
    execution.abort = run.abort;
    const consumed = this.consumeEvents(execution, run.eventLogs);
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
    this.waitingTask(token).resolve(json);
  }

  /** Fails the task waiting on `token` with error name `error` (what Retry/Catch match) and `cause`. */
  sendTaskFailure(token: string, error: string, cause?: string): void {
    this.waitingTask(token).reject(new StateError(error, cause ?? ''));
  }

  /** Heartbeats are accepted for waiting tasks and otherwise ignored (tasks have no heartbeat timeout locally). */
  sendTaskHeartbeat(token: string): void {
    this.waitingTask(token);
  }

  /**
   * Stops a running execution (status ABORTED); no-op for an ended one. Throws {@link ExecutionDoesNotExist}.
   */
  stopExecution(executionArn: string, details: { error?: string; cause?: string } = {}): { stopDate: Date } {
    const execution = this.find(executionArn);
    if (execution.status === 'RUNNING') this.stop(execution, 'ABORTED', details.error, details.cause);
    return { stopDate: execution.stopDate ?? this.clock.now() };
  }

  /** Status, input, output or error of an execution. Throws {@link ExecutionDoesNotExist} / {@link InvalidArn}. */
  describeExecution(executionArn: string): ExecutionDescription {
    const execution = this.find(executionArn);
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

  /** The execution's events in order: started, states entered/exited/failed/retried/caught, how it ended. */
  history(executionArn: string): readonly HistoryEvent[] {
    return [...this.find(executionArn).history];
  }

  /** State transitions so far, as AWS bills them (close enough): states entered + 1 for the start. */
  stateTransitions(executionArn: string): number {
    return this.find(executionArn).transitions;
  }

  /** Executions, newest first; optionally only those with `statusFilter`. */
  listExecutions(filter: { statusFilter?: ExecutionStatus } = {}): ExecutionListItem[] {
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

  /** How many executions are running (busy or parked). */
  get running(): number {
    return this.runningCount;
  }

  /** True when no execution is between states or inside a handler (see {@link whenIdle}). */
  get isIdle(): boolean {
    return this.busyCount === 0;
  }

  /**
   * Resolves when no execution is between states or inside a handler: every one waits on a token or a virtual
   * timer, or has ended. Exact (counts busy executions, handler promises included), not a sleep.
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.busyCount > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      // One macrotask turn: history consumers and promise continuations catch up before time may move.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.busyCount === 0) return;
    }
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
      stop: () => this.runningCount === 0,
    });
  }

  /** Plays every timer due up to `at` (waiting for idle before each), then sets the clock to `at`. */
  advanceTo(at: Date): Promise<void> {
    return this.clock.advanceTo(at, () => this.whenIdle());
  }

  private find(executionArn: string): Execution {
    if (typeof executionArn !== 'string' || !executionArn.startsWith('arn:')) {
      throw new InvalidArn(`Invalid Arn: '${executionArn}'`);
    }
    const execution = this.executions.get(executionArn);
    if (!execution) throw new ExecutionDoesNotExist(`Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  private waitingTask(token: string): Wait {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new InvalidToken('Invalid token: it must be 1 to 2048 characters');
    }
    const wait = this.tokens.get(token);
    if (!wait) {
      if (!isWellFormedToken(token)) throw new InvalidToken(`Invalid token: ${abbreviate(token)}`);
      throw new TaskDoesNotExist(`Task does not exist: no task was given the token ${abbreviate(token)}`);
    }
    if (wait.settled) {
      throw new TaskTimedOut(`Task Timed Out: the task of ${wait.execution.arn} holding this token is not waiting`);
    }
    return wait;
  }

  private overridesFor(execution: Execution): Record<string, (input: JsonValue) => Promise<JsonValue>> {
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
      if (backoffMs > 0) await this.sleep(execution, new Date(this.clock.now().getTime() + backoffMs));
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
    const token = `${TOKEN_PREFIX}${Buffer.from(`${execution.arn}|${plan.name}|${randomUUID()}`).toString('base64url')}`;
    const { FunctionName, Payload } = invokeParameters(plan, withToken(input, token));
    const wait = this.openWait(execution);
    this.tokens.set(token, wait);
    if (timeoutSeconds !== undefined) {
      const deadline = new Date(this.clock.now().getTime() + timeoutSeconds * 1000);
      wait.cancelTimer = this.clock.setTimer(
        deadline,
        () => wait.reject(statesTimeout(timeoutSeconds)),
        execution.name,
      );
    }
    try {
      await this.invoke(FunctionName, Payload);
    } catch (error) {
      wait.reject(error instanceof StateError ? error : lambdaFailure(error));
    }
    return this.park(wait);
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
    await this.sleep(execution, new Date(until));
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

  /** Parks the execution until the clock reaches `until` (no-op for an instant already reached). */
  private async sleep(execution: Execution, until: Date): Promise<void> {
    if (until.getTime() <= this.clock.now().getTime()) return;
    const wait = this.openWait(execution);
    wait.cancelTimer = this.clock.setTimer(until, () => wait.resolve(null), execution.name);
    await this.park(wait);
  }

  private openWait(execution: Execution): Wait {
    let resolvePromise: (value: JsonValue) => void = () => {};
    let rejectPromise: (error: Error) => void = () => {};
    const promise = new Promise<JsonValue>((resolve, reject) => {
      resolvePromise = resolve;
      rejectPromise = reject;
    });
    promise.catch(() => {}); // rejected before anyone awaits it is still handled
    const wait: Wait = {
      execution,
      promise,
      settled: false,
      resolve: (value) => {
        if (this.settle(wait)) resolvePromise(value);
      },
      reject: (error) => {
        if (this.settle(wait)) rejectPromise(error);
      },
    };
    if (execution.status !== 'RUNNING') wait.reject(executionClosed());
    else execution.waits.add(wait);
    return wait;
  }

  /** Marks the wait settled (once) and its execution busy again, synchronously, so idle is never seen in between. */
  private settle(wait: Wait): boolean {
    if (wait.settled) return false;
    wait.settled = true;
    wait.cancelTimer?.();
    wait.execution.waits.delete(wait);
    this.markBusy(wait.execution);
    return true;
  }

  private park(wait: Wait): Promise<JsonValue> {
    if (!wait.settled) this.markParked(wait.execution);
    return wait.promise;
  }

  private markBusy(execution: Execution): void {
    if (execution.busy || execution.released) return;
    execution.busy = true;
    this.busyCount += 1;
  }

  private markParked(execution: Execution): void {
    if (!execution.busy) return;
    execution.busy = false;
    this.busyCount -= 1;
    if (this.busyCount === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
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

  /** The run settled and its events are recorded: sets the final status (unless stopped) and the closing event. */
  private complete(execution: Execution, outcome: Outcome): void {
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
    const closing: Record<Exclude<ExecutionStatus, 'RUNNING'>, HistoryEventType> = {
      SUCCEEDED: 'ExecutionSucceeded',
      FAILED: 'ExecutionFailed',
      ABORTED: 'ExecutionAborted',
      TIMED_OUT: 'ExecutionTimedOut',
    };
    this.record(execution, {
      type: closing[execution.status as Exclude<ExecutionStatus, 'RUNNING'>],
      at: execution.stopDate ?? this.clock.now(),
      ...(execution.output !== undefined && this.recordStateData ? { output: execution.output } : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    });
    this.release(execution);
  }

  /** Once per execution: closes its waits and timers and stops counting it as running or busy. */
  private release(execution: Execution): void {
    if (execution.released) return;
    execution.cancelTimeout?.();
    this.markParked(execution);
    execution.released = true;
    this.runningCount -= 1;
    for (const wait of [...execution.waits]) wait.reject(executionClosed());
  }

  private async consumeEvents(execution: Execution, events: AsyncGenerator<LibraryEvent>): Promise<void> {
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

  private record(execution: Execution, event: Omit<HistoryEvent, 'id'>): void {
    execution.history.push({ id: execution.history.length + 1, ...event });
  }
}

function serializeInput(input: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(input ?? {});
  } catch (error) {
    throw new InvalidExecutionInput(`The execution input is not JSON: ${String(error)}`);
  }
  if (text === undefined) throw new InvalidExecutionInput('The execution input is not JSON');
  return text;
}

/** What a Lambda's result or a task output becomes through JSON (undefined → null). */
function toJson(value: unknown): JsonValue {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

function asRecord(input: JsonValue, plan: LocalStatePlan): Record<string, JsonValue> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw statesRuntime(`State "${plan.name}": expected the task parameters to be an object`);
  }
  return input;
}

/** `{ FunctionName, Payload }` of a lambda:invoke task, the runtime's reserved fields left out. */
function invokeParameters(plan: LocalStatePlan, input: JsonValue): { FunctionName: string; Payload: JsonValue } {
  const params = asRecord(input, plan);
  const functionName = params.FunctionName;
  if (typeof functionName !== 'string' || functionName.length === 0) {
    throw statesRuntime(`State "${plan.name}": Parameters.FunctionName must be a Lambda function name or ARN`);
  }
  return { FunctionName: functionName, Payload: params.Payload ?? {} };
}

/** The task's virtual timeout (TimeoutSeconds or the value at TimeoutSecondsPath), if it has one. */
function timeoutOf(plan: LocalStatePlan, input: JsonValue): number | undefined {
  const value = asRecord(input, plan)[RESERVED.timeoutSeconds];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw statesRuntime(`State "${plan.name}": the task timeout must be an integer >= 1 second, got ${String(value)}`);
  }
  return value;
}

/** A copy of the parameters with the `$$.Task.Token` placeholder replaced by `token`. */
function withToken(value: JsonValue, token: string): JsonValue {
  if (value === TASK_TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((item) => withToken(item, token));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withToken(item, token)]));
  }
  return value;
}

function isWellFormedToken(token: string): boolean {
  if (!token.startsWith(TOKEN_PREFIX) || !/^[A-Za-z0-9_-]+$/.test(token)) return false;
  return Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString().split('|').length === 3;
}

function abbreviate(token: string): string {
  return token.length > 24 ? `${token.slice(0, 24)}…` : token;
}

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause) ?? '';
}

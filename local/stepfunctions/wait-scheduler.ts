import type {
  CreateScheduleCommandInput,
  CreateScheduleOutput,
  DeleteScheduleCommandInput,
  GetScheduleCommandInput,
  GetScheduleOutput,
  ScheduleSummary,
  Target,
} from '@aws-sdk/client-scheduler';
import { LOCAL_ACCOUNT, LOCAL_PARTITION, LOCAL_REGION } from './asl';
import type { JsonValue } from './runtime-types';
import type { CancelTimer, VirtualClock } from './virtual-clock';

/**
 * EventBridge Scheduler's one-time schedules on the virtual clock, as far as the waits use them
 * (functions/executions/wait-schedules.ts): a schedule `at(yyyy-mm-ddThh:mm:ss)` (UTC) whose target is the universal
 * target `arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess` fires at its instant and resumes the task token its Input
 * names with its Output — what Scheduler would call Step Functions with. Nothing else is modelled: a rate() or cron()
 * expression, another time zone or another target is refused at creation (ValidationException).
 *
 * A schedule's timer is a **background** timer of the clock (as the reconciler's ticks): it fires when the clock
 * passes its instant, but never moves a fast run forward nor keeps a paced clock going by itself — a schedule left
 * behind (its wait ended otherwise) cannot keep a simulation alive. An instant already reached fires at the clock's
 * next turn. A firing whose token is stale (`TaskTimedOut`, `TaskDoesNotExist`, `InvalidToken`: the wait ended
 * already) is harmless, as on AWS; any other failure is reported through `onFiringError` (Scheduler's own retries of
 * a failed call are not modelled: the local runtime's `sendTaskSuccess` fails only for a stale token).
 *
 * Schedule groups are not modelled: any valid group name is accepted (`default` when none is given). Schedules live
 * in memory only: a restart of the local system starts every running execution again from its first state with new
 * task tokens, so a schedule kept across it could only resume a token that no longer exists.
 *
 * The methods take the SDK commands' inputs and answer their outputs (without `$metadata`); errors are
 * {@link SchedulerApiError}s named as Scheduler names them (`ConflictException`, `ResourceNotFoundException`,
 * `ValidationException`), which the local endpoint (scheduler-endpoint.ts) answers with Scheduler's HTTP statuses.
 */

/** An error of the local scheduler, named as EventBridge Scheduler names it (the SDK's exception of that name). */
export abstract class SchedulerApiError extends Error {
  abstract override readonly name: string;
  /** The HTTP status Scheduler answers it with. */
  abstract readonly statusCode: number;
}

/** A schedule of that name exists in the group already (CreateSchedule). */
export class ConflictException extends SchedulerApiError {
  override readonly name = 'ConflictException';
  readonly statusCode = 409;
}

/** No schedule of that name in the group (DeleteSchedule, GetSchedule). */
export class ResourceNotFoundException extends SchedulerApiError {
  override readonly name = 'ResourceNotFoundException';
  readonly statusCode = 404;
}

/** A field is missing or invalid, or asks for what is not modelled locally. */
export class ValidationException extends SchedulerApiError {
  override readonly name = 'ValidationException';
  readonly statusCode = 400;
}

/** The universal target that calls Step Functions' SendTaskSuccess (the only target modelled). */
export const SEND_TASK_SUCCESS_TARGET = 'arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess';

/** The errors of a resume that mean the token is no longer waiting: a late or duplicate firing, harmless. */
const STALE_TOKEN_ERRORS: ReadonlySet<string> = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

const DEFAULT_GROUP = 'default';
const NAME_PATTERN = /^[0-9A-Za-z_.-]{1,64}$/;
const AT_PATTERN = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Resumes a waiting task (SendTaskSuccess): the local system's `runtime.sendTaskSuccess(token, output)`. */
export type ResumeTask = (taskToken: string, output: JsonValue) => void | Promise<void>;

export interface LocalWaitSchedulerOptions {
  readonly clock: VirtualClock;
  /** What a firing calls (throws the runtime's errors: a stale token's are swallowed). */
  readonly resume: ResumeTask;
  /** A firing that failed for another reason than a stale token. @default logs it on stderr */
  readonly onFiringError?: (error: unknown, schedule: { name: string; groupName: string }) => void;
  /** For the schedules' ARNs. @default LOCAL_REGION, LOCAL_ACCOUNT */
  readonly region?: string;
  readonly account?: string;
}

/** A schedule as the local scheduler keeps it. */
interface Schedule {
  readonly name: string;
  readonly groupName: string;
  readonly arn: string;
  readonly expression: string;
  readonly timezone: string | undefined;
  readonly at: Date;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly description: string | undefined;
  readonly target: Target;
  readonly flexibleTimeWindow: NonNullable<CreateScheduleCommandInput['FlexibleTimeWindow']>;
  readonly actionAfterCompletion: 'NONE' | 'DELETE';
  readonly clientToken: string | undefined;
  readonly created: Date;
  readonly resume: { readonly taskToken: string; readonly output: JsonValue };
  /** Cancels the firing; undefined once it fired (or for a disabled schedule). */
  cancel: CancelTimer | undefined;
}

/** One-time schedules resuming task tokens at their instant, on a virtual clock (see the module's comment). */
export class LocalWaitScheduler {
  private readonly schedules = new Map<string, Schedule>();
  private readonly clock: VirtualClock;
  private readonly resume: ResumeTask;
  private readonly onFiringError: (error: unknown, schedule: { name: string; groupName: string }) => void;
  private readonly arnPrefix: string;
  private firedCount = 0;

  constructor(options: LocalWaitSchedulerOptions) {
    this.clock = options.clock;
    this.resume = options.resume;
    this.onFiringError =
      options.onFiringError ??
      ((error, schedule) => {
        const { name, message } = error as { name?: string; message?: string };
        console.error(`schedule ${schedule.groupName}/${schedule.name}: its call failed: ${name}: ${message}`);
      });
    const region = options.region ?? LOCAL_REGION;
    const account = options.account ?? LOCAL_ACCOUNT;
    this.arnPrefix = `arn:${LOCAL_PARTITION}:scheduler:${region}:${account}:schedule`;
  }

  /** How many schedules are waiting to fire. */
  get pending(): number {
    let count = 0;
    for (const schedule of this.schedules.values()) if (schedule.cancel) count++;
    return count;
  }

  /** How many schedules have fired (their call made, whatever it answered). */
  get fired(): number {
    return this.firedCount;
  }

  /**
   * CreateSchedule: a one-time schedule resuming a task token at its instant. Throws {@link ConflictException} when
   * the group has a schedule of that name (unless the request carries the ClientToken that created it: a retry of the
   * same request answers the same ARN), {@link ValidationException} for an invalid or unmodelled input.
   */
  createSchedule(input: CreateScheduleCommandInput): CreateScheduleOutput {
    const name = checkName(input.Name, 'Name');
    const groupName = input.GroupName === undefined ? DEFAULT_GROUP : checkName(input.GroupName, 'GroupName');
    const at = oneTimeInstant(input.ScheduleExpression, input.ScheduleExpressionTimezone);
    const target = checkTarget(input.Target);
    const resume = sendTaskSuccessInput(target.Input);
    const flexibleTimeWindow = checkFlexibleTimeWindow(input.FlexibleTimeWindow);
    const state = oneOf(input.State, 'State', ['ENABLED', 'DISABLED'] as const) ?? 'ENABLED';
    const actionAfterCompletion =
      oneOf(input.ActionAfterCompletion, 'ActionAfterCompletion', ['NONE', 'DELETE'] as const) ?? 'NONE';
    const description = optionalText(input.Description, 'Description', 512);
    const clientToken = optionalText(input.ClientToken, 'ClientToken', 64);

    const key = keyOf(groupName, name);
    const existing = this.schedules.get(key);
    if (existing) {
      if (clientToken !== undefined && existing.clientToken === clientToken) return { ScheduleArn: existing.arn };
      throw new ConflictException(`Schedule ${name} already exists.`);
    }
    const schedule: Schedule = {
      name,
      groupName,
      arn: `${this.arnPrefix}/${groupName}/${name}`,
      expression: input.ScheduleExpression as string,
      timezone: input.ScheduleExpressionTimezone,
      at,
      state,
      description,
      target,
      flexibleTimeWindow,
      actionAfterCompletion,
      clientToken,
      created: this.clock.now(),
      resume,
      cancel: undefined,
    };
    this.schedules.set(key, schedule);
    if (state === 'ENABLED') {
      // an instant already reached fires at the clock's next turn
      const when = new Date(Math.max(at.getTime(), this.clock.now().getTime()));
      schedule.cancel = this.clock.setTimer(when, () => this.fire(key, schedule), name, { background: true });
    }
    return { ScheduleArn: schedule.arn };
  }

  /** DeleteSchedule: the schedule is gone and will not fire. Throws {@link ResourceNotFoundException}. */
  deleteSchedule(input: DeleteScheduleCommandInput): Record<string, never> {
    const { key, schedule } = this.find(input);
    schedule.cancel?.();
    schedule.cancel = undefined;
    this.schedules.delete(key);
    return {};
  }

  /** GetSchedule. Throws {@link ResourceNotFoundException}. */
  getSchedule(input: GetScheduleCommandInput): GetScheduleOutput {
    const { schedule } = this.find(input);
    return {
      Arn: schedule.arn,
      GroupName: schedule.groupName,
      Name: schedule.name,
      ScheduleExpression: schedule.expression,
      ...(schedule.timezone === undefined ? {} : { ScheduleExpressionTimezone: schedule.timezone }),
      ...(schedule.description === undefined ? {} : { Description: schedule.description }),
      State: schedule.state,
      CreationDate: schedule.created,
      LastModificationDate: schedule.created,
      Target: schedule.target,
      FlexibleTimeWindow: schedule.flexibleTimeWindow,
      ActionAfterCompletion: schedule.actionAfterCompletion,
    };
  }

  /** The schedules (of one group, with a name prefix, if given), in group and name order, as ListSchedules lists them. */
  list(filter: { groupName?: string; namePrefix?: string } = {}): ScheduleSummary[] {
    return [...this.schedules.values()]
      .filter((s) => filter.groupName === undefined || s.groupName === filter.groupName)
      .filter((s) => filter.namePrefix === undefined || s.name.startsWith(filter.namePrefix))
      .sort((a, b) => compare(keyOf(a.groupName, a.name), keyOf(b.groupName, b.name)))
      .map((s) => ({
        Arn: s.arn,
        Name: s.name,
        GroupName: s.groupName,
        State: s.state,
        CreationDate: s.created,
        LastModificationDate: s.created,
        Target: { Arn: s.target.Arn },
      }));
  }

  /** Cancels every schedule's timer (the local system stopping); the schedules stay listed. */
  shutdown(): void {
    for (const schedule of this.schedules.values()) {
      schedule.cancel?.();
      schedule.cancel = undefined;
    }
  }

  private find(input: { Name?: string | undefined; GroupName?: string | undefined }): {
    key: string;
    schedule: Schedule;
  } {
    const name = checkName(input.Name, 'Name');
    const groupName = input.GroupName === undefined ? DEFAULT_GROUP : checkName(input.GroupName, 'GroupName');
    const key = keyOf(groupName, name);
    const schedule = this.schedules.get(key);
    if (!schedule) throw new ResourceNotFoundException(`Schedule ${name} does not exist.`);
    return { key, schedule };
  }

  /** The schedule's instant came: it calls its target (a stale token is harmless) and, with DELETE, is gone. */
  private fire(key: string, schedule: Schedule): void {
    if (this.schedules.get(key) !== schedule || !schedule.cancel) return;
    schedule.cancel = undefined;
    if (schedule.actionAfterCompletion === 'DELETE') this.schedules.delete(key);
    this.firedCount++;
    const failed = (error: unknown) => {
      if (STALE_TOKEN_ERRORS.has((error as { name?: string } | undefined)?.name ?? '')) return;
      this.onFiringError(error, { name: schedule.name, groupName: schedule.groupName });
    };
    try {
      const resumed = this.resume(schedule.resume.taskToken, schedule.resume.output);
      if (resumed instanceof Promise) resumed.catch(failed);
    } catch (error) {
      failed(error);
    }
  }
}

function keyOf(groupName: string, name: string): string {
  return `${groupName}/${name}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    throw new ValidationException(
      `${field} must be 1 to 64 characters of [0-9A-Za-z_.-], got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The instant of `at(yyyy-mm-ddThh:mm:ss)` in UTC (the only expression and time zone modelled). */
function oneTimeInstant(expression: unknown, timezone: unknown): Date {
  if (typeof expression !== 'string' || expression.length === 0) {
    throw new ValidationException('ScheduleExpression is required');
  }
  if (timezone !== undefined && timezone !== 'UTC') {
    throw new ValidationException(
      `ScheduleExpressionTimezone ${JSON.stringify(timezone)} is not modelled locally: give UTC or none`,
    );
  }
  const match = AT_PATTERN.exec(expression);
  if (!match) {
    const kind = /^(rate|cron)\(/.test(expression) ? 'a recurring schedule is not modelled locally; ' : '';
    throw new ValidationException(
      `Invalid Schedule Expression ${expression}: ${kind}give a one-time at(yyyy-mm-ddThh:mm:ss)`,
    );
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const real =
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === month - 1 &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute &&
    at.getUTCSeconds() === second;
  if (!real) throw new ValidationException(`Invalid Schedule Expression ${expression}: not a date and time`);
  return at;
}

function checkTarget(target: Target | undefined): Target {
  if (typeof target !== 'object' || target === null) throw new ValidationException('Target is required');
  if (target.Arn !== SEND_TASK_SUCCESS_TARGET) {
    throw new ValidationException(
      `Target.Arn ${JSON.stringify(target.Arn)} is not modelled locally: only ${SEND_TASK_SUCCESS_TARGET}`,
    );
  }
  if (typeof target.RoleArn !== 'string' || !ROLE_ARN_PATTERN.test(target.RoleArn)) {
    throw new ValidationException(`Target.RoleArn must be an IAM role ARN, got ${JSON.stringify(target.RoleArn)}`);
  }
  const retry = target.RetryPolicy;
  if (retry !== undefined) {
    inRange(retry.MaximumEventAgeInSeconds, 'Target.RetryPolicy.MaximumEventAgeInSeconds', 60, 86_400);
    inRange(retry.MaximumRetryAttempts, 'Target.RetryPolicy.MaximumRetryAttempts', 0, 185);
  }
  return target;
}

/**
 * The task token and output of SendTaskSuccess's Input (`{"TaskToken": …, "Output": "<JSON>"}`). Checked at creation
 * (Scheduler would only fail at the firing): a malformed Input is a bug better seen at once.
 */
function sendTaskSuccessInput(input: unknown): { taskToken: string; output: JsonValue } {
  if (typeof input !== 'string' || input.length === 0) {
    throw new ValidationException('Target.Input is required: {"TaskToken": "...", "Output": "<JSON>"}');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw new ValidationException('Target.Input is not JSON');
  }
  const { TaskToken, Output } = (parsed ?? {}) as { TaskToken?: unknown; Output?: unknown };
  if (typeof TaskToken !== 'string' || TaskToken.length === 0 || typeof Output !== 'string') {
    throw new ValidationException('Target.Input must be {"TaskToken": "<token>", "Output": "<JSON>"}');
  }
  try {
    return { taskToken: TaskToken, output: JSON.parse(Output) as JsonValue };
  } catch {
    throw new ValidationException('Target.Input.Output is not JSON');
  }
}

function checkFlexibleTimeWindow(
  window: CreateScheduleCommandInput['FlexibleTimeWindow'],
): NonNullable<CreateScheduleCommandInput['FlexibleTimeWindow']> {
  if (typeof window !== 'object' || window === null) throw new ValidationException('FlexibleTimeWindow is required');
  const mode = oneOf(window.Mode, 'FlexibleTimeWindow.Mode', ['OFF', 'FLEXIBLE'] as const);
  if (mode === undefined) throw new ValidationException('FlexibleTimeWindow.Mode is required');
  if (mode === 'FLEXIBLE') {
    // fires at the window's start, one of the instants Scheduler may pick
    if (window.MaximumWindowInMinutes === undefined) {
      throw new ValidationException('FlexibleTimeWindow.MaximumWindowInMinutes is required with Mode FLEXIBLE');
    }
    inRange(window.MaximumWindowInMinutes, 'FlexibleTimeWindow.MaximumWindowInMinutes', 1, 1440);
  }
  return window;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationException(`${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function optionalText(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw new ValidationException(`${field} must be a string of at most ${max} characters`);
  }
  return value;
}

function inRange(value: unknown, field: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationException(
      `${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
}

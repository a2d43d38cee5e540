import { AsyncLocalStorage } from 'node:async_hooks';
import { random as mulberry32 } from '../../bench/generate-portfolio';

/**
 * The fault plane of a simulation (`dunning simulate --faults`): the profile's faults drawn from one seeded PRNG,
 * the providers' rolling quotas, the Lambda concurrency limit, the outbox of every message an emulated provider
 * accepted, and the counts of what was injected. One per process (the local system is one per process): the
 * emulators and the handler host find it with {@link currentFaultPlane}.
 */

/** The calls a fault can name (docs/formats.md "Fault profiles"). `lambda:<handler>`: a file under functions/handlers/. */
export const SERVICE_CALLS = [
  'ses:SendEmail',
  'sns:Publish',
  'sfn:SendTaskSuccess',
  'sfn:StartExecution',
  'sqs:SendMessageBatch',
  'scheduler:CreateSchedule',
] as const;
export type ServiceCall = (typeof SERVICE_CALLS)[number];
export type FaultCall = ServiceCall | `lambda:${string}`;

export const FAULT_KINDS = ['throttle', '5xx', 'reset-after-accept', 'crash-after-send'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  readonly call: FaultCall;
  readonly kind: FaultKind;
  /** Share of the matching calls that fail, 0..1. */
  readonly rate: number;
}

export interface FaultProfile {
  readonly seed: number;
  readonly quotas: {
    /** SES's account sending quotas: maximum send rate (per rolling second) and sending quota (per rolling 24 h). */
    readonly email?: { readonly perSecond?: number; readonly perDay?: number };
    /** SNS's SMS transactions per second (per rolling second). */
    readonly sms?: { readonly perSecond?: number };
  };
  /** Lambda's concurrent executions: at most this many invocations in flight. */
  readonly lambdaConcurrency?: number;
  readonly faults: readonly FaultRule[];
}

/** One message an emulated provider accepted (docs/formats.md "Outbox"). */
export interface OutboxEntry {
  /** The virtual instant it was accepted (ISO, UTC). */
  readonly at: string;
  readonly channel: 'email' | 'sms' | 'escalate';
  readonly messageId: string;
  readonly invoiceId: string | null;
  readonly stageId: string | null;
}

/** A Lambda invocation hosted while the plane is on: who it is, so that a provider's accepted send can crash it. */
export interface HostedInvocation {
  readonly id: number;
  readonly handler: string;
}

/** The header the handlers' SDK clients carry their invocation in (so the emulator knows whose send it accepted). */
export const INVOCATION_HEADER = 'x-dunning-local-invocation';

/** The invocation the current async context runs in (set by the handler host through the plane). */
export const invocationContext = new AsyncLocalStorage<HostedInvocation>();

/** An error as Step Functions reports a failed Lambda invocation (its `name` is the error Retry/Catch match). */
export class LambdaInvocationError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A rolling window quota: at most `limit` events in any `spanMs` (the events in (now − span, now]). */
export class RollingWindow {
  private readonly events: number[] = [];
  private head = 0;

  constructor(
    readonly limit: number,
    readonly spanMs: number,
  ) {}

  /** Whether one more event at `nowMs` stays within the limit. */
  allows(nowMs: number): boolean {
    while (this.head < this.events.length && (this.events[this.head] as number) <= nowMs - this.spanMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
    return this.events.length - this.head < this.limit;
  }

  record(nowMs: number): void {
    this.events.push(nowMs);
  }
}

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;

/** Which quota refused a message, and the refusal as the service words it. */
export interface QuotaRefusal {
  readonly quota: 'email.perSecond' | 'email.perDay' | 'sms.perSecond';
  readonly message: string;
}

export class FaultPlane {
  readonly outbox: OutboxEntry[] = [];
  /** Faults injected, by `call kind` (e.g. `ses:SendEmail throttle`). */
  readonly injected = new Map<string, number>();
  /** Messages a quota refused, by quota. */
  readonly refused = new Map<string, number>();
  private readonly random: () => number;
  private readonly windows: {
    emailSecond?: RollingWindow;
    emailDay?: RollingWindow;
    smsSecond?: RollingWindow;
  } = {};
  private readonly armed = new Set<number>();
  private inFlight = 0;
  private invocations = 0;
  private messages = 0;
  /** Handlers the workflow's tasks run (what Step Functions invokes); undefined = every handler. */
  private workflowHandlers: ReadonlySet<string> | undefined;

  /**
   * @param shard the worker's index (0 in a single process): its PRNG is seeded with `seed + shard`, its message ids
   * carry it, so shards never share an id.
   */
  constructor(
    readonly profile: FaultProfile,
    readonly shard: number,
    private readonly now: () => Date,
  ) {
    this.random = mulberry32(profile.seed + shard);
    const { email, sms } = profile.quotas;
    if (email?.perSecond !== undefined) this.windows.emailSecond = new RollingWindow(email.perSecond, SECOND_MS);
    if (email?.perDay !== undefined) this.windows.emailDay = new RollingWindow(email.perDay, DAY_MS);
    if (sms?.perSecond !== undefined) this.windows.smsSecond = new RollingWindow(sms.perSecond, SECOND_MS);
  }

  /** Restricts the `lambda:` faults to the handlers the workflow invokes (an API or event-source Lambda is not one). */
  setWorkflowHandlers(handlers: Iterable<string>): void {
    this.workflowHandlers = new Set(handlers);
  }

  /**
   * The fault to inject into this call, if any: each rule naming the call (or `lambda:*` for a Lambda) draws once,
   * in profile order; the first whose draw falls under its rate wins. `kinds` limits the rules to those this place
   * injects (the others are injected elsewhere and must not draw here).
   */
  draw(call: FaultCall, kinds: readonly FaultKind[]): FaultKind | undefined {
    for (const rule of this.profile.faults) {
      const matches = rule.call === call || (rule.call === 'lambda:*' && call.startsWith('lambda:'));
      if (!matches || !kinds.includes(rule.kind)) continue;
      if (this.random() < rule.rate) {
        this.count(call, rule.kind);
        return rule.kind;
      }
    }
    return undefined;
  }

  /** Counts a fault injected elsewhere (or here). */
  count(call: FaultCall, kind: FaultKind): void {
    const key = `${call} ${kind}`;
    this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
  }

  /**
   * Whether the channel's quotas let one more message through now (SES: maximum send rate per second and the
   * 24-hour sending quota; SNS: SMS per second). Counted against the messages accepted, as the services count them.
   */
  quotaRefusal(channel: 'email' | 'sms'): QuotaRefusal | undefined {
    const nowMs = this.now().getTime();
    let refusal: QuotaRefusal | undefined;
    if (channel === 'email') {
      // SES's wording for both quotas (Errors related to the sending quotas for your Amazon SES account).
      if (this.windows.emailSecond && !this.windows.emailSecond.allows(nowMs))
        refusal = { quota: 'email.perSecond', message: 'Maximum sending rate exceeded.' };
      else if (this.windows.emailDay && !this.windows.emailDay.allows(nowMs))
        refusal = { quota: 'email.perDay', message: 'Daily message quota exceeded.' };
    } else if (this.windows.smsSecond && !this.windows.smsSecond.allows(nowMs)) {
      refusal = { quota: 'sms.perSecond', message: 'Rate exceeded' };
    }
    if (refusal) this.refused.set(refusal.quota, (this.refused.get(refusal.quota) ?? 0) + 1);
    return refusal;
  }

  /** A provider's message id for the next accepted message: deterministic, unique across shards. */
  nextMessageId(prefix: string): string {
    this.messages++;
    return `${prefix}-${this.shard}-${String(this.messages).padStart(8, '0')}`;
  }

  /**
   * A provider accepted a message: into the outbox (and the quota windows). With a `crash-after-send` fault drawn
   * for the send (by its call, or by the Lambda that made it), the invocation that sent it is armed to crash when
   * its handler returns. `invocation` is the value of {@link INVOCATION_HEADER}, when the request carried one.
   */
  accepted(call: ServiceCall, entry: Omit<OutboxEntry, 'at'>, invocation: string | undefined): void {
    const nowMs = this.now().getTime();
    this.outbox.push({ at: new Date(nowMs).toISOString(), ...entry });
    if (entry.channel === 'email') {
      this.windows.emailSecond?.record(nowMs);
      this.windows.emailDay?.record(nowMs);
    } else if (entry.channel === 'sms') {
      this.windows.smsSecond?.record(nowMs);
    }
    const hosted = invocation === undefined ? undefined : parseInvocation(invocation);
    if (!hosted || !this.isWorkflowHandler(hosted.handler)) return;
    const crash = this.draw(call, ['crash-after-send']) ?? this.draw(`lambda:${hosted.handler}`, ['crash-after-send']);
    if (crash) this.armed.add(hosted.id);
  }

  /**
   * Runs one Lambda invocation as Lambda would under the profile: refused with `Lambda.TooManyRequestsException`
   * past the concurrency limit (Lambda's concurrent executions quota) or when a `throttle` is drawn, with
   * `Lambda.ServiceException` for a `5xx` (both before the handler runs, as Step Functions sees them); a
   * `crash-after-send` armed during the run fails it as a crashed runtime, `Lambda.Unknown` (Step Functions reports
   * a Lambda's unhandled errors — its runtime exiting, out of memory, a timeout — under that name).
   */
  async host<T>(handler: string, run: () => Promise<T>): Promise<T> {
    const invocation: HostedInvocation = { id: ++this.invocations, handler };
    if (!this.isWorkflowHandler(handler)) return invocationContext.run(invocation, run);
    const limit = this.profile.lambdaConcurrency;
    if (limit !== undefined && this.inFlight >= limit) {
      this.refused.set('lambdaConcurrency', (this.refused.get('lambdaConcurrency') ?? 0) + 1);
      throw new LambdaInvocationError('Lambda.TooManyRequestsException', 'Rate Exceeded. (concurrency limit)');
    }
    const fault = this.draw(`lambda:${handler}`, ['throttle', '5xx']);
    if (fault === 'throttle') throw new LambdaInvocationError('Lambda.TooManyRequestsException', 'Rate Exceeded.');
    if (fault === '5xx') throw new LambdaInvocationError('Lambda.ServiceException', 'Lambda service error (injected)');
    this.inFlight++;
    try {
      const result = await invocationContext.run(invocation, run);
      if (this.armed.delete(invocation.id)) throw crashed(handler);
      return result;
    } catch (error) {
      if (this.armed.delete(invocation.id)) throw crashed(handler);
      throw error;
    } finally {
      this.inFlight--;
    }
  }

  private isWorkflowHandler(handler: string): boolean {
    return this.workflowHandlers === undefined || this.workflowHandlers.has(handler);
  }
}

function crashed(handler: string): LambdaInvocationError {
  return new LambdaInvocationError(
    'Lambda.Unknown',
    `The ${handler} runtime exited right after its provider call (injected crash-after-send): Runtime.ExitError`,
  );
}

/** `<id>:<handler>` as {@link invocationHeaderValue} writes it. */
function parseInvocation(value: string): HostedInvocation | undefined {
  const colon = value.indexOf(':');
  const id = Number(value.slice(0, colon));
  return colon > 0 && Number.isInteger(id) ? { id, handler: value.slice(colon + 1) } : undefined;
}

/** The {@link INVOCATION_HEADER} value of the current invocation, if any. */
export function invocationHeaderValue(): string | undefined {
  const hosted = invocationContext.getStore();
  return hosted ? `${hosted.id}:${hosted.handler}` : undefined;
}

let current: FaultPlane | undefined;

/** Makes `plane` the process's fault plane (undefined: none); the emulators started after this use it. */
export function installFaultPlane(plane: FaultPlane | undefined): void {
  current = plane;
}

/** The process's fault plane, if a simulation installed one. */
export function currentFaultPlane(): FaultPlane | undefined {
  return current;
}

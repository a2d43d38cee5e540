import { type FaultPlane, INVOCATION_HEADER, invocationHeaderValue } from '../emulators/fault-plane';

/**
 * The fault plane on the handlers' own SDK clients (functions/platform/clients.ts: the module-level clients every
 * handler uses), for what is not injected at an emulator's HTTP level:
 *
 * - Step Functions (`sfn:SendTaskSuccess`, `sfn:StartExecution`), SQS (`sqs:SendMessageBatch`) and EventBridge
 *   Scheduler (`scheduler:CreateSchedule`) faults, injected inside the SDK's retry loop (step `finalizeRequest`, below
 *   the retry middleware), so the client's own retry policy meets each one as it would meet the service's answer: a
 *   throttle is `ThrottlingException` (HTTP 400, the services' "Rate exceeded"; Scheduler's is HTTP 429), a 5xx
 *   `InternalFailure` (HTTP 500; Scheduler's `InternalServerException`), `reset-after-accept` the request done and
 *   then the connection reset (`ECONNRESET`, which the SDK retries as a transient network error);
 * - the invocation header on the requests (the SES and SNS emulators read it), so that the emulator that accepts a message knows which Lambda
 *   invocation sent it (`crash-after-send`);
 * - the SDK's retry backoff without its real-time sleep: the virtual clock stands still while a handler runs, so
 *   the sleep would cost wall time and change nothing the simulation sees (every retry decision, attempt count and
 *   retry-quota token stays the SDK's own).
 */

/** The part of an SDK v3 client this module touches (its middleware stack and its resolved config). */
export interface SdkClient {
  readonly middlewareStack: { add(middleware: never, options: object): void };
  readonly config: object;
}

type Next = (args: { request: unknown; input: Record<string, unknown> }) => Promise<unknown>;
type Middleware = (next: Next, context: { commandName?: string }) => Next;

type ClientCall = 'sfn:SendTaskSuccess' | 'sfn:StartExecution' | 'sqs:SendMessageBatch' | 'scheduler:CreateSchedule';

const CLIENT_CALLS: Readonly<Record<string, ClientCall>> = {
  SendTaskSuccessCommand: 'sfn:SendTaskSuccess',
  StartExecutionCommand: 'sfn:StartExecution',
  SendMessageBatchCommand: 'sqs:SendMessageBatch',
  CreateScheduleCommand: 'scheduler:CreateSchedule',
};

/** The handlers' clients that make the calls above. */
const FAULTED_CLIENTS = ['sfn', 'sqs', 'scheduler'] as const;

/** A service's refusal as its SDK reads it: the error code and HTTP status of a throttle and of a 5xx. */
interface Refusals {
  readonly throttle: { readonly name: string; readonly status: number; readonly message: string };
  readonly '5xx': { readonly name: string; readonly status: number; readonly message: string };
}

const AWS_JSON_REFUSALS: Refusals = {
  throttle: { name: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  '5xx': { name: 'InternalFailure', status: 500, message: 'The request processing has failed (injected)' },
};

/** EventBridge Scheduler's (its model: ThrottlingException is HTTP 429, InternalServerException HTTP 500). */
const SCHEDULER_REFUSALS: Refusals = {
  throttle: { name: 'ThrottlingException', status: 429, message: 'Rate exceeded' },
  '5xx': { name: 'InternalServerException', status: 500, message: 'Unexpected error (injected)' },
};

function refusalsOf(call: ClientCall): Refusals {
  return call === 'scheduler:CreateSchedule' ? SCHEDULER_REFUSALS : AWS_JSON_REFUSALS;
}

/** Installs the plane on the handlers' clients (import them after the local system started). */
export async function installClientFaults(plane: FaultPlane): Promise<void> {
  const clients = (await import('../../functions/platform/clients')) as unknown as Record<string, SdkClient>;
  for (const [name, client] of Object.entries(clients)) {
    // every client (the senders sesSend / snsSend included): only the SES and SNS emulators read the header
    installFaultsOn(client, plane, { serviceFaults: (FAULTED_CLIENTS as readonly string[]).includes(name) });
  }
}

/**
 * The plane on one client: its service faults (`serviceFaults`: a client making the calls above), the invocation
 * header, no real-time retry sleep.
 */
export function installFaultsOn(client: SdkClient, plane: FaultPlane, options: { serviceFaults: boolean }): void {
  const add = (middleware: Middleware, where: object) =>
    // The stack's types are generic over every command's input and output: this middleware sees them all.
    client.middlewareStack.add(middleware as never, where);
  if (options.serviceFaults) {
    add(serviceFaults(plane), { step: 'finalizeRequest', priority: 'low', name: 'simulatorFaults' });
  }
  add(invocationHeader, { step: 'build', name: 'simulatorInvocationHeader' });
  withoutRetrySleep(client);
}

function serviceFaults(plane: FaultPlane): Middleware {
  return (next, context) => async (args) => {
    const call = CLIENT_CALLS[context.commandName ?? ''];
    if (!call) return next(args);
    const fault = plane.draw(call, ['throttle', '5xx', 'reset-after-accept']);
    if (fault === 'throttle' || fault === '5xx') {
      const { name, status, message } = refusalsOf(call)[fault];
      throw serviceError(name, status, message);
    }
    const result = await next(args);
    if (fault === 'reset-after-accept') {
      // The service did the work; the answer never arrived.
      throw Object.assign(new Error('socket hang up (injected reset-after-accept)'), { code: 'ECONNRESET' });
    }
    return result;
  };
}

const invocationHeader: Middleware = (next) => async (args) => {
  const value = invocationHeaderValue();
  const request = args.request as { headers?: Record<string, string> } | undefined;
  if (value !== undefined && request?.headers) request.headers[INVOCATION_HEADER] = value;
  return next(args);
};

function serviceError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** A retry token as the SDK's retry middleware reads it. */
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

interface RetryStrategyV2 {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, error: unknown): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
  /**
   * The standard strategy's backoff (@smithy/core 3.x): its refreshRetryTokenForRetry sleeps the delay this computes
   * before it answers the next token, rather than leaving the sleep to the middleware.
   */
  retryBackoffStrategy?: { computeNextBackoffDelay(attempts: number): number; setDelayBase(delay: number): void };
}

/** A backoff of 0 ms at every attempt. */
const NO_BACKOFF = { computeNextBackoffDelay: () => 0, setDelayBase: () => {} };

/** The client's retry strategy, with every retry delay 0 (see the module's comment). */
function withoutRetrySleep(client: SdkClient): void {
  const config = client.config as { retryStrategy?: () => Promise<unknown> };
  const original = config.retryStrategy;
  if (typeof original !== 'function') return;
  config.retryStrategy = async () => {
    const strategy = (await original()) as Partial<RetryStrategyV2>;
    if (typeof strategy.refreshRetryTokenForRetry !== 'function') return strategy;
    const v2 = strategy as RetryStrategyV2;
    // The standard strategy sleeps its backoff itself: the same decisions, without the wait.
    if (v2.retryBackoffStrategy !== undefined) v2.retryBackoffStrategy = NO_BACKOFF;
    // The strategy reads its own tokens (their retry cost): hand it back the token it made.
    const inner = (token: RetryToken) => (token as RetryToken & { inner?: RetryToken }).inner ?? token;
    return {
      acquireInitialRetryToken: (scope: string) => v2.acquireInitialRetryToken(scope),
      recordSuccess: (token: RetryToken) => v2.recordSuccess(inner(token)),
      refreshRetryTokenForRetry: async (token: RetryToken, error: unknown) => {
        const next = await v2.refreshRetryTokenForRetry(inner(token), error);
        return { getRetryCount: () => next.getRetryCount(), getRetryDelay: () => 0, inner: next };
      },
    };
  };
}

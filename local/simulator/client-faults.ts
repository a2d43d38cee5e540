import { type FaultPlane, INVOCATION_HEADER, invocationHeaderValue } from '../emulators/fault-plane';

/**
 * The fault plane on the handlers' own SDK clients (functions/platform/clients.ts: the module-level clients every
 * handler uses), for what is not injected at an emulator's HTTP level:
 *
 * - Step Functions (`sfn:SendTaskSuccess`, `sfn:StartExecution`) and SQS (`sqs:SendMessageBatch`) faults, injected
 *   inside the SDK's retry loop (step `finalizeRequest`, below the retry middleware), so the client's own retry
 *   policy meets each one as it would meet the service's answer: a throttle is `ThrottlingException` (HTTP 400,
 *   the services' "Rate exceeded"), a 5xx `InternalFailure` (HTTP 500), `reset-after-accept` the request done and
 *   then the connection reset (`ECONNRESET`, which the SDK retries as a transient network error);
 * - the invocation header on the requests (the SES and SNS emulators read it), so that the emulator that accepts a message knows which Lambda
 *   invocation sent it (`crash-after-send`);
 * - the SDK's retry backoff without its real-time sleep: the virtual clock stands still while a handler runs, so
 *   the sleep would cost wall time and change nothing the simulation sees (every retry decision, attempt count and
 *   retry-quota token stays the SDK's own).
 */

/** The part of an SDK v3 client this module touches (its middleware stack and its resolved config). */
interface SdkClient {
  readonly middlewareStack: { add(middleware: never, options: object): void };
  readonly config: object;
}

type Next = (args: { request: unknown; input: Record<string, unknown> }) => Promise<unknown>;
type Middleware = (next: Next, context: { commandName?: string }) => Next;

const CLIENT_CALLS: Readonly<Record<string, 'sfn:SendTaskSuccess' | 'sfn:StartExecution' | 'sqs:SendMessageBatch'>> = {
  SendTaskSuccessCommand: 'sfn:SendTaskSuccess',
  StartExecutionCommand: 'sfn:StartExecution',
  SendMessageBatchCommand: 'sqs:SendMessageBatch',
};

/** Installs the plane on the handlers' clients (import them after the local system started). */
export async function installClientFaults(plane: FaultPlane): Promise<void> {
  const clients = (await import('../../functions/platform/clients')) as unknown as Record<string, SdkClient>;
  const add = (client: SdkClient, middleware: Middleware, options: object) =>
    // The stack's types are generic over every command's input and output: this middleware sees them all.
    client.middlewareStack.add(middleware as never, options);

  for (const name of ['sfn', 'sqs'] as const) {
    const client = clients[name];
    if (!client) continue;
    add(client, serviceFaults(plane), { step: 'finalizeRequest', priority: 'low', name: 'simulatorFaults' });
  }
  for (const client of Object.values(clients)) {
    // every client (the senders sesSend / snsSend included): only the SES and SNS emulators read the header
    add(client, invocationHeader, { step: 'build', name: 'simulatorInvocationHeader' });
    withoutRetrySleep(client);
  }
}

function serviceFaults(plane: FaultPlane): Middleware {
  return (next, context) => async (args) => {
    const call = CLIENT_CALLS[context.commandName ?? ''];
    if (!call) return next(args);
    const fault = plane.draw(call, ['throttle', '5xx', 'reset-after-accept']);
    if (fault === 'throttle') throw serviceError('ThrottlingException', 400, 'Rate exceeded');
    if (fault === '5xx') throw serviceError('InternalFailure', 500, 'The request processing has failed (injected)');
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
}

/** The client's retry strategy, with every retry delay 0 (see the module's comment). */
function withoutRetrySleep(client: SdkClient): void {
  const config = client.config as { retryStrategy?: () => Promise<unknown> };
  const original = config.retryStrategy;
  if (typeof original !== 'function') return;
  config.retryStrategy = async () => {
    const strategy = (await original()) as Partial<RetryStrategyV2>;
    if (typeof strategy.refreshRetryTokenForRetry !== 'function') return strategy;
    const v2 = strategy as RetryStrategyV2;
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

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, readRequestBody } from '../emulators/http-server';
import { InvalidExecutionInput, InvalidOutput, StateMachineDoesNotExist, StepFunctionsApiError } from './api-errors';
import type {
  ExecutionListItem,
  ExecutionStatus,
  HistoryEvent,
  JsonValue,
  LocalWorkflowRuntime,
} from './workflow-runtime';

/**
 * A local Step Functions endpoint in front of a {@link LocalWorkflowRuntime}: speaks the JSON 1.0 protocol the real
 * `@aws-sdk/client-sfn` uses (`POST /`, `X-Amz-Target: AWSStepFunctions.<Operation>`), so handlers resume their
 * tasks with the same client and code as on AWS. Point the client at `url` (region `local`, any credentials).
 *
 * Operations: StartExecution, StopExecution, DescribeExecution, ListExecutions, GetExecutionHistory (simplified:
 * execution and state entered/exited/task failed events), SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.
 * Errors come back as AWS does (`400 {"__type": "ExecutionAlreadyExists", "message": …}`), so the client throws its
 * typed exceptions. Dates are epoch seconds.
 */
export class LocalSfnEndpoint {
  private readonly server: Server;

  constructor(
    private readonly runtime: LocalWorkflowRuntime,
    /** @default 0 (a free port) */
    private readonly port = 0,
  ) {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
  }

  /** Listens on 127.0.0.1; resolves with the base URL and a function that closes the server. */
  async start(): Promise<{ url: string; close(): Promise<void> }> {
    const url = await listenOnLoopback(this.server, 'Step Functions', this.port);
    return { url, close: () => closeServer(this.server) };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (request.method !== 'POST') {
        reply(response, 405, { __type: 'UnknownOperationException', message: 'Only POST is supported' });
        return;
      }
      const target = request.headers['x-amz-target'];
      const operation =
        typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      const handler = this.operations[operation];
      if (!handler) {
        reply(response, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${String(target)}` });
        return;
      }
      const text = await readBody(request);
      let body: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(text || '{}');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch {
        reply(response, 400, { __type: 'SerializationException', message: 'The request body is not a JSON object' });
        return;
      }
      reply(response, 200, handler(body));
    } catch (error) {
      if (error instanceof StepFunctionsApiError || error instanceof ValidationException) {
        reply(response, 400, { __type: error.name, message: error.message });
      } else {
        reply(response, 500, { __type: 'InternalFailure', message: String(error) });
      }
    }
  }

  private readonly operations: Record<string, (body: Record<string, unknown>) => object> = {
    StartExecution: (body) => {
      const stateMachineArn = requiredString(body, 'stateMachineArn');
      if (stateMachineArn !== this.runtime.stateMachineArn) {
        throw new StateMachineDoesNotExist(`State Machine Does Not Exist: '${stateMachineArn}'`);
      }
      const name = optionalString(body, 'name') ?? randomUUID();
      const input = parseJson(optionalString(body, 'input') ?? '{}', (message) => new InvalidExecutionInput(message));
      const started = this.runtime.startExecution({ name, input });
      return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
    },
    StopExecution: (body) => {
      const error = optionalString(body, 'error');
      const cause = optionalString(body, 'cause');
      const { stopDate } = this.runtime.stopExecution(requiredString(body, 'executionArn'), {
        ...(error !== undefined ? { error } : {}),
        ...(cause !== undefined ? { cause } : {}),
      });
      return { stopDate: epochSeconds(stopDate) };
    },
    DescribeExecution: (body) => {
      const d = this.runtime.describeExecution(requiredString(body, 'executionArn'));
      return {
        executionArn: d.executionArn,
        stateMachineArn: d.stateMachineArn,
        name: d.name,
        status: d.status,
        startDate: epochSeconds(d.startDate),
        ...(d.stopDate ? { stopDate: epochSeconds(d.stopDate) } : {}),
        input: JSON.stringify(d.input),
        inputDetails: { included: true },
        ...(d.output !== undefined ? { output: JSON.stringify(d.output), outputDetails: { included: true } } : {}),
        ...(d.error !== undefined ? { error: d.error } : {}),
        ...(d.cause !== undefined ? { cause: d.cause } : {}),
      };
    },
    ListExecutions: (body) => {
      const stateMachineArn = requiredString(body, 'stateMachineArn');
      if (stateMachineArn !== this.runtime.stateMachineArn) {
        throw new StateMachineDoesNotExist(`State Machine Does Not Exist: '${stateMachineArn}'`);
      }
      const statusFilter = optionalString(body, 'statusFilter') as ExecutionStatus | undefined;
      const items = this.runtime.listExecutions(statusFilter ? { statusFilter } : {});
      const { page, nextToken } = paginate(items, body, 100);
      return { executions: page.map(listItem), ...(nextToken ? { nextToken } : {}) };
    },
    GetExecutionHistory: (body) => {
      const includeData = body.includeExecutionData !== false;
      const events = this.runtime
        .history(requiredString(body, 'executionArn'))
        .map((event) => historyEvent(event, includeData))
        .filter((event): event is HistoryEventShape => event !== undefined)
        .map((event, index) => ({ ...event, id: index + 1, previousEventId: index }));
      if (body.reverseOrder === true) events.reverse();
      const { page, nextToken } = paginate(events, body, 100);
      return { events: page, ...(nextToken ? { nextToken } : {}) };
    },
    SendTaskSuccess: (body) => {
      const output = parseJson(requiredString(body, 'output'), (message) => new InvalidOutput(message));
      this.runtime.sendTaskSuccess(requiredString(body, 'taskToken'), output);
      return {};
    },
    SendTaskFailure: (body) => {
      this.runtime.sendTaskFailure(
        requiredString(body, 'taskToken'),
        optionalString(body, 'error') ?? '',
        optionalString(body, 'cause') ?? '',
      );
      return {};
    },
    SendTaskHeartbeat: (body) => {
      this.runtime.sendTaskHeartbeat(requiredString(body, 'taskToken'));
      return {};
    },
  };
}

const TARGET_PREFIX = 'AWSStepFunctions.';
const MAX_BODY_BYTES = 1024 * 1024;

/** A request field is missing or of the wrong type (AWS answers ValidationException). */
class ValidationException extends Error {
  override readonly name = 'ValidationException';
}

type HistoryEventShape = { timestamp: number; type: string } & Record<string, unknown>;

function historyEvent(event: HistoryEvent, includeData: boolean): HistoryEventShape | undefined {
  const timestamp = epochSeconds(event.at);
  const data = (value: JsonValue | undefined) =>
    includeData && value !== undefined ? JSON.stringify(value) : undefined;
  switch (event.type) {
    case 'ExecutionStarted':
      return { timestamp, type: event.type, executionStartedEventDetails: { input: data(event.input) } };
    case 'StateEntered':
      return {
        timestamp,
        type: `${event.stateType}StateEntered`,
        stateEnteredEventDetails: { name: event.stateName, input: data(event.input) },
      };
    case 'StateExited':
      return {
        timestamp,
        type: `${event.stateType}StateExited`,
        stateExitedEventDetails: { name: event.stateName, output: data(event.output) },
      };
    case 'StateFailed':
      if (event.stateType !== 'Task') return undefined;
      return {
        timestamp,
        type: 'TaskFailed',
        taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: event.error, cause: event.cause },
      };
    case 'ExecutionSucceeded':
      return { timestamp, type: event.type, executionSucceededEventDetails: { output: data(event.output) } };
    case 'ExecutionFailed':
      return { timestamp, type: event.type, executionFailedEventDetails: { error: event.error, cause: event.cause } };
    case 'ExecutionAborted':
      return { timestamp, type: event.type, executionAbortedEventDetails: { error: event.error, cause: event.cause } };
    case 'ExecutionTimedOut':
      return { timestamp, type: event.type, executionTimedOutEventDetails: { error: event.error, cause: event.cause } };
    default:
      return undefined; // StateRetried / StateCaught have no event of their own in the AWS history
  }
}

function listItem(item: ExecutionListItem): object {
  return {
    executionArn: item.executionArn,
    stateMachineArn: item.stateMachineArn,
    name: item.name,
    status: item.status,
    startDate: epochSeconds(item.startDate),
    ...(item.stopDate ? { stopDate: epochSeconds(item.stopDate) } : {}),
  };
}

/** `maxResults` (1..1000, 0 = default) and an opaque `nextToken` (an offset). */
function paginate<T>(
  items: T[],
  body: Record<string, unknown>,
  defaultSize: number,
): { page: T[]; nextToken?: string } {
  const max =
    typeof body.maxResults === 'number' && body.maxResults > 0 ? Math.min(body.maxResults, 1000) : defaultSize;
  const token = optionalString(body, 'nextToken');
  const offset = token === undefined ? 0 : Number.parseInt(Buffer.from(token, 'base64url').toString(), 10);
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationException('Invalid nextToken');
  const page = items.slice(offset, offset + max);
  const next = offset + max < items.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
  return next ? { page, nextToken: next } : { page };
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string') throw new ValidationException(`${field}: required string is missing`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationException(`${field}: must be a string`);
  return value;
}

function parseJson(text: string, toError: (message: string) => Error): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw toError(`Invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function reply(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': randomUUID(),
  };
  if (status >= 400 && '__type' in body) headers['x-amzn-errortype'] = String(body.__type);
  response.writeHead(status, headers).end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const body = await readRequestBody(request, MAX_BODY_BYTES);
  if (body === 'too-large') throw new ValidationException('The request body is larger than 1 MiB');
  return body.toString('utf8');
}

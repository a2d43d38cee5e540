import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { closeServer, listenOnLoopback, readRequestBody } from '../emulators/http-server';
import { type LocalWaitScheduler, SchedulerApiError, ValidationException } from './wait-scheduler';

/**
 * A local EventBridge Scheduler endpoint in front of a {@link LocalWaitScheduler}: speaks the REST-JSON protocol the
 * real `@aws-sdk/client-scheduler` uses, so the handlers create and delete their waits' schedules with the same client
 * and code as on AWS. Point the client at `url` (`AWS_ENDPOINT_URL_SCHEDULER`; any region and credentials).
 *
 * Operations: CreateSchedule (`POST /schedules/{Name}`, the rest in the JSON body), DeleteSchedule
 * (`DELETE /schedules/{Name}?groupName=…`), GetSchedule (`GET /schedules/{Name}?groupName=…`), ListSchedules
 * (`GET /schedules?ScheduleGroup=…&NamePrefix=…`). Errors come back as Scheduler answers them — the status of the
 * error (409 ConflictException, 404 ResourceNotFoundException, 400 ValidationException), its code in
 * `x-amzn-errortype`, `{"Message": …}` — so the client throws its typed exceptions. Dates are epoch seconds.
 */
export class LocalSchedulerEndpoint {
  private readonly server: Server;

  constructor(
    private readonly scheduler: LocalWaitScheduler,
    /** @default 0 (a free port) */
    private readonly port = 0,
  ) {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
  }

  /** Listens on 127.0.0.1; resolves with the base URL and a function that closes the server. */
  async start(): Promise<{ url: string; close(): Promise<void> }> {
    const url = await listenOnLoopback(this.server, 'EventBridge Scheduler', this.port);
    return { url, close: () => closeServer(this.server) };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const segments = url.pathname.split('/').filter((s) => s !== '');
      const query = url.searchParams;
      if (segments[0] !== 'schedules' || segments.length > 2) {
        throw new UnknownOperation(request.method, url.pathname);
      }
      const name = segments[1] === undefined ? undefined : decodeURIComponent(segments[1]);
      const groupName = query.get('groupName') ?? undefined;
      if (name === undefined) {
        if (request.method !== 'GET') throw new UnknownOperation(request.method, url.pathname);
        reply(response, 200, this.listSchedules(query));
        return;
      }
      switch (request.method) {
        case 'POST': {
          const body = await readJsonObject(request);
          reply(response, 200, this.scheduler.createSchedule(createInput(name, body)));
          return;
        }
        case 'DELETE':
          reply(response, 200, this.scheduler.deleteSchedule({ Name: name, GroupName: groupName }));
          return;
        case 'GET':
          reply(response, 200, wire(this.scheduler.getSchedule({ Name: name, GroupName: groupName })));
          return;
        default:
          throw new UnknownOperation(request.method, url.pathname);
      }
    } catch (error) {
      if (error instanceof SchedulerApiError) replyError(response, error.statusCode, error.name, error.message);
      else if (error instanceof UnknownOperation) replyError(response, 404, error.name, error.message);
      else replyError(response, 500, 'InternalServerException', String(error));
    }
  }

  /** ListSchedules: `ScheduleGroup`, `NamePrefix`, `MaxResults` (1..100) and an opaque `NextToken` (an offset). */
  private listSchedules(query: URLSearchParams): object {
    const groupName = query.get('ScheduleGroup') ?? undefined;
    const namePrefix = query.get('NamePrefix') ?? undefined;
    const all = this.scheduler.list({
      ...(groupName === undefined ? {} : { groupName }),
      ...(namePrefix === undefined ? {} : { namePrefix }),
    });
    const state = query.get('State');
    const items = state === null ? all : all.filter((s) => s.State === state);
    const max = Number(query.get('MaxResults') ?? 100);
    if (!Number.isInteger(max) || max < 1 || max > 100) throw new ValidationException('MaxResults must be 1 to 100');
    const token = query.get('NextToken');
    const offset = token === null ? 0 : Number.parseInt(Buffer.from(token, 'base64url').toString(), 10);
    if (!Number.isInteger(offset) || offset < 0) throw new ValidationException('Invalid NextToken');
    const page = items.slice(offset, offset + max).map(wire);
    const next = offset + max < items.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
    return { Schedules: page, ...(next ? { NextToken: next } : {}) };
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

/** A method and path no operation answers. */
class UnknownOperation extends Error {
  override readonly name = 'UnknownOperationException';
  constructor(method: string | undefined, path: string) {
    super(`No operation at ${method} ${path}`);
  }
}

/** CreateSchedule's input: the name from the path, the rest from the body (its dates, epoch seconds, as Dates). */
function createInput(name: string, body: Record<string, unknown>): CreateScheduleCommandInput {
  const input = { ...body, Name: name } as Record<string, unknown>;
  for (const field of ['StartDate', 'EndDate']) {
    const value = input[field];
    if (typeof value === 'number') input[field] = new Date(value * 1000);
  }
  return input as unknown as CreateScheduleCommandInput;
}

/** Dates as epoch seconds (the REST-JSON protocol's default timestamp format), recursively. */
function wire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(wire);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, wire(v)]));
  }
  return value;
}

/** An error as Scheduler answers it: its status, its code in `x-amzn-errortype`, `{"Message": …}`. */
function replyError(response: ServerResponse, status: number, code: string, message: string): void {
  reply(response, status, { Message: message }, { 'x-amzn-errortype': code });
}

function reply(response: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'x-amzn-requestid': randomUUID(),
      ...extra,
    })
    .end(text);
}

async function readJsonObject(request: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readRequestBody(request, MAX_BODY_BYTES);
  if (body === 'too-large') throw new ValidationException('The request body is larger than 1 MiB');
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text || '{}');
  } catch {
    throw new ValidationException('The request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationException('The request body is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

import { Duration } from 'luxon';
import { z } from 'zod';
import type { ExecutionStatus } from '../stepfunctions/workflow-runtime';
import type { LocalControl } from './http-api';
import type { LocalSystem } from './system';

/**
 * `npm start`'s control of the local system: the pace of the virtual clock (virtual seconds per real second, 0 while
 * nothing waits) and the local-only `/_local/` routes — clock, status, mailbox, SMS outbox, operators' topic,
 * executions, timeline.
 */

/** The pace of the virtual clock in `npm start`: virtual seconds per real second (0 = paused). */
export interface Pace {
  speed: number;
}

/**
 * The speed the paced clock runs at: the pace while something waits on the clock (a timer of a walk), else 0 — with
 * nothing waiting (no invoice yet, every walk ended) time would pass for nobody, and a portfolio dropped later would
 * start weeks after the instant `npm start` showed.
 */
export function pacedSpeed(pace: Pace, pendingTimers: number): number {
  return pendingTimers > 0 ? pace.speed : 0;
}

const ClockRequest = z
  .object({
    speed: z.number().min(0).max(1e9).optional(),
    advanceTo: z.iso.datetime({ offset: true }).optional(),
    advanceBy: z.union([z.string(), z.number().min(0)]).optional(),
  })
  .strict();

const STATUSES = new Set<ExecutionStatus>(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** A local route's answer: a status and a JSON body. */
type ControlAnswer = { statusCode: number; body: unknown };

/** What a local route gets: the system, the pace of its clock and the request. */
interface ControlRequest {
  readonly system: LocalSystem;
  readonly pace: Pace;
  readonly method: string;
  readonly url: URL;
  readonly body: unknown;
}

/** The local routes answered to GET only, by path (without trailing slashes). */
const GET_ROUTES = new Map<string, (request: ControlRequest) => Promise<ControlAnswer>>([
  ['/_local/status', async ({ system, pace }) => statusRoute(system, pace)],
  ['/_local/outbox', outboxRoute],
  ['/_local/executions', async ({ system, url }) => executionsRoute(system, url)],
  ['/_local/timeline', timelineRoute],
]);

const EXECUTION_PATH = /^\/_local\/executions\/([^/]+)$/;

/**
 * The local-only routes under `/_local/` (API Gateway has no such thing): the virtual clock, the status of the
 * local system, what was sent (mailbox, SMS outbox, operators' topic), the executions as the Step Functions console
 * shows them, and the dunning timeline.
 */
export function localControl(system: LocalSystem, pace: Pace): LocalControl {
  return async (method, url, body) => {
    const path = url.pathname.replace(/\/+$/, '');
    const request: ControlRequest = { system, pace, method, url, body };
    if (path === '/_local/clock') return clockRoute(request);
    if (method !== 'GET') return undefined;
    const route = GET_ROUTES.get(path);
    if (route) return route(request);
    const execution = EXECUTION_PATH.exec(path);
    if (execution) return executionRoute(system, decodeURIComponent(execution[1] ?? ''));
    return undefined;
  };
}

function clockOf(system: LocalSystem, pace: Pace) {
  return { now: system.clock.now().toISOString(), speed: pace.speed };
}

/** GET /_local/status: the clock, the rule, the executions counted by status, the endpoints and the folders. */
function statusRoute(system: LocalSystem, pace: Pace): ControlAnswer {
  const byStatus: Record<string, number> = {};
  for (const e of system.runtime.listExecutions()) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
  return {
    statusCode: 200,
    body: {
      clock: clockOf(system, pace),
      rule: system.config.rule.id,
      executions: byStatus,
      endpoints: system.endpoints,
      mailboxUi: system.endpoints.ses,
      dataDir: system.dataDir ?? null,
      dropFolder: system.drop?.root ?? null,
    },
  };
}

/** /_local/clock: GET reads the clock; POST sets its speed and/or moves it forward (never back). */
async function clockRoute({ system, pace, method, body }: ControlRequest): Promise<ControlAnswer> {
  if (method === 'GET') return { statusCode: 200, body: clockOf(system, pace) };
  if (method !== 'POST') return { statusCode: 405, body: error('MethodNotAllowed', `${method} /_local/clock`) };
  const parsed = ClockRequest.safeParse(body);
  if (!parsed.success) {
    return {
      statusCode: 400,
      body: error(
        'ValidationError',
        'Expected { speed?: number >= 0, advanceTo?: ISO instant, advanceBy?: ISO-8601 duration or seconds }',
        parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', issue: i.message })),
      ),
    };
  }
  const request = parsed.data;
  let target: Date | undefined;
  if (request.advanceTo !== undefined) target = new Date(request.advanceTo);
  if (request.advanceBy !== undefined) {
    const ms = advanceByMillis(request.advanceBy);
    if (!Number.isFinite(ms) || ms < 0) return invalidAdvanceBy(request.advanceBy);
    target = new Date(system.clock.now().getTime() + ms);
  }
  if (target && target.getTime() < system.clock.now().getTime()) {
    return {
      statusCode: 409,
      body: error('ClockCannotGoBack', `The clock reads ${system.clock.now().toISOString()}: time never goes back`),
    };
  }
  if (request.speed !== undefined) pace.speed = request.speed;
  if (target) await system.advanceTo(target);
  return { statusCode: 200, body: clockOf(system, pace) };
}

/** `advanceBy` in milliseconds: a number of seconds, or an ISO-8601 duration (NaN when it is not one). */
function advanceByMillis(advanceBy: string | number): number {
  return typeof advanceBy === 'number' ? advanceBy * 1000 : Duration.fromISO(advanceBy).toMillis();
}

function invalidAdvanceBy(advanceBy: string | number): ControlAnswer {
  return {
    statusCode: 400,
    body: error('ValidationError', 'Invalid advanceBy', [
      {
        path: 'advanceBy',
        issue: `must be an ISO-8601 duration like "P1D" or "PT6H", got ${advanceBy}`,
      },
    ]),
  };
}

/** GET /_local/outbox: the mailbox, the SMS outbox and the operators' topic. */
async function outboxRoute({ system }: ControlRequest): Promise<ControlAnswer> {
  return {
    statusCode: 200,
    body: {
      emails: await system.aws.mailbox(),
      sms: system.aws.smsOutbox(),
      operators: system.aws.topicMessages(system.resources.topicArn),
    },
  };
}

/** GET /_local/executions[?status=…]: the executions, optionally of one status. */
function executionsRoute(system: LocalSystem, url: URL): ControlAnswer {
  const status = url.searchParams.get('status')?.toUpperCase();
  if (status !== undefined && !STATUSES.has(status as ExecutionStatus)) {
    return { statusCode: 400, body: error('ValidationError', `Unknown status ${status}`) };
  }
  return {
    statusCode: 200,
    body: system.runtime.listExecutions(status ? { statusFilter: status as ExecutionStatus } : {}),
  };
}

/** GET /_local/executions/{name}: one execution and its history. */
async function executionRoute(system: LocalSystem, name: string): Promise<ControlAnswer> {
  const arn = system.runtime.executionArnOf(name);
  try {
    return {
      statusCode: 200,
      body: { ...system.runtime.describeExecution(arn), history: system.runtime.history(arn) },
    };
  } catch (e) {
    return { statusCode: 404, body: error('ExecutionDoesNotExist', (e as Error).message) };
  }
}

/** GET /_local/timeline[?invoiceId=…]: the dunning timeline of one invoice or of all. */
async function timelineRoute({ system, url }: ControlRequest): Promise<ControlAnswer> {
  const invoiceId = url.searchParams.get('invoiceId');
  const ids = invoiceId ? [invoiceId] : await system.invoiceIds();
  return { statusCode: 200, body: await system.timeline(ids) };
}

function error(code: string, message: string, details: { path: string; issue: string }[] = []) {
  return { error: { code, message, details } };
}

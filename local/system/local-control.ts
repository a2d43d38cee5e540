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

/**
 * The local-only routes under `/_local/` (API Gateway has no such thing): the virtual clock, the status of the
 * local system, what was sent (mailbox, SMS outbox, operators' topic), the executions as the Step Functions console
 * shows them, and the dunning timeline.
 */
export function localControl(system: LocalSystem, pace: Pace): LocalControl {
  const clock = () => ({ now: system.clock.now().toISOString(), speed: pace.speed });
  return async (method, url, body) => {
    const path = url.pathname.replace(/\/+$/, '');
    if (method === 'GET' && path === '/_local/status') {
      const executions = system.runtime.listExecutions();
      const byStatus: Record<string, number> = {};
      for (const e of executions) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
      return {
        statusCode: 200,
        body: {
          clock: clock(),
          rule: system.config.rule.id,
          executions: byStatus,
          endpoints: system.endpoints,
          mailboxUi: system.endpoints.ses,
          dataDir: system.dataDir ?? null,
          dropFolder: system.drop?.root ?? null,
        },
      };
    }
    if (path === '/_local/clock') {
      if (method === 'GET') return { statusCode: 200, body: clock() };
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
        const ms =
          typeof request.advanceBy === 'number'
            ? request.advanceBy * 1000
            : Duration.fromISO(request.advanceBy).toMillis();
        if (!Number.isFinite(ms) || ms < 0) {
          return {
            statusCode: 400,
            body: error('ValidationError', 'Invalid advanceBy', [
              {
                path: 'advanceBy',
                issue: `must be an ISO-8601 duration like "P1D" or "PT6H", got ${request.advanceBy}`,
              },
            ]),
          };
        }
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
      return { statusCode: 200, body: clock() };
    }
    if (method === 'GET' && path === '/_local/outbox') {
      return {
        statusCode: 200,
        body: {
          emails: await system.aws.mailbox(),
          sms: system.aws.smsOutbox(),
          operators: system.aws.topicMessages(system.resources.topicArn),
        },
      };
    }
    if (method === 'GET' && path === '/_local/executions') {
      const status = url.searchParams.get('status')?.toUpperCase();
      if (status !== undefined && !STATUSES.has(status as ExecutionStatus)) {
        return { statusCode: 400, body: error('ValidationError', `Unknown status ${status}`) };
      }
      return {
        statusCode: 200,
        body: system.runtime.listExecutions(status ? { statusFilter: status as ExecutionStatus } : {}),
      };
    }
    const execution = /^\/_local\/executions\/([^/]+)$/.exec(path);
    if (method === 'GET' && execution) {
      const arn = system.runtime.executionArnOf(decodeURIComponent(execution[1] ?? ''));
      try {
        return {
          statusCode: 200,
          body: { ...system.runtime.describeExecution(arn), history: system.runtime.history(arn) },
        };
      } catch (e) {
        return { statusCode: 404, body: error('ExecutionDoesNotExist', (e as Error).message) };
      }
    }
    if (method === 'GET' && path === '/_local/simulator/timeline') {
      const invoiceId = url.searchParams.get('invoiceId');
      const ids = invoiceId ? [invoiceId] : await system.invoiceIds();
      return { statusCode: 200, body: await system.timeline(ids) };
    }
    return undefined;
  };
}

function error(code: string, message: string, details: { path: string; issue: string }[] = []) {
  return { error: { code, message, details } };
}

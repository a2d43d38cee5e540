import { randomUUID } from 'node:crypto';
import { InvalidToken, TaskDoesNotExist, TaskTimedOut } from './api-errors';
import type { BusyLedger } from './busy-ledger';
import type { Execution, Wait } from './execution';
import type { JsonValue } from './runtime-types';
import { executionClosed } from './task-errors';
import type { VirtualClock } from './virtual-clock';

/**
 * Where executions park: waits on a task token (resumed by SendTaskSuccess/Failure or timed out on the virtual
 * clock) and on a virtual timer (a Wait state, a retry backoff). Settling a wait marks its execution busy again
 * at once, so idle is never seen in between; parking marks it parked.
 */

const TOKEN_PREFIX = 'AQ';
const MAX_TOKEN_LENGTH = 2048;

/** A fresh task token for a task of `executionArn` in state `stateName`. */
export function newTaskToken(executionArn: string, stateName: string): string {
  return `${TOKEN_PREFIX}${Buffer.from(`${executionArn}|${stateName}|${randomUUID()}`).toString('base64url')}`;
}

export class TaskWaits {
  private readonly tokens = new Map<string, Wait>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly ledger: BusyLedger,
  ) {}

  /** A new wait of the execution (rejected at once when the execution has ended). */
  open(execution: Execution): Wait {
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

  /** Makes `wait` the one a task token resumes. */
  holdToken(token: string, wait: Wait): void {
    this.tokens.set(token, wait);
  }

  /** Parks the execution on the wait (unless it settled already) and returns its promise. */
  park(wait: Wait): Promise<JsonValue> {
    if (!wait.settled) this.ledger.markParked(wait.execution);
    return wait.promise;
  }

  /** Parks the execution until the clock reaches `until` (no-op for an instant already reached). */
  async sleep(execution: Execution, until: Date): Promise<void> {
    if (until.getTime() <= this.clock.now().getTime()) return;
    const wait = this.open(execution);
    wait.cancelTimer = this.clock.setTimer(until, () => wait.resolve(null), execution.name);
    await this.park(wait);
  }

  /**
   * The wait a task token resumes. Throws {@link InvalidToken} for a malformed token, {@link TaskDoesNotExist} for
   * one never issued, {@link TaskTimedOut} when the task is no longer waiting.
   */
  waitingTask(token: string): Wait {
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

  /** Marks the wait settled (once) and its execution busy again, synchronously, so idle is never seen in between. */
  private settle(wait: Wait): boolean {
    if (wait.settled) return false;
    wait.settled = true;
    wait.cancelTimer?.();
    wait.execution.waits.delete(wait);
    this.ledger.markBusy(wait.execution);
    return true;
  }
}

function isWellFormedToken(token: string): boolean {
  if (!token.startsWith(TOKEN_PREFIX) || !/^[A-Za-z0-9_-]+$/.test(token)) return false;
  return Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString().split('|').length === 3;
}

function abbreviate(token: string): string {
  return token.length > 24 ? `${token.slice(0, 24)}…` : token;
}

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionNameFor } from '../../functions/invoices/execution-name';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { importHandlerSource, type LocalHandler } from '../../local/system/handler-host';
import { LocalSystem } from '../../local/system/system';
import { registrationFixture } from '../support/fixtures';

// Nothing lost (issue #13), on the whole local system: the reconciler runs on its schedules (hourly, and daily at
// 03:00 UTC) on the virtual clock, as EventBridge calls it in the stack. A walk that failed is restarted in a new
// execution within the hour and does its work once; an operator restarts one at once (POST /invoices/{id}/restart);
// a resume Step Functions did not take (throttled SendTaskSuccess) is told by the next change or the daily run.

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
let system: LocalSystem;

/** The send step of these invoices throws once (a bug, an outage): the walk ends `Failed (operators notified)`. */
const FAIL_ONCE = new Set(['INV-REP-1', 'INV-REP-2']);
/** How many more times each call fails (as the handler sees it, once the SDK's own retries gave up). */
const failing = { SendTaskSuccessCommand: 0, SendMessageBatchCommand: 0 };
const FAILURES: Record<keyof typeof failing, Error> = {
  SendTaskSuccessCommand: Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }),
  SendMessageBatchCommand: Object.assign(new Error('We encountered an internal error.'), {
    name: 'InternalFailure',
    $metadata: {},
  }),
};

/** Fails a client's calls of each command in `failing` while its count lasts. */
function failWhileCounted(client: { middlewareStack: { add(mw: never, options: object): void } }): void {
  client.middlewareStack.add(
    ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const command = context.commandName as keyof typeof failing;
      if ((failing[command] ?? 0) > 0) {
        failing[command]--;
        throw FAILURES[command];
      }
      return next(args);
    }) as never,
    { step: 'initialize', name: 'failWhileCounted', priority: 'high' },
  );
}

async function loadHandler(name: string): Promise<LocalHandler> {
  const handler = await importHandlerSource(name);
  if (name !== 'send-stage') return handler;
  return async (event, context) => {
    const { invoiceId } = event as { invoiceId: string };
    if (FAIL_ONCE.delete(invoiceId)) throw new Error(`send step broke for ${invoiceId}`);
    return handler(event, context);
  };
}

beforeAll(async () => {
  system = await LocalSystem.start({ config, start: new Date('2026-11-20T12:00:00.000Z'), loadHandler });
  const clients = await import('../../functions/platform/clients');
  failWhileCounted(clients.sfn as never);
  failWhileCounted(clients.sqs as never);
});

afterAll(async () => {
  await system?.stop();
});

const statuses = (invoiceId: string) =>
  system.runtime
    .listExecutions()
    .filter((e) => e.name.startsWith(invoiceId))
    .sort((a, b) => a.startDate.getTime() - b.startDate.getTime())
    .map((e) => `${e.name} ${e.status}`);

async function events(invoiceId: string): Promise<{ type: string; why?: string; by?: string }[]> {
  const { body } = await system.api('GET', `/invoices/${invoiceId}/history`);
  return (body as { history: { type: string; why?: string; by?: string }[] }).history;
}

describe('walks that should be running and are not', () => {
  it('restarts a failed walk within the hour in a new execution, which sends the stage once', async () => {
    // INV-REP-1 is due Tue 2026-12-01: D-3 on Sat 28th 09:00 São Paulo (12:00 UTC), where its send step breaks
    await system.api('POST', '/invoices', registrationFixture('INV-REP-1'));
    await system.advanceTo(new Date('2026-11-28T12:30:00.000Z'));
    expect(statuses('INV-REP-1')).toEqual(['INV-REP-1 FAILED']);

    await system.advanceTo(new Date('2026-11-28T13:30:00.000Z'));

    const second = executionNameFor('INV-REP-1', 2);
    expect(statuses('INV-REP-1')).toEqual(['INV-REP-1 FAILED', `${second} RUNNING`]);
    const history = await events('INV-REP-1');
    expect(history.map((e) => e.type)).toEqual(expect.arrayContaining(['failed', 'walk-restarted']));
    expect(history.find((e) => e.type === 'walk-restarted')).toMatchObject({ why: 'failed' });
    // the restarted walk sent D-3 (late, at the 13:00 tick), once
    const mails = (await system.aws.mailbox()).filter((m) => m.to.includes('inv-rep-1@example.com'));
    expect(mails).toHaveLength(1);
  });

  it('lets an operator restart a failed walk at once, and refuses a running one (409)', async () => {
    await system.api('POST', '/invoices', registrationFixture('INV-REP-2', { dueDate: '2026-12-02' }));
    await system.advanceTo(new Date('2026-11-29T12:00:30.000Z'));
    expect(statuses('INV-REP-2')).toEqual(['INV-REP-2 FAILED']);

    const restarted = await system.api('POST', '/invoices/INV-REP-2/restart', { reason: 'send step fixed' });
    const again = await system.api('POST', '/invoices/INV-REP-2/restart', { reason: 'twice' });

    expect(restarted).toMatchObject({ statusCode: 200, body: { action: 'restarted', walk: 2, why: 'failed' } });
    expect(again).toMatchObject({ statusCode: 409, body: { error: { code: 'WalkRunning' } } });
    expect(await system.api('POST', '/invoices/NOPE/restart', { reason: 'x' })).toMatchObject({ statusCode: 404 });
  });

  it('a registration stored but not queued answers "submit it again", and the daily look starts its walk', async () => {
    failing.SendMessageBatchCommand = 1;
    const answer = await system.api('POST', '/invoices', registrationFixture('INV-REP-4', { dueDate: '2026-12-09' }));
    failing.SendMessageBatchCommand = 0;
    expect(answer).toMatchObject({
      statusCode: 503,
      body: { failed: [{ invoiceId: 'INV-REP-4', error: expect.stringMatching(/submit it again/) }] },
    });
    expect(statuses('INV-REP-4')).toEqual([]);

    // nobody submits it again: the daily run at 03:00 UTC finds it stored without a walk and starts it
    await system.advanceTo(new Date('2026-12-01T04:00:00.000Z'));

    expect(statuses('INV-REP-4')).toEqual(['INV-REP-4 RUNNING']);
    const { body } = await system.api('GET', '/invoices/INV-REP-4');
    expect(body).toMatchObject({ invoice: { executionArn: expect.stringContaining(':INV-REP-4') } });
  });

  it('a resume Step Functions did not take is told by the daily look, and the walk goes on', async () => {
    await system.api('POST', '/invoices', registrationFixture('INV-REP-3', { dueDate: '2026-12-08' }));
    await system.advanceTo(new Date('2026-11-30T12:00:00.000Z'));
    await system.api('POST', '/invoices/INV-REP-3/pause', { reason: 'customer called' });
    await system.advanceTo(new Date('2026-11-30T14:00:00.000Z'));

    failing.SendTaskSuccessCommand = 10;
    const resumed = await system.api('POST', '/invoices/INV-REP-3/resume', { reason: 'call back' });
    expect(resumed).toMatchObject({ statusCode: 200, body: { status: 'OPEN', resumePending: true } });
    failing.SendTaskSuccessCommand = 0;
    await system.advanceTo(new Date('2026-12-01T02:30:00.000Z'));
    const parked = system.runtime.history(system.runtime.executionArnOf('INV-REP-3')).at(-1);

    // the daily run at 03:00 UTC tells it; it plans again and waits for D-3 (Sat Dec 5th)
    await system.advanceTo(new Date('2026-12-06T00:00:00.000Z'));

    expect(parked).toMatchObject({ stateName: 'Paused or disputed (wait for resume)' });
    expect(statuses('INV-REP-3')).toEqual(['INV-REP-3 RUNNING']);
    const mails = (await system.aws.mailbox()).filter((m) => m.to.includes('inv-rep-3@example.com'));
    expect(mails).toHaveLength(1);
  });
});

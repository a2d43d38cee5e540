import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { now } from '../../functions/platform/clock';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { handlerNames } from '../../lib/lambda/bundle-options';
import type { LocalSystem } from '../../local/system/system';
import { registrationFixture } from '../support/fixtures';
import { buildLambdaArtifacts, bundledHandler, type LambdaArtifacts } from '../support/lambda-artifacts';
import { callApi, startSystemWithApi } from '../support/local-api';

// The local system with every Lambda replaced by what the stack deploys: each handler's minified bundle, run in a
// Node process of its own from a folder outside the project, resolving the AWS SDK only from the SDK layer's
// content (the CommonJS SDK at the pinned versions), its clock starting at the virtual clock. So the DynamoDB, S3,
// SQS, Step Functions, SES and SNS calls below are made by the deployed artifacts, over HTTP, against the emulators.

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
const HANDLERS = handlerNames();
let artifacts: LambdaArtifacts;
let system: LocalSystem;
let api: { url: string; close(): Promise<void> };
const invoked = new Map<string, number>();

beforeAll(async () => {
  artifacts = await buildLambdaArtifacts(HANDLERS);
  ({ system, api } = await startSystemWithApi({
    config,
    start: new Date('2026-11-20T12:00:00.000Z'),
    dynamodb: 'http',
    // Its hourly ticks would each run the reconciler's bundle in its process over weeks of virtual time: it is run
    // once, by hand, below.
    reconciler: false,
    loadHandler: async (name) => {
      const run = bundledHandler(artifacts, name, () => now().getTime());
      return (event) => {
        invoked.set(name, (invoked.get(name) ?? 0) + 1);
        return run(event);
      };
    },
  }));
}, 120_000);

afterAll(async () => {
  await api?.close();
  await system?.stop();
  artifacts?.remove();
});

const call = (method: string, path: string, body?: unknown) => callApi(api.url, method, path, body);

const advanceTo = (at: string) => call('POST', '/_local/clock', { advanceTo: at });

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Each message the contact log says went out, with where the mailbox or the SMS outbox received it. */
async function delivered(invoiceId: string) {
  const { body } = await call('GET', `/invoices/${invoiceId}`);
  const emails = await system.aws.mailbox();
  const sms = system.aws.smsOutbox();
  return (body.contacts as { at: string; stageId: string; channel: string; outcome: string; messageId?: string }[])
    .filter((c) => c.outcome === 'sent')
    .map((c) => ({
      at: c.at,
      stage: c.stageId,
      channel: c.channel,
      to:
        emails.find((e) => e.messageId === c.messageId)?.to[0] ??
        sms.find((s) => s.messageId === c.messageId)?.phoneNumber,
    }));
}

describe('the deployed Lambda bundles, with the SDK from the layer, against the emulators', () => {
  it('register from the API and from the drop bucket, then send each stage at the rule time by SES and SNS', async () => {
    // Prepare: one invoice through the API, one as a JSON Lines object in the drop bucket (S3 → ingest → SQS)
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: system.endpoints.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

    // Act: both due Tue 2026-12-01 in São Paulo
    const registered = await call('POST', '/invoices', registrationFixture('INV-BUNDLE-1'));
    await s3.send(
      new PutObjectCommand({
        Bucket: system.resources.bucket,
        Key: 'incoming/bundle.jsonl',
        Body: JSON.stringify(registrationFixture('INV-BUNDLE-2')),
      }),
    );
    await waitFor(async () => (await call('GET', '/invoices/INV-BUNDLE-2')).status === 200);
    await advanceTo('2026-12-02T00:00:00.000Z');
    s3.destroy();

    // Assess
    expect(registered.status).toBe(202);
    for (const id of ['INV-BUNDLE-1', 'INV-BUNDLE-2']) {
      expect(await delivered(id)).toEqual([
        { at: '2026-11-28T12:00:00.000Z', stage: 'D-3', channel: 'email', to: `${id.toLowerCase()}@example.com` },
        { at: '2026-12-01T12:00:00.000Z', stage: 'D0', channel: 'email', to: `${id.toLowerCase()}@example.com` },
        { at: '2026-12-01T12:00:00.000Z', stage: 'D0', channel: 'sms', to: '+5511987650001' },
      ]);
    }
    const email = (await system.aws.mailbox()).find((e) => e.to.includes('inv-bundle-1@example.com'));
    expect(email?.from).toBe(config.sender.email);
    expect(email?.text).toContain('INV-BUNDLE-1');
    for (const handler of [
      'create-invoices',
      'ingest-file',
      'start-executions',
      'plan-stage',
      'send-stage',
      'get-invoice',
    ]) {
      expect({ handler, ran: (invoked.get(handler) ?? 0) > 0 }).toEqual({ handler, ran: true });
    }
  });

  it('stop a walk when the invoice is paid: the task token resumes the execution, which ends "Invoice paid"', async () => {
    // Prepare: due Wed 2026-12-23; D-3 (Sun 20th) deferred to Mon 21st 08:00 and sent
    await call('POST', '/invoices', registrationFixture('INV-BUNDLE-3', { dueDate: '2026-12-23' }));
    await advanceTo('2026-12-22T00:00:00.000Z');

    // Act
    const paid = await call('POST', '/invoices/INV-BUNDLE-3/payments', {});
    await advanceTo('2027-01-31T00:00:00.000Z');

    // Assess
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ event: 'paid', status: 'PAID', resumedWorkflow: true });
    expect((await delivered('INV-BUNDLE-3')).map((d) => d.stage)).toEqual(['D-3']);
    const execution = (await call('GET', '/_local/executions/INV-BUNDLE-3')).body as {
      status: string;
      history: { type: string; stateName?: string }[];
    };
    expect(execution.status).toBe('SUCCEEDED');
    expect(invoked.get('record-payment')).toBe(1);
    expect(execution.history.filter((e) => e.type === 'StateEntered').at(-1)?.stateName).toBe('Invoice paid');
  });

  it("runs the reconciler's bundle: it lists the executions and scans the table, and finds nothing to repair", async () => {
    const run = await system.invoke('reconcile-walks', { mode: 'full' });

    // every walk ended or is parked with its token: nothing failed, nothing to look at
    expect(run).toEqual({ looked: 0, repaired: {}, errors: 0, incomplete: false });
    expect(invoked.get('reconcile-walks')).toBe(1);
  });
});

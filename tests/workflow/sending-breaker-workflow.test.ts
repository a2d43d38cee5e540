import {
  AccountSuspendedException,
  SESv2Client,
  SendEmailCommand,
  type SendEmailCommandInput,
} from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRule } from '../support/fixtures';
import { providersRecordEveryMessage, type SentMessage } from '../support/providers';
import { invoiceRegistrar, startHarness, useDynaliteHandlers, type WorkflowHarness } from '../support/workflow-harness';

// Account-level refusals open the channel's sending breaker (functions/contact/send/sending-breaker.ts): the
// synthesized definition with the real handlers in-process, DynamoDB on dynalite, SES answering AccountSuspended for a
// while. The walk is deferred, not failed; the operators are told once (and again when sending resumes); the
// message goes out once the account is back.

const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);

const { handlers, api } = useDynaliteHandlers('dunning-breaker-workflow-test', { createInvoices: 'create-invoices' });
const register = invoiceRegistrar('BRK', api);
let harness: WorkflowHarness | undefined;

afterEach(() => {
  harness?.dispose();
  for (const mock of [ses, sns, sfn, sqs]) mock.reset();
});

describe('SES refusing the account for an hour on the D-3 morning', () => {
  it('defers the stage until a probe goes through, tells the operators once, and sends the reminder once', async () => {
    // Prepare: SES suspended from 09:00 to 10:00 in São Paulo on D-3 (Monday 2026-12-07)
    const sent: SentMessage[] = [];
    const refusedAt: string[] = [];
    const now = () => (harness as WorkflowHarness).now();
    providersRecordEveryMessage(ses, sns, { now, record: (message) => sent.push(message) });
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    ses.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
      const at = now().toISOString();
      if (at >= '2026-12-07T12:00:00.000Z' && at < '2026-12-07T13:00:00.000Z') {
        refusedAt.push(at);
        throw new AccountSuspendedException({ message: 'Your account has been suspended.', $metadata: {} });
      }
      const count = sent.push({ channel: 'email', at, to: input.Destination?.ToAddresses?.[0] ?? '', text: '' });
      return { MessageId: `ses-${count}` };
    });
    harness = startHarness(defaultRule, handlers, '2026-12-01T12:00:00.000Z', sfn);
    const { invoiceId } = await register();

    // Act
    const run = await harness.run({ invoiceId });

    // Assess: the walk completed; SES was asked at 09:00, at the first probe (09:15) and the second (09:45)
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.map((e) => e.name)).not.toContain('Failed (operators notified)');
    expect(refusedAt).toEqual(['2026-12-07T12:00:00.000Z', '2026-12-07T12:15:00.000Z', '2026-12-07T12:45:00.000Z']);
    const reminders = sent.filter((m) => m.channel === 'email' && m.at.startsWith('2026-12-07'));
    expect(reminders.map((m) => m.at)).toEqual(['2026-12-07T13:45:00.000Z']);
    const notices = sent
      .filter((m) => m.channel === 'operators')
      .map((m) => JSON.parse(m.text) as { kind: string; channel?: string; since?: string });
    expect(notices.filter((n) => n.kind !== 'escalation')).toEqual([
      expect.objectContaining({ kind: 'sending-paused', channel: 'email', since: '2026-12-07T12:00:00.000Z' }),
      expect.objectContaining({ kind: 'sending-resumed', channel: 'email', since: '2026-12-07T12:00:00.000Z' }),
    ]);
    const waits = run.entered.filter((e) => e.name === 'D-3 · wait or payment').map((e) => e.at);
    expect(waits).toHaveLength(4); // the first wait, then one after each deferral
    // The later stages went out as usual
    expect(sent.filter((m) => m.channel === 'email')).toHaveLength(4);
  });
});

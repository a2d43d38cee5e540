import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AccountSendError,
  classifyProviderError,
  OperatorsNotifier,
  PermanentSendError,
  SendInDoubtError,
  SmsSender,
  TransientSendError,
} from '../../../functions/wiring/providers';
import { providerError } from '../../support/memory-send-step';

// The providers' adapters (functions/contact/providers/): the tags SNS keeps with a message, and how a provider's
// failure is sorted (issue #13: nothing lost, nothing silent).

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

describe('tags the provider keeps', () => {
  it('publishes an SMS with the invoice and the stage as String message attributes', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });

    // Act
    await new SmsSender(new SNSClient({})).send('+5511987650001', 'Lembrete', { invoice: 'INV-1', stage: 'D+3' });

    // Assess
    const attributes = sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes ?? {};
    expect(attributes).toMatchObject({
      invoice: { DataType: 'String', StringValue: 'INV-1' },
      stage: { DataType: 'String', StringValue: 'D+3' },
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
    });
    expect(Object.keys(attributes).filter((name) => !name.startsWith('AWS.'))).toEqual(['invoice', 'stage']);
  });

  it("publishes an escalation to the operators' topic with the invoice and the stage", async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'sns-2' });
    const topic = 'arn:aws:sns:us-east-1:123456789012:dunning-operators';

    // Act
    await new OperatorsNotifier(new SNSClient({}), topic).notify(
      'Escalation',
      { kind: 'escalation' },
      {
        invoice: 'INV-7',
        stage: 'D+30',
      },
    );

    // Assess
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: topic,
      MessageAttributes: {
        invoice: { DataType: 'String', StringValue: 'INV-7' },
        stage: { DataType: 'String', StringValue: 'D+30' },
      },
    });
  });
});

describe('sorting a provider failure', () => {
  const classify = (error: unknown, call?: 'send' | 'read') => classifyProviderError(error, 'SES', 'maria@x.com', call);

  it.each([
    ['AccountSuspendedException', 'Your account has been suspended'],
    ['SendingPausedException', 'Sending is paused for this account'],
    ['MailFromDomainNotVerifiedException', 'MAIL FROM domain not verified'],
    ['AuthorizationErrorException', 'not authorized to perform SNS:Publish'],
    ['KMSAccessDeniedException', 'KMS access denied'],
    ['KMSDisabledException', 'the key is disabled'],
  ])('takes %s for a refusal of the account, not of the message', (name, message) => {
    const error = classify(providerError(name, 400, message));

    expect(error).toBeInstanceOf(AccountSendError);
    expect(error).toMatchObject({ name: 'AccountSendError', reason: name });
  });

  it("takes SES's sandbox rejection for the account's, and other rejections for the message's", () => {
    const sandbox = classify(
      providerError('MessageRejected', 400, 'Email address is not verified. The identities failed: maria@x.com'),
    );
    const content = classify(providerError('MessageRejected', 400, 'Illegal header'));

    expect(sandbox).toMatchObject({ name: 'AccountSendError', reason: 'SandboxRecipientNotVerified' });
    expect(sandbox.message).not.toContain('maria@x.com');
    expect(content).toBeInstanceOf(PermanentSendError);
  });

  it.each([
    ['ECONNRESET', 'socket hang up'],
    ['EPIPE', 'write EPIPE'],
    ['ETIMEDOUT', 'connect ETIMEDOUT'],
  ])('takes a send that got no answer (%s) for "in doubt", retried under the name TransientSendError', (code, message) => {
    const error = classify(Object.assign(new Error(message), { code }));

    expect(error).toBeInstanceOf(SendInDoubtError);
    expect(error.name).toBe('TransientSendError');
  });

  it.each(['TimeoutError', 'AbortError', 'RequestTimeout'])('takes a send that ended in %s for "in doubt"', (name) => {
    expect(classify(Object.assign(new Error('no answer'), { name }))).toBeInstanceOf(SendInDoubtError);
  });

  it('takes a connection never made, or a read without an answer, for transient: nothing can have been sent', () => {
    const refused = classify(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const read = classify(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'read');

    for (const error of [refused, read]) {
      expect(error).toBeInstanceOf(TransientSendError);
      expect(error).not.toBeInstanceOf(SendInDoubtError);
    }
  });
});

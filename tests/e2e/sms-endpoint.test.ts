import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  CreateTopicCommand,
  InvalidParameterException,
  ListPhoneNumbersOptedOutCommand,
  OptInPhoneNumberCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isE164, type LocalAws, startEmulators, startSmsEndpoint } from '../../local/emulators';

/** Sets `env` on process.env and returns a function restoring what was there. */
function applyEnv(env: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

const fixedNow = new Date('2026-12-01T12:00:00.000Z');

describe('the local SMS endpoint, spoken to by the real SNSClient', () => {
  let aws: LocalAws;
  let restoreEnv: () => void;
  let sns: SNSClient;

  beforeAll(async () => {
    aws = await startEmulators({ now: () => fixedNow });
    restoreEnv = applyEnv(aws.env);
    sns = new SNSClient({});
  });

  afterAll(async () => {
    restoreEnv();
    await aws.stop();
  });

  it('delivers a Publish to a PhoneNumber into the outbox, with its attributes, and answers a MessageId', async () => {
    // Act
    const published = await sns.send(
      new PublishCommand({
        PhoneNumber: '+5511987654321',
        Message: 'Sua fatura INV-1 vence hoje: R$ 1.234,50',
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'Cobranca' },
        },
      }),
    );

    // Assess
    expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(aws.smsOutbox()).toEqual([
      {
        phoneNumber: '+5511987654321',
        message: 'Sua fatura INV-1 vence hoje: R$ 1.234,50',
        messageId: published.MessageId,
        attributes: { 'AWS.SNS.SMS.SMSType': 'Transactional', 'AWS.SNS.SMS.SenderID': 'Cobranca' },
        at: fixedNow.toISOString(),
      },
    ]);
  });

  it('reports opt-outs: false, then true after optOutPhone, listed, and false again after OptInPhoneNumber', async () => {
    // Prepare
    const phoneNumber = '+14155550123';
    const before = await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber }));

    // Act
    aws.optOutPhone(phoneNumber);
    const after = await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber }));
    const listed = await sns.send(new ListPhoneNumbersOptedOutCommand({}));
    await sns.send(new OptInPhoneNumberCommand({ phoneNumber }));
    const optedIn = await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber }));

    // Assess
    expect(before.isOptedOut).toBe(false);
    expect(after.isOptedOut).toBe(true);
    expect(listed.phoneNumbers).toEqual([phoneNumber]);
    expect(optedIn.isOptedOut).toBe(false);
  });

  it('accepts a Publish to an opted-out number (as AWS does) but delivers nothing', async () => {
    // Prepare
    const phoneNumber = '+447700900123';
    aws.optOutPhone(phoneNumber);
    const outboxBefore = aws.smsOutbox().length;

    // Act
    const published = await sns.send(new PublishCommand({ PhoneNumber: phoneNumber, Message: 'ignored' }));

    // Assess
    expect(published.MessageId).toBeTruthy();
    expect(aws.smsOutbox()).toHaveLength(outboxBefore);
  });

  it('rejects a number that is not E.164 with InvalidParameterException naming PhoneNumber', async () => {
    // Act
    const publish = sns.send(new PublishCommand({ PhoneNumber: '11987654321', Message: 'hello' }));
    const check = sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: '+0123' }));

    // Assess
    await expect(publish).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(publish).rejects.toThrow(
      'Invalid parameter: PhoneNumber Reason: 11987654321 is not valid to publish to',
    );
    await expect(check).rejects.toBeInstanceOf(InvalidParameterException);
    expect(() => aws.optOutPhone('5511987654321')).toThrow(/optOut: phone must be an E.164 number/);
  });

  it('rejects an empty message with InvalidParameterException, as AWS words it', async () => {
    // Act
    const publish = sns.send(new PublishCommand({ PhoneNumber: '+5511987654321', Message: '' }));

    // Assess
    await expect(publish).rejects.toThrow(InvalidParameterException);
    await expect(publish).rejects.toThrow('Invalid parameter: Empty message');
  });

  it('accepts every E.164 number and rejects every other string (property)', async () => {
    // Prepare
    const e164 = fc
      .tuple(fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^\d{6,14}$/))
      .map(([first, rest]) => `+${first}${rest}`);
    const notE164 = fc.string({ minLength: 1, maxLength: 20 }).filter((text) => !isE164(text));

    // Act + Assess
    await fc.assert(
      fc.asyncProperty(e164, async (phoneNumber) => {
        const out = await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber }));
        expect(out.isOptedOut).toBe(false);
      }),
      { numRuns: 30 },
    );
    await fc.assert(
      fc.asyncProperty(notE164, async (phoneNumber) => {
        await expect(sns.send(new PublishCommand({ PhoneNumber: phoneNumber, Message: 'x' }))).rejects.toBeInstanceOf(
          InvalidParameterException,
        );
      }),
      { numRuns: 30 },
    );
  });

  it('forwards topic requests to fauxqs: CreateTopic, Subscribe and a TopicArn Publish reach the subscribed queue', async () => {
    // Prepare
    const sqs = new SQSClient({});
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'dunning-operators' }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'operators-inbox' }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:operators-inbox',
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const outboxBefore = aws.smsOutbox().length;

    // Act
    const published = await sns.send(new PublishCommand({ TopicArn, Message: 'INV-7 needs an operator' }));
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: `${aws.endpoints.sqs}/000000000000/operators-inbox`,
        WaitTimeSeconds: 1,
      }),
    );

    // Assess
    expect(TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:dunning-operators');
    expect(received.Messages?.map((message) => message.Body)).toEqual(['INV-7 needs an operator']);
    expect(aws.topicMessages(TopicArn)).toEqual([
      expect.objectContaining({ messageId: published.MessageId, message: 'INV-7 needs an operator' }),
    ]);
    expect(aws.smsOutbox()).toHaveLength(outboxBefore);
  });
});

describe('the local SMS endpoint with a state directory', () => {
  let stateDir: string;

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'dunning-sms-'));
  });

  afterAll(() => {
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps the outbox and the opt-outs across a restart, in sms-outbox.json', async () => {
    // Prepare
    const config = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const first = await startSmsEndpoint({ forwardTo: 'http://127.0.0.1:9', stateDir, now: () => fixedNow });
    const published = await new SNSClient({ ...config, endpoint: first.url }).send(
      new PublishCommand({ PhoneNumber: '+5521912345678', Message: 'D+7: fatura em atraso' }),
    );
    first.optOut('+5521900000000');
    await first.stop();

    // Act
    const second = await startSmsEndpoint({ forwardTo: 'http://127.0.0.1:9', stateDir });
    const optedOut = await new SNSClient({ ...config, endpoint: second.url }).send(
      new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: '+5521900000000' }),
    );
    await second.stop();

    // Assess
    const saved = JSON.parse(readFileSync(join(stateDir, 'sms-outbox.json'), 'utf8'));
    expect(second.outbox()).toEqual([
      {
        phoneNumber: '+5521912345678',
        message: 'D+7: fatura em atraso',
        messageId: published.MessageId,
        attributes: {},
        at: fixedNow.toISOString(),
      },
    ]);
    expect(saved).toEqual(second.outbox());
    expect(optedOut.isOptedOut).toBe(true);
  });

  it('answers 502 naming the SNS emulator when the forward target is down', async () => {
    // Prepare
    const endpoint = await startSmsEndpoint({ forwardTo: 'http://127.0.0.1:9' });

    // Act
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListTopics&Version=2010-03-31',
    });
    const text = await response.text();
    await endpoint.stop();

    // Assess
    expect(response.status).toBe(502);
    expect(text).toContain('could not reach the SNS emulator at http://127.0.0.1:9');
  });
});

import {
  GetSuppressedDestinationCommand,
  NotFoundException,
  type SESv2Client,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { maskContactDetails } from '../shared/redact';

/** Error thrown when a provider failed in a way that means "nothing was sent, try again later". */
export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
}

/** Error thrown when a provider refused the message for good (bad address, rejected content). */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
}

const THROTTLING = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalErrorException',
  'InternalError',
]);

/**
 * Sorts a provider error: throttling and 5xx answers mean the provider did not take the message (transient);
 * 4xx answers are permanent for this message. Network errors without an answer are rethrown as they are: we
 * cannot know whether the message left, and the send claim stays in doubt rather than risk a second copy.
 * Providers echo the destination they refused (SES: "…failed the check in region US-EAST-1: maria@…"; SNS:
 * "PhoneNumber Reason: +55… is not valid"): the classified error's message has `destination` and anything shaped
 * like an email address or a phone number masked, for it ends up in logs (Lambda's "Invoke Error" line, the
 * workflow's execution log with its data), the operators' notices and the contact log.
 */
export function classifyProviderError(error: unknown, provider: string, destination?: string): Error {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const detail = maskContactDetails(`${provider}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, [destination]);
  if ((e.name && THROTTLING.has(e.name)) || (status !== undefined && status >= 500)) {
    return new TransientSendError(detail);
  }
  if (status !== undefined && status >= 400) return new PermanentSendError(detail);
  if (!(error instanceof Error)) return new Error(detail);
  // Rethrown as it is (its name and class tell callers what happened), its message and stack masked like the others'.
  error.message = maskContactDetails(error.message, [destination]);
  if (error.stack) error.stack = maskContactDetails(error.stack, [destination]);
  return error;
}

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** Extra headers (List-Unsubscribe…). */
  readonly headers?: readonly { name: string; value: string }[];
  /** Tags for SES event destinations (invoice, stage). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Sends email through SES v2 (simple content with HTML and text bodies). */
export class Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  /**
   * Whether SES's account-level suppression list holds the address (it bounced or complained): SES would accept a
   * message to it and drop it, so the contact log would say "sent" for a message nobody received.
   */
  async isSuppressed(address: string): Promise<boolean> {
    try {
      await this.client.send(new GetSuppressedDestinationCommand({ EmailAddress: address }));
      return true;
    } catch (error) {
      if (error instanceof NotFoundException || (error as Error).name === 'NotFoundException') return false;
      throw classifyProviderError(error, 'SES', address);
    }
  }

  async send(email: OutgoingEmail): Promise<string> {
    try {
      const out = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [email.to] },
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
              ...(email.headers?.length
                ? { Headers: email.headers.map((h) => ({ Name: h.name, Value: h.value })) }
                : {}),
            },
          },
          ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
          ...(email.tags
            ? { EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: sanitizeTag(Value) })) }
            : {}),
        }),
      );
      return out.MessageId ?? 'unknown';
    } catch (error) {
      throw classifyProviderError(error, 'SES', email.to);
    }
  }
}

/** SES tag values allow only ASCII letters, digits, `_`, `-`, `.`, `@`. */
function sanitizeTag(value: string): string {
  return value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256) || '_';
}

/** Sends SMS through SNS (Publish to a phone number) and checks SNS's opt-out list. */
export class SmsSender {
  constructor(
    private readonly client: SNSClient,
    private readonly senderId?: string,
  ) {}

  async isOptedOut(phone: string): Promise<boolean> {
    try {
      const out = await this.client.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }));
      return out.isOptedOut === true;
    } catch (error) {
      throw classifyProviderError(error, 'SNS', phone);
    }
  }

  async send(phone: string, text: string): Promise<string> {
    try {
      const out = await this.client.send(
        new PublishCommand({
          PhoneNumber: phone,
          Message: text,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(this.senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: this.senderId } } : {}),
          },
        }),
      );
      return out.MessageId ?? 'unknown';
    } catch (error) {
      throw classifyProviderError(error, 'SNS', phone);
    }
  }
}

/** Publishes to the operators' SNS topic (escalations and failures). */
export class OperatorsNotifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async notify(subject: string, message: Record<string, unknown>): Promise<string> {
    try {
      const out = await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subject.slice(0, 100),
          Message: JSON.stringify(message, null, 2),
        }),
      );
      return out.MessageId ?? 'unknown';
    } catch (error) {
      throw classifyProviderError(error, 'SNS topic');
    }
  }
}

/** Resumes waiting workflow tasks (payment, closure). */
export class TaskTokens {
  constructor(private readonly client: SFNClient) {}

  /**
   * Sends the output to the waiting task. Returns false when the token is no longer waiting (its wait timed out
   * or it was resumed already): the workflow's next step re-reads the invoice and sees the change anyway.
   */
  async resume(taskToken: string, output: unknown): Promise<boolean> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (error) {
      if (isStaleTokenError(error)) return false;
      throw error;
    }
  }

  async fail(taskToken: string, error: string, cause: string): Promise<boolean> {
    try {
      await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
      return true;
    } catch (e) {
      if (isStaleTokenError(e)) return false;
      throw e;
    }
  }
}

function isStaleTokenError(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken';
}

/** Queues invoice ids for the starter (SQS buffer in front of StartExecution). */
export class StartQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Sends the ids in batches of 10; returns the ids that could not be queued. */
  async enqueue(invoiceIds: readonly string[]): Promise<string[]> {
    const failed: string[] = [];
    for (let i = 0; i < invoiceIds.length; i += 10) {
      const batch = invoiceIds.slice(i, i + 10);
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((invoiceId, index) => ({ Id: String(index), MessageBody: JSON.stringify({ invoiceId }) })),
        }),
      );
      for (const f of out.Failed ?? []) {
        const id = batch[Number(f.Id)];
        if (id !== undefined) failed.push(id);
      }
    }
    return failed;
  }
}

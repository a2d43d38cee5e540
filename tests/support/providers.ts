import {
  GetSuppressedDestinationCommand,
  NotFoundException,
  type SESv2ClientResolvedConfig,
  SendEmailCommand,
  type SendEmailCommandInput,
} from '@aws-sdk/client-sesv2';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  PublishCommand,
  type PublishCommandInput,
  type SNSClientResolvedConfig,
} from '@aws-sdk/client-sns';
import type { AwsStub } from 'aws-sdk-client-mock';

/** A client's mock from `mockClient`, by the client's config type. */
// biome-ignore lint/suspicious/noExplicitAny: the stub's input/output unions differ per client; only `on` is used here
export type Stub<Config> = AwsStub<any, any, Config>;

/** SES and SNS mocks that take every message (ids `ses-1`, `sns-1`), with no address suppressed and no phone opted out. */
export function providersAcceptEveryMessage(
  ses: Stub<SESv2ClientResolvedConfig>,
  sns: Stub<SNSClientResolvedConfig>,
): void {
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
  ses.on(GetSuppressedDestinationCommand).rejects(new NotFoundException({ message: 'not suppressed', $metadata: {} }));
  sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
}

/** A message a provider mock took: its channel (an SNS topic is the operators'), when, to whom and its text. */
export interface SentMessage {
  channel: 'email' | 'sms' | 'operators';
  /** ISO instant, on the clock `now` reads (a workflow harness's virtual one). */
  at: string;
  /** The email address, phone number or topic ARN. */
  to: string;
  text: string;
}

/**
 * SES and SNS mocks that take every message and hand each to `record`, stamped with `now()`, with no address
 * suppressed and no phone opted out; `record` answers how many messages it holds, which numbers the message ids
 * (`ses-<n>`, `sns-<n>`): `record: (message) => sent.push(message)`.
 */
export function providersRecordEveryMessage(
  ses: Stub<SESv2ClientResolvedConfig>,
  sns: Stub<SNSClientResolvedConfig>,
  { now, record }: { now: () => Date; record: (message: SentMessage) => number },
): void {
  ses.on(GetSuppressedDestinationCommand).rejects(new NotFoundException({ message: 'not suppressed', $metadata: {} }));
  ses.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
    const count = record({
      channel: 'email',
      at: now().toISOString(),
      to: input.Destination?.ToAddresses?.[0] ?? '',
      text: input.Content?.Simple?.Body?.Text?.Data ?? '',
    });
    return { MessageId: `ses-${count}` };
  });
  sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
  sns.on(PublishCommand).callsFake((input: PublishCommandInput) => {
    const count = record({
      channel: input.TopicArn ? 'operators' : 'sms',
      at: now().toISOString(),
      to: input.PhoneNumber ?? input.TopicArn ?? '',
      text: input.Message ?? '',
    });
    return { MessageId: `sns-${count}` };
  });
}

import {
  GetSuppressedDestinationCommand,
  NotFoundException,
  type SESv2ClientResolvedConfig,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, type SNSClientResolvedConfig } from '@aws-sdk/client-sns';
import type { AwsStub } from 'aws-sdk-client-mock';

// biome-ignore lint/suspicious/noExplicitAny: the stub's input/output unions differ per client; only `on` is used here
type Stub<Config> = AwsStub<any, any, Config>;

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

import {
  GetSuppressedDestinationCommand,
  NotFoundException,
  type SESv2Client,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import { classifyProviderError } from './provider-errors';

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

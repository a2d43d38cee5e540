import {
  GetSuppressedDestinationCommand,
  NotFoundException,
  type SESv2Client,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import { type ProviderClients, providerClients } from './provider-clients';
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

/**
 * Sends email through SES v2 (simple content with HTML and text bodies). SendEmail goes through the `sends` client,
 * which the wiring makes without SDK retries (functions/platform/aws/ses.ts `sesSend`: no idempotency key, a retry
 * after a reset connection may deliver a second copy); the suppression-list read through `reads`, with them.
 */
export class Mailer {
  private readonly clients: ProviderClients<SESv2Client>;

  constructor(
    clients: SESv2Client | ProviderClients<SESv2Client>,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {
    this.clients = providerClients(clients);
  }

  /**
   * Whether SES's account-level suppression list holds the address (it bounced or complained): SES would accept a
   * message to it and drop it, so the contact log would say "sent" for a message nobody received.
   */
  async isSuppressed(address: string): Promise<boolean> {
    try {
      await this.clients.reads.send(new GetSuppressedDestinationCommand({ EmailAddress: address }));
      return true;
    } catch (error) {
      if (error instanceof NotFoundException || (error as Error).name === 'NotFoundException') return false;
      throw classifyProviderError(error, 'SES', address, 'read');
    }
  }

  async send(email: OutgoingEmail): Promise<string> {
    try {
      const out = await this.clients.sends.send(
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

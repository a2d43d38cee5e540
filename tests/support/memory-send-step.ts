import {
  GetSuppressedDestinationCommand,
  type SESv2Client,
  SendEmailCommand,
  type SendEmailCommandInput,
} from '@aws-sdk/client-sesv2';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  PublishCommand,
  type PublishCommandInput,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { type SendDeps, sendStage } from '../../functions/contact/send-stage';
import type { BillingRule } from '../../functions/rules/billing-rule';
import { memoryStores } from '../../functions/stores/memory';
import { companyIdentity } from '../../functions/wiring/company';
import { Mailer, OperatorsNotifier, SmsSender } from '../../functions/wiring/providers';
import { customer, registration } from './contracts/stores';
import { defaultRule } from './fixtures';

/** An error as the SDK throws a provider's answer: name, message, HTTP status. */
export function providerError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** What the fake providers were asked to send, in order. */
export interface Attempt {
  readonly channel: 'email' | 'sms' | 'operators';
  readonly to: string;
  readonly subject?: string;
  readonly message?: string;
  /** Whether the provider took it (false: it answered `refuse`'s error). */
  readonly taken: boolean;
}

/**
 * The send step (functions/contact/send-stage.ts) on the in-memory stores, with the real Mailer, SmsSender and
 * OperatorsNotifier over fake SDK clients that record every send; `refuse(channel)` answers the error the provider
 * gives now (undefined: it takes the message). Invoices `INV-<n>` of customers `C-<n>` (Maria Silva, São Paulo),
 * 1234.50 BRL due 2026-12-10; the clock is `clock.now`.
 */
export function memorySendStep(
  options: { refuse?: (channel: Attempt['channel']) => Error | undefined; start?: string } = {},
) {
  const stores = memoryStores();
  const attempts: Attempt[] = [];
  const clock = { now: new Date(options.start ?? '2026-12-10T12:00:00.000Z') };
  const attempt = (a: Omit<Attempt, 'taken'>): string => {
    const error = options.refuse?.(a.channel);
    attempts.push({ ...a, taken: error === undefined });
    if (error) throw error;
    return `${a.channel}-${attempts.filter((x) => x.taken).length}`;
  };
  // The adapters take SDK clients; these fakes answer only the commands the adapters send (a cast stands in for the
  // rest of the client's surface).
  const ses = {
    async send(command: unknown) {
      if (command instanceof GetSuppressedDestinationCommand) {
        throw providerError('NotFoundException', 404, 'not on the suppression list');
      }
      if (command instanceof SendEmailCommand) {
        const input: SendEmailCommandInput = command.input;
        return { MessageId: attempt({ channel: 'email', to: input.Destination?.ToAddresses?.[0] ?? '' }) };
      }
      throw new Error('unexpected SES command');
    },
  } as unknown as SESv2Client;
  const sns = {
    async send(command: unknown) {
      if (command instanceof CheckIfPhoneNumberIsOptedOutCommand) return { isOptedOut: false };
      if (command instanceof PublishCommand) {
        const input: PublishCommandInput = command.input;
        const channel = input.TopicArn ? 'operators' : 'sms';
        const to = input.TopicArn ?? input.PhoneNumber ?? '';
        return {
          MessageId: attempt({
            channel,
            to,
            ...(input.Subject ? { subject: input.Subject } : {}),
            ...(input.Message ? { message: input.Message } : {}),
          }),
        };
      }
      throw new Error('unexpected SNS command');
    },
  } as unknown as SNSClient;
  const deps: SendDeps = {
    ...stores,
    mailer: new Mailer(ses, 'cobranca@example.com'),
    sms: new SmsSender(sns),
    operators: new OperatorsNotifier(sns, 'arn:aws:sns:us-east-1:123456789012:dunning-operators'),
    company: companyIdentity(),
    now: () => clock.now,
  };
  let count = 0;

  /** Registers the next invoice (and its customer) in the stores; its id. */
  async function register(): Promise<string> {
    count += 1;
    const invoiceId = `INV-${count}`;
    const customerId = `C-${count}`;
    await stores.customers.upsertCustomer(customer(customerId), '2026-12-01T12:00:00.000Z');
    await stores.invoices.createInvoice(registration(invoiceId, customerId), 'standard', '2026-12-01T12:00:00.000Z');
    return invoiceId;
  }

  /** The send step of `invoiceId` at `stageId` (the default rule's), now. */
  const send = (invoiceId: string, stageId: string, rule: BillingRule = defaultRule) =>
    sendStage({ invoiceId, rule, stageId }, deps);

  /** The messages the providers took or refused, by channel. */
  const sent = (channel: Attempt['channel']) => attempts.filter((a) => a.channel === channel && a.taken);
  const refused = (channel: Attempt['channel']) => attempts.filter((a) => a.channel === channel && !a.taken);
  /** The operators' notices, parsed. */
  const notices = () => sent('operators').map((a) => JSON.parse(a.message ?? '{}') as Record<string, unknown>);
  /** The invoice's contact log, `channel outcome reason`. */
  const contactLog = async (invoiceId: string) =>
    (await stores.contactLog.customerContacts(invoiceId.replace('INV', 'C'), '2026-01-01T00:00:00.000Z')).map(
      (c) => `${c.stageId} ${c.channel} ${c.outcome}${c.reason ? ` ${c.reason}` : ''}`,
    );

  return { stores, deps, clock, attempts, register, send, sent, refused, notices, contactLog };
}

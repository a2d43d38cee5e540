import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { handler } from '../../functions/handlers/send-stage';
import { installClock } from '../../functions/platform/clock';
import { type BillingRule, parseBillingRule } from '../../functions/rules/billing-rule';
import { customerFixture, defaultRule, invoiceFixture, keys, lambdaContext } from './fixtures';
import { providersAcceptEveryMessage } from './providers';

/** The default rule with SMS only on weekdays 09:00–18:00 (email keeps 08:00–20:00). */
export const narrowSms = parseBillingRule({
  ...defaultRule,
  channelHours: { sms: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '18:00']]])) },
});

/** The default rule charging a 2% fine and 1% a month, under the São Paulo preset. */
export const withLateFees = parseBillingRule({
  ...defaultRule,
  preset: 'BR-SP',
  lateFee: { finePercent: 2, monthlyInterestPercent: 1 },
});

/** The send step's handler for INV-1 at `stageId`, under `rule` (the default rule unless given). */
export const send = (stageId: string, rule: BillingRule = defaultRule) =>
  handler({ invoiceId: 'INV-1', rule, stageId }, lambdaContext);

/**
 * The send step's unit tests under mocked AWS clients (DynamoDB, SES, SNS): call once at the top of a test file. Every
 * test of the file: the providers take each message and nobody opted out, unless a test says otherwise; the mocks
 * are reset after each test, and the clock set by `at` is restored after the file.
 */
export function useSendStep() {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESv2Client);
  const sns = mockClient(SNSClient);
  let restoreClock: () => void = () => {};

  /** Sets the clock to `iso`. */
  function at(iso: string) {
    restoreClock();
    restoreClock = installClock({ now: () => new Date(iso) });
  }

  /**
   * The invoice and its customer readable by their keys; no sending breaker; every write accepted, no invoice in the
   * customer index.
   */
  function givenInvoice(invoice = invoiceFixture(), customer = customerFixture()) {
    ddb
      .on(GetCommand, { Key: keys.invoice(invoice.invoiceId) })
      .resolves({ Item: { ...keys.invoice(invoice.invoiceId), ...invoice } });
    ddb
      .on(GetCommand, { Key: keys.customer(customer.customerId) })
      .resolves({ Item: { ...keys.customer(customer.customerId), ...customer } });
    ddb.on(GetCommand, { Key: keys.sendingBreakers() }).resolves({}); // no sending breaker ever opened
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
  }

  /** The text part of the first email sent. */
  const emailText = () => ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Body?.Text?.Data ?? '';
  /** The first SMS (or operators message) published. */
  const smsText = () => sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
  /** The writes of a customer's contact slot (`recentContacts`), not those of its statement secret. */
  const slotWrites = (customerPk: string) =>
    ddb
      .commandCalls(UpdateCommand)
      .filter(
        (c) => c.args[0].input.Key?.pk === customerPk && !c.args[0].input.UpdateExpression?.includes('statementSecret'),
      );

  beforeEach(() => {
    providersAcceptEveryMessage(ses, sns);
  });
  afterEach(() => {
    ddb.reset();
    ses.reset();
    sns.reset();
  });
  afterAll(() => restoreClock());

  return { ddb, ses, sns, at, givenInvoice, emailText, smsText, slotWrites };
}

import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Invoice } from '../../../../functions/invoices/invoice';
import { installClock } from '../../../../functions/platform/clock';
import { customerFixture, invoiceFixture, keys } from '../../../support/fixtures';
import { send, useSendStep } from '../../../support/send-step';

// The send step under the faults the fault-injection e2e test (tests/e2e/fault-injection.test.ts) found it weak
// against: a payment committed while the step runs, a failure between the provider taking a message and the step
// recording it, and a retried step whose messages go out later than the contact slot it took.

const { ddb, ses, sns, at, givenInvoice, slotWrites } = useSendStep();
at('2026-12-10T12:00:00.000Z'); // D0, 09:00 in São Paulo

const invoiceKey = keys.invoice('INV-1');
const customerKey = keys.customer('C-1');
const item = (invoice: Invoice) => ({ Item: { ...invoiceKey, ...invoice } });
/** The writes of the customer's contact slot (`recentContacts`), not those of its statement secret. */
const contactSlotWrites = () => slotWrites(customerKey.pk);
const contactLog = () =>
  ddb
    .commandCalls(PutCommand)
    .map((c) => c.args[0].input.Item ?? {})
    .filter((i) => i.itemType === 'contact');

beforeEach(() => {
  givenInvoice();
});

describe('a payment that commits while the send step runs', () => {
  it('stops the stage before the next provider call: the SMS after the email is not sent, the walk ends paid', async () => {
    // Prepare: the step reads the invoice OPEN; the payment commits while the email goes out
    ddb
      .on(GetCommand, { Key: invoiceKey })
      .resolvesOnce(item(invoiceFixture()))
      .resolvesOnce(item(invoiceFixture()))
      .resolves(item(invoiceFixture({ status: 'PAID', balanceMinor: 0, version: 2 })));

    // Act
    const result = await send('D0');

    // Assess
    expect(result).toMatchObject({ outcome: 'paid', stageId: '' });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: keys.send('INV-1', 'D0', 'sms') });
    expect(contactLog().map((c) => `${c.channel} ${c.outcome}`)).toEqual(['email sent']);
  });

  it('sends nothing and gives the contact slot back when the payment came before the first message', async () => {
    // Prepare: OPEN when the step starts, PAID by the time the first claim is taken
    ddb
      .on(GetCommand, { Key: invoiceKey })
      .resolvesOnce(item(invoiceFixture()))
      .resolves(item(invoiceFixture({ status: 'PAID', balanceMinor: 0, version: 2 })));
    const slot = { at: '2026-12-10T12:00:00.000Z', invoiceId: 'INV-1', stageId: 'D0' };
    ddb
      .on(GetCommand, { Key: customerKey })
      .resolvesOnce({ Item: { ...customerKey, ...customerFixture({ contactsVersion: 1 }) } })
      .resolves({ Item: { ...customerKey, ...customerFixture({ recentContacts: [slot], contactsVersion: 2 }) } });

    // Act
    const result = await send('D0');

    // Assess
    expect(result.outcome).toBe('paid');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: keys.send('INV-1', 'D0', 'email') });
    const slotWrites = contactSlotWrites();
    expect(slotWrites.map((c) => c.args[0].input.ExpressionAttributeValues?.[':contacts'])).toEqual([[slot], []]);
  });
});

describe('a failure after the provider took the message', () => {
  const failCompletion = (channel: string) =>
    ddb
      .on(UpdateCommand, { Key: keys.send('INV-1', 'D0', channel) })
      .rejects(Object.assign(new Error('Internal server error'), { name: 'InternalServerError' }));

  it('records the message in the contact log and goes on with the stage when the send record cannot be completed', async () => {
    // Prepare
    failCompletion('email');

    // Act
    const result = await send('D0');

    // Assess: both channels out once, both in the log; the email's claim stays PENDING (a retry never resends it)
    expect(result).toMatchObject({ outcome: 'sent', stageId: 'D+3' });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(contactLog().map((c) => `${c.channel} ${c.outcome} ${c.messageId}`)).toEqual([
      'email sent ses-1',
      'sms sent sns-1',
    ]);
    expect(ddb).not.toHaveReceivedCommandWith(DeleteCommand, { Key: keys.send('INV-1', 'D0', 'email') });
  });

  it('asks for a retry (TransientSendError), keeping the claim, when not even the contact log can be written', async () => {
    // Prepare
    ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
      if (input.Item.itemType === 'contact' && input.Item.channel === 'email') {
        throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
      }
      return {};
    });

    // Act
    const outcome = send('D0');

    // Assess: the Step Functions retry will find the claim in doubt and not send again
    await expect(outcome).rejects.toMatchObject({ name: 'TransientSendError' });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
  });
});

describe('a retried step whose messages go out later than the contact slot it took', () => {
  it('moves its slot to the instant the messages go out, keeping the other invoices’ contacts', async () => {
    // Prepare: the first attempt took the slot at 12:00 and was throttled; the retry runs at 12:07:30
    const restore = installClock({ now: () => new Date('2026-12-10T12:07:30.000Z') });
    const other = { at: '2026-12-05T12:00:00.000Z', invoiceId: 'INV-2', stageId: 'D0' };
    const own = { at: '2026-12-10T12:00:00.000Z', invoiceId: 'INV-1', stageId: 'D0' };
    ddb
      .on(GetCommand, { Key: customerKey })
      .resolves({ Item: { ...customerKey, ...customerFixture({ recentContacts: [other, own], contactsVersion: 4 }) } });

    // Act
    const result = await send('D0');
    restore();

    // Assess
    expect(result.outcome).toBe('sent');
    const slotWrites = contactSlotWrites();
    expect(slotWrites.map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      { ':contacts': [other, { ...own, at: '2026-12-10T12:07:30.000Z' }], ':next': 5, ':version': 4 },
    ]);
  });
});

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { CheckIfPhoneNumberIsOptedOutCommand } from '@aws-sdk/client-sns';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { customerFixture, invoiceFixture, keys } from '../../../support/fixtures';
import { send, useSendStep } from '../../../support/send-step';

// The contact slot on the customer (functions/contact/send/contact-slot.ts): the frequency caps count the contacts
// of every invoice of the customer.

const { ddb, ses, sns, at, givenInvoice, slotWrites } = useSendStep();

describe('frequency caps across all of a customer’s invoices', () => {
  const customerKey = keys.customer('C-1');
  const conflict = () => new ConditionalCheckFailedException({ message: 'changed', $metadata: {} });
  const contactUpdates = () => slotWrites(customerKey.pk);

  it('takes the contact slot on the customer, only if nobody changed its contacts since they were read', async () => {
    // Prepare: Monday 09:00 local; an older contact 9 days ago falls out of the 7-day window
    at('2026-12-07T12:00:00.000Z');
    const old = { at: '2026-11-28T12:00:00.000Z', invoiceId: 'INV-0', stageId: 'D0' };
    givenInvoice(invoiceFixture(), customerFixture({ recentContacts: [old], contactsVersion: 4 }));

    // Act
    const result = await send('D-3');

    // Assess
    expect(result.outcome).toBe('sent');
    expect(contactUpdates().map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        UpdateExpression: 'SET recentContacts = :contacts, contactsVersion = :next',
        ConditionExpression: 'attribute_exists(pk) AND contactsVersion = :version',
        ExpressionAttributeValues: {
          ':contacts': [{ at: '2026-12-07T12:00:00.000Z', invoiceId: 'INV-1', stageId: 'D-3' }],
          ':next': 5,
          ':version': 4,
        },
      }),
    ]);
  });

  it('defers a stage that comes too soon after a contact made for another invoice of the customer', async () => {
    // Prepare: another invoice reached the customer 2 hours ago (minHoursBetween is 20)
    at('2026-12-07T12:00:00.000Z');
    const recent = { at: '2026-12-07T10:00:00.000Z', invoiceId: 'INV-2', stageId: 'D0' };
    givenInvoice(invoiceFixture(), customerFixture({ recentContacts: [recent], contactsVersion: 1 }));

    // Act
    const result = await send('D-3');

    // Assess
    expect(result).toMatchObject({ outcome: 'deferred', stageId: 'D-3', reason: 'min-gap' });
    // 20 h after the contact is 03:00 local: the first instant allowed is 08:00 local
    expect(result.until).toBe('2026-12-08T11:00:00.000Z');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(contactUpdates()).toHaveLength(0);
  });

  it('loses the race to an invoice of the same customer due at the same instant: reads again and defers', async () => {
    // Prepare: the slot write finds the contacts changed; read again, they hold the other invoice's contact now
    at('2026-12-07T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ contactsVersion: 2 }));
    const winner = { at: '2026-12-07T12:00:00.000Z', invoiceId: 'INV-2', stageId: 'D0' };
    ddb
      .on(GetCommand, { Key: customerKey })
      .resolvesOnce({ Item: { ...customerKey, ...customerFixture({ contactsVersion: 2 }) } })
      .resolves({ Item: { ...customerKey, ...customerFixture({ recentContacts: [winner], contactsVersion: 3 }) } });
    ddb.on(UpdateCommand, { Key: customerKey }).rejects(conflict());

    // Act
    const result = await send('D-3');

    // Assess: one attempt to take the slot, then the policy sees the winner's contact
    expect(result).toMatchObject({ outcome: 'deferred', reason: 'min-gap' });
    expect(contactUpdates()).toHaveLength(1);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('moves the slot it already holds to now when the step runs again, and takes no second one', async () => {
    // Prepare: a first attempt took the slot, then crashed
    at('2026-12-07T12:00:30.000Z');
    const own = { at: '2026-12-07T12:00:00.000Z', invoiceId: 'INV-1', stageId: 'D-3' };
    givenInvoice(invoiceFixture(), customerFixture({ recentContacts: [own], contactsVersion: 7 }));

    // Act
    const result = await send('D-3');

    // Assess: one contact for the stage, at the instant its message goes out
    expect(result.outcome).toBe('sent');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(contactUpdates().map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      { ':contacts': [{ ...own, at: '2026-12-07T12:00:30.000Z' }], ':next': 8, ':version': 7 },
    ]);
  });

  it('gives the slot back when the stage reached nobody, so it does not count as a contact', async () => {
    // Prepare: D+3 is an SMS and the debtor's number is on the SNS opt-out list
    at('2026-12-14T13:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ contactsVersion: 1 }));
    sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: true });
    ddb
      .on(GetCommand, { Key: customerKey })
      .resolvesOnce({ Item: { ...customerKey, ...customerFixture({ contactsVersion: 1 }) } })
      .resolves({
        Item: {
          ...customerKey,
          ...customerFixture({
            recentContacts: [{ at: '2026-12-14T13:00:00.000Z', invoiceId: 'INV-1', stageId: 'D+3' }],
            contactsVersion: 2,
          }),
        },
      });

    // Act
    const result = await send('D+3');

    // Assess: taken (version 1 → 2), then given back (version 2 → 3, empty list)
    expect(result.outcome).toBe('skipped');
    expect(contactUpdates().map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      {
        ':contacts': [{ at: '2026-12-14T13:00:00.000Z', invoiceId: 'INV-1', stageId: 'D+3' }],
        ':next': 2,
        ':version': 1,
      },
      { ':contacts': [], ':next': 3, ':version': 2 },
    ]);
  });
});

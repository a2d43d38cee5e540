import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { SAFETY_NET_SECONDS } from '../../../../functions/executions/wait-schedules';
import { customerFixture, invoiceFixture, without } from '../../../support/fixtures';
import { narrowSms, send, useSendStep } from '../../../support/send-step';

// The send step waits when contact is not allowed now (the hours of the stage's channels, the debtor's holidays),
// and skips a stage whose next stage is due already. The frequency caps: frequency-caps.test.ts.

const { ddb, ses, sns, at, givenInvoice } = useSendStep();

describe('send step', () => {
  it('defers a stage that falls at 21:00 local to 08:00 the next business day', async () => {
    // Prepare: 2026-12-08 00:00Z = Monday 21:00 in São Paulo
    at('2026-12-08T00:00:00.000Z');
    givenInvoice();

    const result = await send('D-3');

    expect(result).toEqual({
      outcome: 'deferred',
      stageId: 'D-3',
      seconds: 11 * 3600 + SAFETY_NET_SECONDS,
      until: '2026-12-08T11:00:00.000Z',
      reason: 'outside-business-hours',
    });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ itemType: 'contact', outcome: 'deferred', reason: 'outside-business-hours' }),
    });
  });

  it('supersedes a stage whose next stage is already due', async () => {
    // D-3 reached only after D0 was due (e.g. a long deferral): D-3 is skipped, D0 waits 1 s.
    at('2026-12-10T13:00:00.000Z');
    givenInvoice();

    const result = await send('D-3');

    expect(result).toMatchObject({ outcome: 'superseded', stageId: 'D0', seconds: 1 + SAFETY_NET_SECONDS });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('defers a stage until every channel it sends is open (SMS narrower than email)', async () => {
    // Prepare: D0, Thursday 2026-12-10 19:00 in São Paulo: email open until 20:00, SMS closed since 18:00
    at('2026-12-10T22:00:00.000Z');
    givenInvoice();

    // Act
    const result = await send('D0', narrowSms);

    // Assess: Friday 09:00, when the SMS window opens
    expect(result).toEqual({
      outcome: 'deferred',
      stageId: 'D0',
      seconds: 14 * 3600 + SAFETY_NET_SECONDS,
      until: '2026-12-11T12:00:00.000Z',
      reason: 'outside-business-hours',
    });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('does not hold a stage back for a channel the debtor cannot receive (no phone: email goes now)', async () => {
    at('2026-12-10T22:00:00.000Z');
    const customer = without(customerFixture(), 'phone');
    givenInvoice(invoiceFixture({ customer }), customer);

    const result = await send('D0', narrowSms);

    expect(result.outcome).toBe('sent');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ itemType: 'contact', channel: 'sms', reason: 'no-contact-address' }),
    });
  });

  it("defers a contact on the debtor's own public holiday (Thanksgiving for a debtor in New York)", async () => {
    // Prepare: due 2026-11-26, D0 at 09:00 in New York; the rule is Brazilian
    at('2026-11-26T14:00:00.000Z');
    const customer = customerFixture({ timezone: 'America/New_York', country: 'US', region: 'NY', locale: 'en' });
    givenInvoice(invoiceFixture({ customer, dueDate: '2026-11-26' }), customer);

    // Act
    const result = await send('D0');

    // Assess: Friday 08:00 in New York
    expect(result).toMatchObject({ outcome: 'deferred', reason: 'holiday', until: '2026-11-27T13:00:00.000Z' });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });
});

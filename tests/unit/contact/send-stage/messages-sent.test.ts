import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetSuppressedDestinationCommand, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { SAFETY_NET_SECONDS } from '../../../../functions/executions/wait-schedules';
import { customerFixture, invoiceFixture, keys, without } from '../../../support/fixtures';
import { send, useSendStep, withLateFees } from '../../../support/send-step';

// The send step sends each message of the stage once, skips the channels it cannot reach, and escalates.
// Its deferrals and supersession: deferred-or-superseded.test.ts.

const { ddb, ses, sns, at, givenInvoice, emailText, smsText } = useSendStep();

describe('send step', () => {
  it('sends the D-3 reminder by email in business hours and schedules D0', async () => {
    // Prepare: Monday 2026-12-07 09:00 in São Paulo (UTC-3), three days before the due date
    at('2026-12-07T12:00:00.000Z');
    givenInvoice();

    // Act
    const result = await send('D-3');

    // Assess
    expect(result).toEqual({
      outcome: 'sent',
      stageId: 'D0',
      seconds: 3 * 86_400 + SAFETY_NET_SECONDS,
      until: '2026-12-10T12:00:00.000Z',
      reason: '',
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'cobranca@example.com',
      Destination: { ToAddresses: ['maria@example.com'] },
    });
    const email = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(email?.Content?.Simple?.Body?.Html?.Data).toContain('Exemplo Cobranças Ltda');
    expect(email?.Content?.Simple?.Body?.Text?.Data).toContain('12.345.678/0001-90');
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ ...keys.send('INV-1', 'D-3', 'email'), state: 'PENDING' }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.send('INV-1', 'D-3', 'email'),
      ExpressionAttributeValues: expect.objectContaining({ ':sent': 'SENT', ':id': 'ses-1' }),
    });
  });

  it('sends email and SMS together on D0', async () => {
    at('2026-12-10T12:00:00.000Z');
    givenInvoice();

    const result = await send('D0');

    expect(result.outcome).toBe('sent');
    expect(result.stageId).toBe('D+3');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { PhoneNumber: '+5511987650001' });
    const sms = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(sms).toMatch(/SAIR/);
  });

  it('sends nothing for a paid invoice and reports it paid', async () => {
    at('2026-12-07T12:00:00.000Z');
    givenInvoice(invoiceFixture({ status: 'PAID', balanceMinor: 0 }));

    const result = await send('D-3');

    expect(result.outcome).toBe('paid');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('gives the claim back and throws TransientSendError when SES throttles, so the retry can send', async () => {
    at('2026-12-07T12:00:00.000Z');
    givenInvoice();
    ses
      .on(SendEmailCommand)
      .rejects(
        new TooManyRequestsException({ message: 'Maximum sending rate exceeded', $metadata: { httpStatusCode: 429 } }),
      );

    await expect(send('D-3')).rejects.toMatchObject({ name: 'TransientSendError' });

    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: keys.send('INV-1', 'D-3', 'email') });
  });

  it('does not send again when the channel was already sent for this stage (retried Lambda)', async () => {
    at('2026-12-07T12:00:00.000Z');
    givenInvoice();
    ddb.on(PutCommand).callsFake((input: { Item: { pk: string } }) => {
      if (input.Item.pk === keys.send('INV-1', 'D-3', 'email').pk) {
        throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
      }
      return {};
    });
    ddb.on(GetCommand, { Key: keys.send('INV-1', 'D-3', 'email') }).resolves({ Item: { state: 'SENT' } });

    const result = await send('D-3');

    expect(result.outcome).toBe('sent');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('skips a channel without an address, with the reason', async () => {
    at('2026-12-07T12:00:00.000Z');
    const customer = without(customerFixture(), 'email');
    givenInvoice(invoiceFixture({ customer }), customer);

    const result = await send('D-3');

    expect(result.outcome).toBe('skipped');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        itemType: 'contact',
        channel: 'email',
        outcome: 'skipped',
        reason: 'no-contact-address',
      }),
    });
  });

  it("skips an email address on SES's suppression list (it bounced), with the reason, and sends the SMS", async () => {
    // Prepare
    at('2026-12-10T12:00:00.000Z');
    givenInvoice();
    ses.on(GetSuppressedDestinationCommand).resolves({
      SuppressedDestination: { EmailAddress: 'maria@example.com', Reason: 'BOUNCE', LastUpdateTime: new Date() },
    });

    // Act
    const result = await send('D0');

    // Assess
    expect(result.outcome).toBe('sent');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { PhoneNumber: '+5511987650001' });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ stageId: 'D0', channel: 'email', outcome: 'skipped', reason: 'suppressed' }),
    });
  });

  it('gives every email a one-click unsubscribe link (List-Unsubscribe + List-Unsubscribe-Post, RFC 8058)', async () => {
    // Prepare
    at('2026-12-07T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ unsubscribeToken: 'k3V9tYqL2wPz8sRfX1cN0bHa' }));

    // Act
    await send('D-3');

    // Assess
    const link = 'https://api.example.com/v1/unsubscribe/Qy0x.k3V9tYqL2wPz8sRfX1cN0bHa';
    const email = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple;
    expect(email?.Headers).toEqual([
      { Name: 'List-Unsubscribe', Value: `<${link}>` },
      { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
    ]);
    expect(email?.Body?.Text?.Data).toContain(link);
    expect(email?.Body?.Html?.Data).toContain(`href="${link}"`);
  });
  it('states the late fees and the updated amount in the post-due messages when the rule charges them', async () => {
    // Prepare: D+7, Thursday 2026-12-17 10:00 in São Paulo; R$ 1.234,50 × 2% = 24,69; × 1% × 7/30 = 2,88
    at('2026-12-17T13:00:00.000Z');
    givenInvoice();

    // Act
    const result = await send('D+7', withLateFees);

    // Assess
    expect(result.outcome).toBe('sent');
    expect(emailText()).toMatch(
      /Com a multa por atraso de R\$\s24,69 e juros de R\$\s2,88, o valor atualizado é de R\$\s1\.262,07\./,
    );
    expect(emailText()).toMatch(/Valor atualizado: R\$\s1\.262,07/);
    expect(smsText()).toMatch(/R\$\s1\.262,07 \(saldo 1\.234,50 \+ multa 24,69 \+ juros 2,88\)/);
  });

  it('shows no fees before the due date, nor when the rule charges none', async () => {
    // Prepare
    at('2026-12-07T12:00:00.000Z'); // D-3
    givenInvoice();

    // Act
    await send('D-3', withLateFees);
    at('2026-12-17T13:00:00.000Z'); // D+7
    await send('D+7');

    // Assess
    const emails = ses
      .commandCalls(SendEmailCommand)
      .map((c) => c.args[0].input.Content?.Simple?.Body?.Text?.Data ?? '');
    expect(emails).toHaveLength(2);
    for (const text of emails) expect(text).not.toContain('Valor atualizado');
    expect(smsText()).not.toContain('multa');
  });

  it('escalates to the operators topic on D+30', async () => {
    at('2027-01-11T13:00:00.000Z'); // Monday 10:00 local, D+32 (D+30 fell on a Saturday afternoon? no matter: it is due)
    givenInvoice();

    const result = await send('D+30');

    expect(result).toMatchObject({ outcome: 'sent', stageId: '' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:dunning-operators',
    });
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}');
    expect(message).toMatchObject({ kind: 'escalation', to: 'collections', invoiceId: 'INV-1' });
    expect(JSON.stringify(message)).not.toContain('maria@example.com');
  });
});

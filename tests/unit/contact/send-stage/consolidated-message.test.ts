import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { SAFETY_NET_SECONDS } from '../../../../functions/executions/wait-schedules';
import { handler } from '../../../../functions/handlers/send-stage';
import type { Invoice } from '../../../../functions/invoices/invoice';
import { customerFixture, defaultRule, invoiceFixture, keys, lambdaContext, without } from '../../../support/fixtures';
import { send, useSendStep } from '../../../support/send-step';

// One message for the invoices of a customer whose stages are due together (functions/contact/consolidation.ts,
// functions/contact/send/listed-invoices.ts).

const { ddb, ses, sns, at, givenInvoice, smsText, slotWrites } = useSendStep();

describe('one consolidated message for the invoices of a customer due at the same time', () => {
  const customerKey = keys.customer('C-1');
  const now = '2026-12-07T12:00:00.000Z'; // Monday 09:00 in São Paulo: D-3 of invoices due on 2026-12-10
  const conflict = () => new ConditionalCheckFailedException({ message: 'changed', $metadata: {} });
  const contactUpdates = () => slotWrites(customerKey.pk);
  const puts = () => ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item ?? {});
  const emails = () => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Content?.Simple?.Body?.Text?.Data);
  /** Each DynamoDB command in order, by kind and the key (or index) it touches. */
  const commands = () =>
    ddb.calls().map((call) => {
      const command = call.args[0] as unknown as {
        constructor: { name: string };
        input: { Key?: { pk?: string }; Item?: { pk?: string }; IndexName?: string };
      };
      const { input } = command;
      return `${command.constructor.name} ${input.Key?.pk ?? input.Item?.pk ?? input.IndexName}`;
    });

  /** Another invoice of C-1, R$ 500,00, whose walk waits for D-3, due now. */
  const companion = (overrides: Partial<Invoice> = {}): Invoice =>
    invoiceFixture({
      invoiceId: 'INV-2',
      amount: { minor: 50_000, currency: 'BRL' },
      balanceMinor: 50_000,
      paymentUrl: 'https://pay.example.com/INV-2',
      currentStage: 'D-3',
      waitUntil: now,
      taskToken: 'token-of-INV-2',
      ...overrides,
    });

  /** The customer's invoices in gsi1 (the running one included), each readable by its key. */
  function givenCustomerInvoices(...invoices: Invoice[]) {
    const indexed = [invoiceFixture(), ...invoices].map((i) => ({
      ...keys.invoice(i.invoiceId),
      gsi1pk: `CUSTOMER#${i.customer.customerId}`,
      gsi1sk: `INVOICE#${i.invoiceId}`,
      itemType: 'invoice',
      ...i,
    }));
    ddb.on(QueryCommand, { IndexName: 'gsi1' }).resolves({ Items: indexed });
    for (const invoice of invoices) {
      ddb
        .on(GetCommand, { Key: keys.invoice(invoice.invoiceId) })
        .resolves({ Item: { ...keys.invoice(invoice.invoiceId), ...invoice } });
    }
  }

  it('sends one email naming both invoices, covers the other one in the slot and records its stage as sent', async () => {
    // Prepare
    at(now);
    givenInvoice(invoiceFixture(), customerFixture({ contactsVersion: 4 }));
    givenCustomerInvoices(companion());

    // Act
    const result = await send('D-3');

    // Assess: one email, the invoice's own reminder plus the other invoice and the total of both
    expect(result).toEqual({
      outcome: 'sent',
      stageId: 'D0',
      seconds: 3 * 86_400 + SAFETY_NET_SECONDS,
      until: '2026-12-10T12:00:00.000Z',
      reason: '',
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const text = emails()[0] ?? '';
    expect(text).toContain('a fatura INV-1, no valor de R$\u00a01.234,50, vence em 3 dias (10/12/2026).');
    expect(text).toContain('Você também tem esta outra fatura em aberto:');
    expect(text).toContain(
      '- Fatura INV-2, no valor de R$\u00a0500,00, vence em 3 dias (10/12/2026). Para pagar, acesse: https://pay.example.com/INV-2',
    );
    expect(text).toContain('Saldo total (2 faturas): R$\u00a01.734,50');
    // the slot is taken and names the stage it covers, in the same conditional write
    expect(contactUpdates().map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        ConditionExpression: 'attribute_exists(pk) AND contactsVersion = :version',
        ExpressionAttributeValues: {
          ':contacts': [
            { at: now, invoiceId: 'INV-1', stageId: 'D-3', covers: [{ invoiceId: 'INV-2', stageId: 'D-3' }] },
          ],
          ':next': 5,
          ':version': 4,
        },
      }),
    ]);
    // the other invoice: its claim already sent with this message's id, and its contact log line
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        ...keys.send('INV-2', 'D-3', 'email'),
        state: 'SENT',
        messageId: 'ses-1',
        consolidatedInto: 'INV-1',
      }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    const log = puts().filter((i) => i.itemType === 'contact');
    expect(log).toEqual([
      expect.objectContaining({ invoiceId: 'INV-1', stageId: 'D-3', channel: 'email', outcome: 'sent' }),
      expect.objectContaining({
        pk: 'INVOICE#INV-2',
        gsi1pk: 'CUSTOMER#C-1',
        invoiceId: 'INV-2',
        stageId: 'D-3',
        channel: 'email',
        outcome: 'sent',
        messageId: 'ses-1',
        reason: 'consolidated:INV-1',
      }),
    ]);
    expect(log[0]).toMatchObject({ messageId: 'ses-1', consolidates: ['INV-2'] });
  });

  it("sends nothing for the other invoice's own step: its stage is covered, it goes on to its next stage", async () => {
    // Prepare: INV-1's message covered INV-2's D-3 a moment ago
    at(now);
    const slot = { at: now, invoiceId: 'INV-1', stageId: 'D-3', covers: [{ invoiceId: 'INV-2', stageId: 'D-3' }] };
    givenInvoice(companion(), customerFixture({ recentContacts: [slot], contactsVersion: 5 }));

    // Act
    const result = await handler({ invoiceId: 'INV-2', rule: defaultRule, stageId: 'D-3' }, lambdaContext);

    // Assess: no policy check, no message, no record; only the two reads
    expect(result).toEqual({
      outcome: 'sent',
      stageId: 'D0',
      seconds: 3 * 86_400 + SAFETY_NET_SECONDS,
      until: '2026-12-10T12:00:00.000Z',
      reason: 'consolidated',
    });
    expect(commands()).toEqual(['GetCommand INVOICE#INV-2', 'GetCommand CUSTOMER#C-1']);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('finds its stage covered after losing the slot to the other invoice (the same race, either way round)', async () => {
    // Prepare: INV-2 runs; INV-1 (waiting for D-3 too) takes the slot first, covering INV-2
    at(now);
    const other = companion({ invoiceId: 'INV-1', paymentUrl: 'https://pay.example.com/INV-1' });
    givenInvoice(companion(), customerFixture({ contactsVersion: 2 }));
    ddb.on(QueryCommand, { IndexName: 'gsi1' }).resolves({
      Items: [companion(), other].map((i) => ({ ...keys.invoice(i.invoiceId), ...i })),
    });
    const winner = { at: now, invoiceId: 'INV-1', stageId: 'D-3', covers: [{ invoiceId: 'INV-2', stageId: 'D-3' }] };
    ddb
      .on(GetCommand, { Key: customerKey })
      .resolvesOnce({ Item: { ...customerKey, ...customerFixture({ contactsVersion: 2 }) } })
      .resolves({ Item: { ...customerKey, ...customerFixture({ recentContacts: [winner], contactsVersion: 3 }) } });
    ddb.on(UpdateCommand, { Key: customerKey }).rejects(conflict());

    // Act
    const result = await handler({ invoiceId: 'INV-2', rule: defaultRule, stageId: 'D-3' }, lambdaContext);

    // Assess: it had tried to cover INV-1 itself; after the conflict it reads INV-1's cover and sends nothing
    expect(contactUpdates()).toHaveLength(1);
    expect(contactUpdates()[0]?.args[0].input.ExpressionAttributeValues?.[':contacts']).toEqual([
      { at: now, invoiceId: 'INV-2', stageId: 'D-3', covers: [{ invoiceId: 'INV-1', stageId: 'D-3' }] },
    ]);
    expect(result).toMatchObject({ outcome: 'sent', stageId: 'D0', reason: 'consolidated' });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('does not consolidate an invoice whose stage has a channel this one lacks (D0 email + SMS into a D-3 email)', async () => {
    // Prepare: INV-2 is due today: its D0 (email and SMS) is due now too
    at(now);
    givenInvoice();
    givenCustomerInvoices(companion({ dueDate: '2026-12-07', currentStage: 'D0' }));

    // Act
    const result = await send('D-3');

    // Assess: the email is INV-1's alone, the slot covers nothing, nothing is recorded for INV-2
    expect(result.outcome).toBe('sent');
    expect(emails()[0]).not.toContain('INV-2');
    expect(contactUpdates()[0]?.args[0].input.ExpressionAttributeValues?.[':contacts']).toEqual([
      { at: now, invoiceId: 'INV-1', stageId: 'D-3' },
    ]);
    expect(puts().filter((i) => i.invoiceId === 'INV-2' || String(i.pk).includes('INV-2'))).toEqual([]);
  });

  it('consolidates that invoice when the customer cannot receive its extra channel (no phone: D0 is email only)', async () => {
    // Prepare
    at(now);
    const customer = without(customerFixture(), 'phone');
    givenInvoice(invoiceFixture({ customer }), customer);
    givenCustomerInvoices(companion({ customer, dueDate: '2026-12-07', currentStage: 'D0' }));

    // Act
    await send('D-3');

    // Assess: listed with how far from its due date it is (today)
    expect(emails()[0]).toContain('- Fatura INV-2, no valor de R$\u00a0500,00, vence hoje (07/12/2026).');
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ ...keys.send('INV-2', 'D0', 'email'), state: 'SENT', messageId: 'ses-1' }),
    });
  });

  it('names the other invoices in the email and the SMS of a two-channel stage, and records both channels', async () => {
    // Prepare: D0 of three invoices due today (Thursday 2026-12-10 09:00 local)
    at('2026-12-10T12:00:00.000Z');
    givenInvoice();
    givenCustomerInvoices(
      companion({ currentStage: 'D0', waitUntil: '2026-12-10T12:00:00.000Z' }),
      without(
        companion({
          invoiceId: 'INV-3',
          balanceMinor: 1_050,
          currentStage: 'D0',
          waitUntil: '2026-12-10T12:00:00.000Z',
        }),
        'paymentUrl',
      ),
    );

    // Act
    const result = await send('D0');

    // Assess
    expect(result.outcome).toBe('sent');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(emails()[0]).toContain('Você também tem estas 2 outras faturas em aberto:');
    expect(emails()[0]).toContain('- Fatura INV-3, no valor de R$\u00a010,50, vence hoje (10/12/2026).\n');
    expect(emails()[0]).toContain('Saldo total (3 faturas): R$\u00a01.745,00');
    expect(smsText()).toContain('vence hoje (10/12/2026). +2 outras faturas, total R$ 1.745,00. Pague em');
    const records = puts()
      .filter((i) => i.consolidatedInto === 'INV-1')
      .map((i) => `${i.pk} ${i.messageId}`);
    expect(records).toEqual([
      'SEND#INV-2#D0#email ses-1',
      'SEND#INV-3#D0#email ses-1',
      'SEND#INV-2#D0#sms sns-1',
      'SEND#INV-3#D0#sms sns-1',
    ]);
  });

  it('leaves out an invoice paid right before the send, and takes it out of the slot', async () => {
    // Prepare: INV-2 is open in the index, paid when the email is about to go out
    at(now);
    givenInvoice(invoiceFixture(), customerFixture({ contactsVersion: 1 }));
    givenCustomerInvoices(companion());
    ddb
      .on(GetCommand, { Key: keys.invoice('INV-2') })
      .resolves({ Item: { ...keys.invoice('INV-2'), ...companion({ status: 'PAID', balanceMinor: 0 }) } });
    const slot = { at: now, invoiceId: 'INV-1', stageId: 'D-3', covers: [{ invoiceId: 'INV-2', stageId: 'D-3' }] };
    ddb
      .on(GetCommand, { Key: customerKey })
      .resolvesOnce({ Item: { ...customerKey, ...customerFixture({ contactsVersion: 1 }) } })
      .resolves({ Item: { ...customerKey, ...customerFixture({ recentContacts: [slot], contactsVersion: 2 }) } });

    // Act
    await send('D-3');

    // Assess: the email names INV-1 only, and the slot, read again, no longer covers INV-2
    expect(emails()[0]).not.toContain('INV-2');
    expect(contactUpdates().map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      { ':contacts': [slot], ':next': 2, ':version': 1 },
      { ':contacts': [{ at: now, invoiceId: 'INV-1', stageId: 'D-3' }], ':next': 3, ':version': 2 },
    ]);
    expect(puts().filter((i) => String(i.pk).includes('INV-2'))).toEqual([]);
  });

  it("with no other invoice due, makes exactly today's calls plus the one query of the customer's invoices", async () => {
    // Prepare: one invoice paid, one waiting for a stage not yet due
    at(now);
    givenInvoice();
    givenCustomerInvoices(
      companion({ invoiceId: 'INV-8', status: 'PAID', balanceMinor: 0 }),
      companion({ invoiceId: 'INV-9', currentStage: 'D-3', waitUntil: '2026-12-09T12:00:00.000Z' }),
    );

    // Act
    await send('D-3');

    // Assess: the sending breakers (one read), the contact slot, then (the customer's first statement link) its
    // statement secret, then the send
    expect(commands()).toEqual([
      'GetCommand INVOICE#INV-1',
      'GetCommand CUSTOMER#C-1',
      'GetCommand ACCOUNT#sending',
      'QueryCommand gsi1',
      'UpdateCommand CUSTOMER#C-1',
      'UpdateCommand CUSTOMER#C-1',
      'PutCommand SEND#INV-1#D-3#email',
      'GetCommand INVOICE#INV-1',
      'PutCommand INVOICE#INV-1',
      'UpdateCommand SEND#INV-1#D-3#email',
    ]);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :invoice)',
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#C-1', ':invoice': 'INVOICE#' },
    });
    expect(emails()[0]).not.toMatch(/INV-[89]/);
    expect(puts().find((i) => i.itemType === 'contact')).not.toHaveProperty('consolidates');
  });
});

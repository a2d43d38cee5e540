import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { parseBillingRule } from '../../../../functions/rules/billing-rule';
import { customerFixture, defaultRule, invoiceFixture, keys } from '../../../support/fixtures';
import { send, useSendStep } from '../../../support/send-step';

// What the messages carry besides the invoice (functions/contact/send/message-context.ts): the stage's early-payment
// offer and the link to the debtor's statement.

const { ddb, ses, at, givenInvoice, emailText, smsText } = useSendStep();

describe("the messages' early-payment offer and statement link", () => {
  /** The default rule with a 5% early-payment offer on D-3. */
  const withOffer = parseBillingRule({
    ...defaultRule,
    stages: defaultRule.stages.map((s) => (s.id === 'D-3' ? { ...s, offer: { discountPercent: 5 } } : s)),
  });
  const secret = 'c3RhdGVtZW50LXNlY3JldA';
  /** The write that makes the customer's statement secret (the first link ever). */
  const secretWrite = () =>
    ddb.on(UpdateCommand, {
      Key: keys.customer('C-1'),
      UpdateExpression: 'SET statementSecret = if_not_exists(statementSecret, :fresh)',
    });
  const offerWrites = () =>
    ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.UpdateExpression?.includes('earlyPayment'));

  it('states the offer in the D-3 email and records it on the invoice once the email went out', async () => {
    // Prepare: Monday 2026-12-07 09:00 in São Paulo, D-3 of R$ 1.234,50 due 2026-12-10
    at('2026-12-07T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ statementSecret: secret }));

    // Act
    const result = await send('D-3', withOffer);

    // Assess: 1.234,50 less 5% = 1.172,775 → 1.172,78, until the end of the due date in São Paulo
    expect(result.outcome).toBe('sent');
    expect(emailText()).toContain(
      'Para pagamento até 10/12/2026, há um desconto de 5%: o valor a pagar fica em R$\u00a01.172,78.',
    );
    expect(offerWrites().map((c) => c.args[0].input.ExpressionAttributeValues?.[':offer'])).toEqual([
      expect.objectContaining({ stageId: 'D-3', discountPercent: 5, payMinor: 117_278, discountMinor: 6_172 }),
    ]);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ type: 'early-payment-offered', invoiceId: 'INV-1' }),
    });
  });

  it('records no offer when no message went out (every channel opted out), nor states one in a later stage', async () => {
    at('2026-12-07T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ statementSecret: secret, optOuts: ['email', 'sms'] }));

    const skipped = await send('D-3', withOffer);

    expect(skipped.outcome).toBe('skipped');
    expect(offerWrites()).toEqual([]);

    ddb.reset();
    at('2026-12-10T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ statementSecret: secret }));
    await send('D0', withOffer);
    expect(emailText()).not.toMatch(/desconto/);
    expect(offerWrites()).toEqual([]);
  });

  it("links the debtor's statement in the email, and leaves it out of an SMS that carries the payment link", async () => {
    at('2026-12-10T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ statementSecret: secret }));

    await send('D0');

    const link = emailText().match(
      /https:\/\/api\.example\.com\/v1\/statements\/[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]{43}/,
    );
    expect(link?.[0]).toBeDefined();
    expect(emailText()).toContain(`Veja todas as suas faturas em aberto e pague online: ${link?.[0]}`);
    expect(smsText()).toContain('https://pay.example.com/INV-1');
    expect(smsText()).not.toContain('/statements/');
  });

  it("makes the customer's statement secret the first time, before the message is claimed", async () => {
    at('2026-12-10T12:00:00.000Z');
    givenInvoice();
    secretWrite().resolves({ Attributes: { ...keys.customer('C-1'), statementSecret: secret } });

    await send('D0');

    expect(emailText()).toMatch(/\/v1\/statements\/[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]{43}/);
    const order = ddb.calls().map((c) => {
      const input = c.args[0].input as { Key?: { pk?: string }; Item?: { pk?: string }; UpdateExpression?: string };
      return `${c.args[0].constructor.name} ${input.Key?.pk ?? input.Item?.pk ?? ''} ${input.UpdateExpression?.includes('statementSecret') ? 'secret' : ''}`.trim();
    });
    expect(order.indexOf('UpdateCommand CUSTOMER#C-1 secret')).toBeGreaterThan(-1);
    expect(order.indexOf('UpdateCommand CUSTOMER#C-1 secret')).toBeLessThan(
      order.indexOf('PutCommand SEND#INV-1#D0#email'),
    );
  });

  it('sends the messages without the link when the secret cannot be made', async () => {
    at('2026-12-10T12:00:00.000Z');
    givenInvoice();
    secretWrite().rejects(new Error('table unavailable'));

    const result = await send('D0');

    expect(result.outcome).toBe('sent');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(emailText()).not.toContain('/statements/');
  });
});

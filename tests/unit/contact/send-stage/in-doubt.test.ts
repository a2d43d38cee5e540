import { describe, expect, it } from 'vitest';
import { memorySendStep } from '../../../support/memory-send-step';

// A send that got no answer (the connection was reset after the provider accepted it, a timeout) is "in doubt": the
// step fails with the retryable TransientSendError, the claim stays PENDING, and the Step Functions retry counts the
// channel as done without sending it again and goes on with the stage — never a second copy, never a failed walk.

const D0 = '2026-12-10T12:00:00.000Z'; // 09:00 in São Paulo

/** SES answers the first email by resetting the connection after reading it (it took the message). */
function resetAfterAccept() {
  let emails = 0;
  const step = memorySendStep({
    start: D0,
    refuse: (channel) => {
      if (channel !== 'email' || ++emails > 1) return undefined;
      return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    },
  });
  return step;
}

describe('a send reset after the provider accepted it', () => {
  it('fails the step with TransientSendError, keeping the claim PENDING and logging the channel sent in doubt', async () => {
    // Prepare
    const { register, send, stores, contactLog, attempts } = resetAfterAccept();
    const invoiceId = await register();

    // Act
    const attempt = send(invoiceId, 'D0');

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'TransientSendError' });
    expect(attempts.map((a) => a.channel)).toEqual(['email']);
    expect(stores.sendClaims.claim(invoiceId, 'D0', 'email')).toMatchObject({ state: 'PENDING' });
    expect(await contactLog(invoiceId)).toEqual(['D0 email sent in-doubt']);
  });

  it('is retried without a second copy: the retry counts the email as done, sends the SMS and goes on', async () => {
    // Prepare
    const { register, send, clock, contactLog, attempts } = resetAfterAccept();
    const invoiceId = await register();
    await send(invoiceId, 'D0').catch(() => undefined);
    clock.now = new Date(Date.parse(D0) + 30_000); // the state machine's first retry of TransientSendError: 30 s

    // Act
    const result = await send(invoiceId, 'D0');

    // Assess: one email reached SES in all, the SMS went out, the walk goes on to D+3
    expect(result).toMatchObject({ outcome: 'sent', stageId: 'D+3' });
    expect(attempts.map((a) => a.channel)).toEqual(['email', 'sms']);
    expect(await contactLog(invoiceId)).toEqual(['D0 email sent in-doubt', 'D0 sms sent']);
  });
});

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
  it('fails the step with TransientSendError, logging the channel sent in doubt and its claim sent (never again)', async () => {
    // Prepare
    const { register, send, stores, contactLog, attempts } = resetAfterAccept();
    const invoiceId = await register();

    // Act
    const attempt = send(invoiceId, 'D0');

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'TransientSendError' });
    expect(attempts.map((a) => a.channel)).toEqual(['email']);
    expect(stores.sendClaims.claim(invoiceId, 'D0', 'email')).toMatchObject({ state: 'SENT', messageId: 'in-doubt' });
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

  it('records a channel an earlier attempt sent but died before recording (a crash after the send), once', async () => {
    // Prepare: the provider takes the email, then the contact-log write fails (as if the Lambda died right there)
    const { register, send, stores, clock, contactLog, attempts } = memorySendStep({ start: D0 });
    const invoiceId = await register();
    const log = stores.contactLog.logContact.bind(stores.contactLog);
    let broken = true;
    stores.contactLog.logContact = async (entry) => {
      if (broken && entry.channel === 'email') {
        broken = false;
        throw Object.assign(new Error('Runtime exited'), { name: 'Runtime.ExitError' });
      }
      return log(entry);
    };
    await expect(send(invoiceId, 'D0')).rejects.toMatchObject({ name: 'TransientSendError' });
    expect(stores.sendClaims.claim(invoiceId, 'D0', 'email')).toMatchObject({ state: 'PENDING' });

    // Act: the retries
    clock.now = new Date(Date.parse(D0) + 30_000);
    const retried = await send(invoiceId, 'D0');
    clock.now = new Date(Date.parse(D0) + 90_000);
    await send(invoiceId, 'D0');

    // Assess: one email at the provider; the audit trail has it, once, as sent in doubt
    expect(retried).toMatchObject({ outcome: 'sent', stageId: 'D+3' });
    expect(attempts.filter((a) => a.channel === 'email')).toHaveLength(1);
    expect((await contactLog(invoiceId)).filter((line) => line.startsWith('D0 email'))).toEqual([
      'D0 email sent in-doubt',
    ]);
  });

  it('logs nothing twice when the earlier attempt recorded the send and only completing its claim failed', async () => {
    // Prepare: the email goes out and is logged, then completing its claim fails (left PENDING)
    const { register, send, stores, clock, contactLog, attempts } = memorySendStep({ start: D0 });
    const invoiceId = await register();
    const complete = stores.sendClaims.completeSend.bind(stores.sendClaims);
    let broken = true;
    stores.sendClaims.completeSend = async (...args) => {
      if (broken && args[2] === 'email') {
        broken = false;
        throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
      }
      return complete(...args);
    };
    await send(invoiceId, 'D0');
    expect(stores.sendClaims.claim(invoiceId, 'D0', 'email')).toMatchObject({ state: 'PENDING' });

    // Act: the same stage's step runs again (a retry after a later failure in the step)
    clock.now = new Date(Date.parse(D0) + 30_000);
    await send(invoiceId, 'D0');

    // Assess: one email, one line; the claim completed with the message id the contact log had
    const emails = attempts.filter((a) => a.channel === 'email');
    expect(emails).toHaveLength(1);
    expect((await contactLog(invoiceId)).filter((line) => line.startsWith('D0 email'))).toEqual(['D0 email sent']);
    expect(stores.sendClaims.claim(invoiceId, 'D0', 'email')).toMatchObject({ state: 'SENT' });
    expect(stores.sendClaims.claim(invoiceId, 'D0', 'email')?.messageId).not.toBe('in-doubt');
  });
});

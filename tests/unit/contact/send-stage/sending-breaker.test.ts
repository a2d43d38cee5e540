import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../../functions/contact/contact-log';
import { passBreakers } from '../../../../functions/contact/send/sending-breaker';
import { parseBillingRule } from '../../../../functions/rules/billing-rule';
import { AccountSendError } from '../../../../functions/wiring/providers';
import { defaultRule } from '../../../support/fixtures';
import { type Attempt, memorySendStep, providerError } from '../../../support/memory-send-step';

// Account-level refusals open a sending breaker per channel (functions/contact/send/sending-breaker.ts): the send
// step on the in-memory stores with the real adapters over fake SES/SNS clients.

const D0 = '2026-12-10T12:00:00.000Z'; // 09:00 in São Paulo
/** The default rule, open every day around the clock (the probe instants then fall at any hour). */
const aroundTheClock = parseBillingRule({
  ...defaultRule,
  businessHours: Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '23:59']]]),
  ),
});
const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000);
const suspended = () =>
  providerError('AccountSuspendedException', 400, 'Your account has been suspended from sending email.');

/** SES refuses every email while `down.email` is true; SNS takes everything unless `down.sms`. */
function withOutage() {
  const down: Partial<Record<Attempt['channel'], boolean>> = {};
  const step = memorySendStep({
    start: D0,
    refuse: (channel) =>
      down[channel]
        ? channel === 'sms'
          ? providerError('AuthorizationErrorException', 403, 'not authorized')
          : suspended()
        : undefined,
  });
  return { ...step, down };
}

describe('an account-level refusal', () => {
  it('opens the breaker, tells the operators once, gives the claim back and defers the stage (not failed)', async () => {
    // Prepare
    const { register, send, clock, down, sent, refused, notices, stores, contactLog } = withOutage();
    const invoiceId = await register();
    down.email = true;

    // Act
    const result = await send(invoiceId, 'D0');

    // Assess: one refused email, no SMS (the stage's channels go together), deferred to the first probe, 15 min on
    expect(result).toMatchObject({
      outcome: 'deferred',
      stageId: 'D0',
      reason: 'provider-paused',
      until: plus(D0, 15).toISOString(),
      seconds: 900,
    });
    expect(refused('email')).toHaveLength(1);
    expect(sent('sms')).toHaveLength(0);
    expect(stores.sendClaims.claim(invoiceId, 'D0', 'email')).toBeUndefined();
    expect(await contactLog(invoiceId)).toEqual(['D0 * deferred provider-paused']);
    expect(notices()).toEqual([
      expect.objectContaining({
        kind: 'sending-paused',
        channel: 'email',
        reason: 'AccountSuspendedException',
        since: clock.now.toISOString(),
        nextProbeAt: plus(D0, 15).toISOString(),
      }),
    ]);
    expect((await stores.sendingBreakers.sendingBreakers()).email).toMatchObject({ state: 'open', version: 1 });
  });

  it('defers the other stages needing the channel without calling the provider, and tells nobody again', async () => {
    // Prepare
    const { register, send, down, attempts, notices } = withOutage();
    const first = await register();
    const second = await register();
    down.email = true;
    await send(first, 'D0');
    const before = attempts.length;

    // Act
    const result = await send(second, 'D0');

    // Assess
    expect(result).toMatchObject({ outcome: 'deferred', reason: 'provider-paused', until: plus(D0, 15).toISOString() });
    expect(attempts.slice(before)).toEqual([]);
    expect(notices()).toHaveLength(1);
  });

  it('lets a stage that does not need the refused channel go out (an SMS-only stage while email is refused)', async () => {
    // Prepare
    const { register, send, clock, down, sent } = withOutage();
    const first = await register();
    const second = await register();
    down.email = true;
    await send(first, 'D0');
    clock.now = new Date('2026-12-14T13:00:00.000Z'); // D+3, 10:00 in São Paulo: SMS only

    // Act
    const result = await send(second, 'D+3');

    // Assess
    expect(result.outcome).toBe('sent');
    expect(sent('sms')).toHaveLength(1);
  });

  it('is told to the operators once when two send steps meet it at the same time: one write wins', async () => {
    // Prepare: both steps read the breaker closed before either meets the refusal
    const { deps, clock, notices } = withOutage();
    const channels: Channel[] = ['email'];
    const a = await passBreakers(channels, clock.now, deps);
    const b = await passBreakers(channels, clock.now, deps);
    if (a.kind !== 'go' || b.kind !== 'go') throw new Error('both steps should have been let through');
    const error = new AccountSendError('SES: AccountSuspendedException: suspended', 'AccountSuspendedException');

    // Act
    const until = await Promise.all([a.session.refused('email', error), b.session.refused('email', error)]);

    // Assess
    expect(notices()).toHaveLength(1);
    expect(until.map((d) => d.toISOString())).toEqual([plus(D0, 15).toISOString(), plus(D0, 15).toISOString()]);
  });
});

describe('the probe after the interval', () => {
  it('lets one send through; its success closes the breaker, tells the operators, and the stage goes out', async () => {
    // Prepare
    const { register, send, clock, down, sent, notices, stores, deps } = withOutage();
    const first = await register();
    const second = await register();
    down.email = true;
    await send(first, 'D0');
    down.email = false;
    clock.now = plus(D0, 15);

    // Act: the first walk back at the probe instant probes; a second step at the same instant finds it taken
    const probe = await send(first, 'D0');
    const closedMeanwhile = await passBreakers(['email'], clock.now, deps);

    // Assess
    expect(probe).toMatchObject({ outcome: 'sent', stageId: 'D+3' });
    expect(sent('email')).toHaveLength(1);
    expect(sent('sms')).toHaveLength(1);
    expect(closedMeanwhile.kind).toBe('go');
    expect((await stores.sendingBreakers.sendingBreakers()).email).toMatchObject({ state: 'closed', version: 3 });
    expect(notices().map((n) => `${n.kind} ${n.channel}`)).toEqual(['sending-paused email', 'sending-resumed email']);
    expect(await send(second, 'D0')).toMatchObject({ outcome: 'sent' });
    expect(sent('email')).toHaveLength(2);
  });

  it('is taken by one step only: another step due at the same instant defers for the probe’s lease', async () => {
    // Prepare
    const { register, send, clock, down, deps } = withOutage();
    await send(await register(), 'D0').catch(() => undefined);
    down.email = true;
    const invoiceId = await register();
    await send(invoiceId, 'D0');
    clock.now = plus(D0, 15);

    // Act: both read the breaker due for a probe; one takes it
    const [a, b] = await Promise.all([
      passBreakers(['email'], clock.now, deps),
      passBreakers(['email'], clock.now, deps),
    ]);

    // Assess
    expect([a.kind, b.kind].sort()).toEqual(['deferred', 'go']);
    const deferred = [a, b].find((g) => g.kind === 'deferred');
    expect(deferred).toEqual({ kind: 'deferred', until: plus(D0, 20) });
  });

  it('opens again for twice the interval when the probe is refused too, telling nobody again; at most 6 hours', async () => {
    // Prepare: a rule open around the clock, so only the breaker decides when the walk comes back
    const { register, send, clock, down, notices, stores, refused } = withOutage();
    const invoiceId = await register();
    down.email = true;
    const first = await send(invoiceId, 'D0', aroundTheClock);

    // Act: each time the walk comes back at the probe instant, SES still refuses
    const intervals: number[] = [];
    clock.now = new Date(first.until);
    for (let i = 0; i < 7; i++) {
      const result = await send(invoiceId, 'D0', aroundTheClock);
      intervals.push(result.seconds);
      clock.now = new Date(result.until);
    }

    // Assess: 30 min, 1 h, 2 h, 4 h, then 6 h; one notice; the claim given back every time
    expect(intervals).toEqual([1800, 3600, 7200, 14_400, 21_600, 21_600, 21_600]);
    expect(refused('email')).toHaveLength(8);
    expect(notices()).toHaveLength(1);
    expect((await stores.sendingBreakers.sendingBreakers()).email).toMatchObject({ state: 'open', since: D0 });
    expect(stores.sendClaims.claim(invoiceId, 'D0', 'email')).toBeUndefined();
  });
});

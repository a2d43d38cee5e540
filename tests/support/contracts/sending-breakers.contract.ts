import { describe, expect, it } from 'vitest';
import type { SendingBreaker, SendingBreakers } from '../../../functions/contact/sending-breakers';
import { AT, LATER } from './stores';

/** Makes the breakers a suite runs against: a fresh, empty set each time (the item is one per table). */
export type MakeBreakers = () => SendingBreakers | Promise<SendingBreakers>;

const open = (channel: SendingBreaker['channel'], version: number, at = AT): SendingBreaker => ({
  channel,
  state: 'open',
  reason: 'AccountSuspendedException',
  detail: 'SES: AccountSuspendedException: suspended',
  since: AT,
  probeAt: at,
  intervalSeconds: 900,
  probing: false,
  updatedAt: at,
  version,
});

/** What every SendingBreakers (contact/sending-breakers.ts) does. */
export function describeSendingBreakersContract(implementation: string, make: MakeBreakers): void {
  describe(`SendingBreakers contract: ${implementation}`, () => {
    it('answers no breaker before any was written, then the one written', async () => {
      const breakers = await make();
      expect(await breakers.sendingBreakers()).toEqual({});
      expect(await breakers.writeSendingBreaker(open('email', 1), 0)).toBe(true);
      expect(await breakers.sendingBreakers()).toEqual({ email: open('email', 1) });
    });

    it('writes a breaker only at the version read: the second of two writers loses', async () => {
      const breakers = await make();
      expect(await breakers.writeSendingBreaker(open('sms', 1), 0)).toBe(true);
      expect(await breakers.writeSendingBreaker(open('sms', 1, LATER), 0)).toBe(false);
      expect(await breakers.writeSendingBreaker({ ...open('sms', 2, LATER), state: 'closed' }, 1)).toBe(true);
      expect(await breakers.writeSendingBreaker(open('sms', 2), 1)).toBe(false);
      expect((await breakers.sendingBreakers()).sms).toMatchObject({ state: 'closed', version: 2, updatedAt: LATER });
    });

    it("keeps each channel's breaker apart in the one item", async () => {
      const breakers = await make();
      expect(await breakers.writeSendingBreaker(open('email', 1), 0)).toBe(true);
      expect(await breakers.writeSendingBreaker(open('escalate', 1), 0)).toBe(true);
      expect(await breakers.writeSendingBreaker({ ...open('email', 2), state: 'closed' }, 1)).toBe(true);
      const read = await breakers.sendingBreakers();
      expect(read.email?.state).toBe('closed');
      expect(read.escalate).toEqual(open('escalate', 1));
      expect(read.sms).toBeUndefined();
    });
  });
}

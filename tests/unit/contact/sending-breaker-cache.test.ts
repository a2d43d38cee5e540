import { describe, expect, it, vi } from 'vitest';
import {
  BREAKER_CACHE_MS,
  cachedSendingBreakers,
  type SendingBreaker,
} from '../../../functions/contact/sending-breakers';
import { memoryStores } from '../../../functions/stores/memory';

// A Lambda container keeps the sending breakers it read for a minute (functions/contact/sending-breakers.ts): a send
// step costs no breaker read while the container is warm, and a write drops what it kept.

const T0 = Date.parse('2026-12-10T12:00:00.000Z');
const open: SendingBreaker = {
  channel: 'email',
  state: 'open',
  reason: 'SendingPausedException',
  detail: 'SES: sending paused',
  since: new Date(T0).toISOString(),
  probeAt: new Date(T0 + 15 * 60_000).toISOString(),
  intervalSeconds: 900,
  probing: false,
  updatedAt: new Date(T0).toISOString(),
  version: 1,
};

describe("a container's sending breakers", () => {
  it('reads the item once a minute, and again after any write through it', async () => {
    const store = memoryStores().sendingBreakers;
    const reads = vi.spyOn(store, 'sendingBreakers');
    let now = T0;
    const cached = cachedSendingBreakers(store, () => new Date(now));

    expect(await cached.sendingBreakers()).toEqual({});
    now += BREAKER_CACHE_MS - 1;
    expect(await cached.sendingBreakers()).toEqual({});
    expect(reads).toHaveBeenCalledTimes(1);

    // another container opened it: seen once the minute is over
    await store.writeSendingBreaker(open, 0);
    now += 1;
    expect(await cached.sendingBreakers()).toEqual({ email: open });
    expect(reads).toHaveBeenCalledTimes(2);

    // this container's own write (won or lost) drops what it kept
    expect(await cached.writeSendingBreaker({ ...open, state: 'closed', version: 2 }, 1)).toBe(true);
    expect(await cached.sendingBreakers()).toMatchObject({ email: { state: 'closed', version: 2 } });
    expect(reads).toHaveBeenCalledTimes(3);
  });
});

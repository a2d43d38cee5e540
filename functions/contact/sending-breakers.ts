import type { Channel } from './contact-log';

/**
 * A channel's sending breaker (docs/architecture.md "Workflow", "Account-level refusals"): opened by the first send
 * that meets an account-level refusal (SES account suspended or paused, sandbox, SNS not authorized…), so that the
 * stages needing the channel are deferred instead of each failing one message; after `probeAt` one send goes through
 * to probe the account (half-open), and its answer closes the breaker or opens it again for a longer interval.
 */
export interface SendingBreaker {
  readonly channel: Channel;
  readonly state: 'open' | 'closed';
  /** The provider's error name that opened it (`AccountSuspendedException`, `SandboxRecipientNotVerified`…). */
  readonly reason: string;
  /** The provider's message (contact details masked). */
  readonly detail: string;
  /** When the breaker opened: since when the channel has been refused, as far as the send steps know. */
  readonly since: string;
  /** While open: the instant from which one send may probe the account. */
  readonly probeAt: string;
  /** The interval that led to `probeAt` (seconds): 15 minutes at first, doubling up to 6 hours. */
  readonly intervalSeconds: number;
  /** A probe was let through at `updatedAt` and has not answered yet (it expires at `probeAt`). */
  readonly probing: boolean;
  readonly updatedAt: string;
  /** Bumped by every write: each write is conditional on the version it read (0: never written). */
  readonly version: number;
}

/**
 * The sending breakers of every channel, in one item of the table (`ACCOUNT#sending` / `BREAKER`,
 * contracts/table-layout.ts), so that a send step reads them with one GetItem whatever its channels.
 * DynamoDB: functions/stores/dynamodb/sending-breakers.ts; in memory: functions/stores/memory/sending-breakers.ts.
 */
export interface SendingBreakers {
  /** Every channel's breaker ever written (an eventually consistent read: the writes are conditional anyway). */
  sendingBreakers(): Promise<Partial<Record<Channel, SendingBreaker>>>;

  /**
   * Writes `breaker` (its channel's) only if that channel's breaker is still at `expectedVersion` (0: none written
   * yet); `breaker.version` is the new one. False when someone else wrote it meanwhile: nothing was written.
   */
  writeSendingBreaker(breaker: SendingBreaker, expectedVersion: number): Promise<boolean>;
}

/** What every cache made here forgets: see {@link forgetKeptSendingBreakers}. */
const FORGET = new Set<() => void>();

/**
 * Drops what every cache of this process kept, as a new Lambda container starts with nothing: for tests, which run
 * many "invocations" of one handler module in one process at instants of their own.
 */
export function forgetKeptSendingBreakers(): void {
  for (const forget of FORGET) forget();
}

/**
 * How long a Lambda container keeps the breakers it read: a minute. Every send step would otherwise read the item
 * (half a read unit each, ~7 per walk); with the cache a warm container reads it once a minute. A breaker another
 * container opened meanwhile is met at most a minute late — the next send is refused for the account and defers its
 * stage itself (its write to open the breaker, on a stale version, loses and defers a first interval) — and a closed
 * one is noticed at most a minute after it closed.
 */
export const BREAKER_CACHE_MS = 60_000;

/**
 * `store` with its read kept for {@link BREAKER_CACHE_MS} of `now` (the clock the send step reads: virtual locally).
 * Every write through it, won or lost, drops the kept read, so the container's next step reads the item again.
 */
export function cachedSendingBreakers(store: SendingBreakers, now: () => Date): SendingBreakers {
  let kept: { readonly at: number; readonly breakers: Partial<Record<Channel, SendingBreaker>> } | undefined;
  FORGET.add(() => {
    kept = undefined;
  });
  return {
    async sendingBreakers() {
      const at = now().getTime();
      if (kept && at >= kept.at && at - kept.at < BREAKER_CACHE_MS) return kept.breakers;
      const breakers = await store.sendingBreakers();
      kept = { at, breakers };
      return breakers;
    },
    async writeSendingBreaker(breaker, expectedVersion) {
      kept = undefined;
      return store.writeSendingBreaker(breaker, expectedVersion);
    },
  };
}

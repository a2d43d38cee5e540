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

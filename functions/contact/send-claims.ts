import type { Channel } from './contact-log';

export type SendClaim = 'claimed' | 'already-sent' | 'in-doubt';

/** One channel of one stage of one invoice: what a send claim is for. */
export interface SendTarget {
  readonly invoiceId: string;
  readonly stageId: string;
  readonly channel: Channel;
}

/**
 * Send claims: at most one message per channel, stage and invoice, whatever the retries (docs/architecture.md).
 * A claim is kept long after its stage (it expires after 400 days: `SEND_RECORD_TTL_SECONDS`,
 * contracts/table-layout.ts). DynamoDB: functions/stores/dynamodb/send-claims.ts.
 */
export interface SendClaims {
  /**
   * Claims the right to send one channel of one stage of one invoice. A second claim finds the first: 'already-sent'
   * when it completed, 'in-doubt' when it never did (a crash between send and record) — the caller does not send
   * again in either case: two copies of a notice are worse than a missing one.
   */
  claimSend(invoiceId: string, stageId: string, channel: Channel, at: string): Promise<SendClaim>;

  /** Marks a claim as sent, with the provider's message id. */
  completeSend(invoiceId: string, stageId: string, channel: Channel, messageId: string, at: string): Promise<void>;

  /**
   * Records that one channel of a stage of an invoice went out in another invoice's (`consolidatedInto`) message
   * `messageId`: a claim already sent, so that this invoice never sends it itself. 'exists' when the invoice holds a
   * claim for it already (it sent, or is sending, that channel itself): nothing is written.
   */
  recordConsolidatedSend(
    send: SendTarget,
    messageId: string,
    at: string,
    consolidatedInto: string,
  ): Promise<'recorded' | 'exists'>;

  /** Gives a claim back when the provider said for sure that nothing was sent (throttling), so a retry may send. */
  releaseSend(invoiceId: string, stageId: string, channel: Channel): Promise<void>;
}

/**
 * The send record of a channel that went out in another invoice's consolidated message: already SENT (claimed and
 * sent at `at`), naming the message and the invoice it went out with, kept until `expiresAt` (epoch seconds).
 */
export function consolidatedSendRecord(at: string, messageId: string, consolidatedInto: string, expiresAt: number) {
  return { state: 'SENT', claimedAt: at, sentAt: at, messageId, consolidatedInto, expiresAt } as const;
}

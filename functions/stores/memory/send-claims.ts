import type { Channel } from '../../contact/contact-log';
import type { SendClaim, SendClaims, SendTarget } from '../../contact/send-claims';
import { sendRecordExpiry } from '../../contracts/table-layout';
import type { MemorySendClaim, MemoryTables } from './tables';

const claimKey = (invoiceId: string, stageId: string, channel: string) => `${invoiceId}#${stageId}#${channel}`;

/**
 * The send claims in memory, as functions/stores/dynamodb/send-claims.ts keeps them: a claim is made only where none
 * is; it carries its expiry (`expiresAt`), which nothing here enforces.
 */
export class MemorySendClaims implements SendClaims {
  constructor(private readonly tables: MemoryTables) {}

  /** The claim of one channel of one stage of one invoice, for tests and tools (a copy). */
  claim(invoiceId: string, stageId: string, channel: Channel): MemorySendClaim | undefined {
    const found = this.tables.sendClaims.get(claimKey(invoiceId, stageId, channel));
    return found ? { ...found } : undefined;
  }

  async claimSend(invoiceId: string, stageId: string, channel: Channel, at: string): Promise<SendClaim> {
    const key = claimKey(invoiceId, stageId, channel);
    const existing = this.tables.sendClaims.get(key);
    if (existing) return existing.state === 'SENT' ? 'already-sent' : 'in-doubt';
    this.tables.sendClaims.set(key, { state: 'PENDING', claimedAt: at, expiresAt: sendRecordExpiry(at) });
    return 'claimed';
  }

  /** Marks the claim sent; like the DynamoDB update, it writes the record even where no claim was made. */
  async completeSend(
    invoiceId: string,
    stageId: string,
    channel: Channel,
    messageId: string,
    at: string,
  ): Promise<void> {
    const key = claimKey(invoiceId, stageId, channel);
    this.tables.sendClaims.set(key, { ...this.tables.sendClaims.get(key), state: 'SENT', messageId, sentAt: at });
  }

  async recordConsolidatedSend(
    send: SendTarget,
    messageId: string,
    at: string,
    consolidatedInto: string,
  ): Promise<'recorded' | 'exists'> {
    const key = claimKey(send.invoiceId, send.stageId, send.channel);
    if (this.tables.sendClaims.has(key)) return 'exists';
    this.tables.sendClaims.set(key, {
      state: 'SENT',
      claimedAt: at,
      sentAt: at,
      messageId,
      consolidatedInto,
      expiresAt: sendRecordExpiry(at),
    });
    return 'recorded';
  }

  async releaseSend(invoiceId: string, stageId: string, channel: Channel): Promise<void> {
    this.tables.sendClaims.delete(claimKey(invoiceId, stageId, channel));
  }
}

import type { Channel } from '../../contact/contact-log';
import { consolidatedSendRecord, type SendClaims } from '../../contact/send-claims';
import { sendRecordExpiry } from '../../contracts/table-layout';
import type { MemorySendClaim, MemoryTables } from './tables';

const claimKey = (invoiceId: string, stageId: string, channel: string) => `${invoiceId}#${stageId}#${channel}`;

/** The send claims in memory, with a read of one claim that only tests and tools use. */
export interface MemorySendClaims extends SendClaims {
  /** The claim of one channel of one stage of one invoice, for tests and tools (a copy). */
  claim(invoiceId: string, stageId: string, channel: Channel): MemorySendClaim | undefined;
}

/**
 * The send claims in memory, as functions/stores/dynamodb/send-claims.ts keeps them: a claim is made only where none
 * is; it carries its expiry (`expiresAt`), which nothing here enforces.
 */
export function memorySendClaims(tables: MemoryTables): MemorySendClaims {
  return {
    claim(invoiceId, stageId, channel) {
      const found = tables.sendClaims.get(claimKey(invoiceId, stageId, channel));
      return found ? { ...found } : undefined;
    },

    async claimSend(invoiceId, stageId, channel, at) {
      const key = claimKey(invoiceId, stageId, channel);
      const existing = tables.sendClaims.get(key);
      if (existing) return existing.state === 'SENT' ? 'already-sent' : 'in-doubt';
      tables.sendClaims.set(key, { state: 'PENDING', claimedAt: at, expiresAt: sendRecordExpiry(at) });
      return 'claimed';
    },

    /** Marks the claim sent; like the DynamoDB update, it writes the record even where no claim was made. */
    async completeSend(invoiceId, stageId, channel, messageId, at) {
      const key = claimKey(invoiceId, stageId, channel);
      tables.sendClaims.set(key, { ...tables.sendClaims.get(key), state: 'SENT', messageId, sentAt: at });
    },

    async recordConsolidatedSend(send, messageId, at, consolidatedInto) {
      const key = claimKey(send.invoiceId, send.stageId, send.channel);
      if (tables.sendClaims.has(key)) return 'exists';
      tables.sendClaims.set(key, consolidatedSendRecord(at, messageId, consolidatedInto, sendRecordExpiry(at)));
      return 'recorded';
    },

    async releaseSend(invoiceId, stageId, channel) {
      tables.sendClaims.delete(claimKey(invoiceId, stageId, channel));
    },
  };
}

import type { SendingBreakers } from '../../contact/sending-breakers';
import { copy, type MemoryTables } from './tables';

/**
 * The sending breakers in memory, as functions/stores/dynamodb/sending-breakers.ts keeps them: a channel's breaker is
 * written only if it is still at the version the writer read (0: none yet).
 */
export function memorySendingBreakers(tables: MemoryTables): SendingBreakers {
  return {
    async sendingBreakers() {
      return copy(Object.fromEntries(tables.breakers));
    },

    async writeSendingBreaker(breaker, expectedVersion) {
      if ((tables.breakers.get(breaker.channel)?.version ?? 0) !== expectedVersion) return false;
      tables.breakers.set(breaker.channel, copy(breaker));
      return true;
    },
  };
}

import type { WalkAttention } from '../../executions/walk-attention';
import { byKey, copy, type MemoryTables } from './tables';

/** The walks the reconciler must look at, in memory, as functions/stores/dynamodb/walk-attention.ts keeps them. */
export function memoryWalkAttention(tables: MemoryTables): WalkAttention {
  return {
    async flagWalk(mark) {
      tables.attention.set(mark.invoiceId, copy(mark));
    },

    async *flaggedWalks() {
      // a Query of one partition answers by sort key: the invoice id
      for (const invoiceId of [...tables.attention.keys()].sort(byKey)) {
        const mark = tables.attention.get(invoiceId);
        if (mark) yield copy(mark);
      }
    },

    async clearWalk(invoiceId) {
      tables.attention.delete(invoiceId);
    },
  };
}

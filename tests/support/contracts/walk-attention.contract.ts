import { describe, expect, it } from 'vitest';
import type { WalkAttention } from '../../../functions/executions/walk-attention';
import { AT, LATER } from './stores';

/** Makes the marks a suite runs against: a fresh, empty set each time (the partition is one per table). */
export type MakeWalkAttention = () => WalkAttention | Promise<WalkAttention>;

async function all(attention: WalkAttention) {
  const marks = [];
  for await (const mark of attention.flaggedWalks()) marks.push(mark);
  return marks;
}

/** What every WalkAttention (executions/walk-attention.ts) does. */
export function describeWalkAttentionContract(implementation: string, make: MakeWalkAttention): void {
  describe(`WalkAttention contract: ${implementation}`, () => {
    it('lists every marked walk by invoice id, one mark per walk (the latest), until it is cleared', async () => {
      const attention = await make();
      expect(await all(attention)).toEqual([]);

      await attention.flagWalk({ invoiceId: 'INV-2', reason: 'start', at: AT });
      await attention.flagWalk({ invoiceId: 'INV-1', reason: 'start', at: AT });
      await attention.flagWalk({ invoiceId: 'INV-1', reason: 'resume', at: LATER });

      expect(await all(attention)).toEqual([
        { invoiceId: 'INV-1', reason: 'resume', at: LATER },
        { invoiceId: 'INV-2', reason: 'start', at: AT },
      ]);
      await attention.clearWalk('INV-1');
      await attention.clearWalk('INV-404');
      expect(await all(attention)).toEqual([{ invoiceId: 'INV-2', reason: 'start', at: AT }]);
    });
  });
}

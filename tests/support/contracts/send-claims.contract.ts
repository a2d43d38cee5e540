import { describe, expect, it } from 'vitest';
import { AT, freshId, LATER, type MakeStores } from './stores';

/** What every SendClaims (contact/send-claims.ts) does. */
export function describeSendClaimsContract(implementation: string, make: MakeStores): void {
  describe(`SendClaims contract: ${implementation}`, () => {
    it('claims a send once: a second claim is in doubt until the first completes, then already sent', async () => {
      const { sendClaims } = await make();
      const invoiceId = freshId('INV');
      expect(await sendClaims.claimSend(invoiceId, 'D0', 'email', AT)).toBe('claimed');
      expect(await sendClaims.claimSend(invoiceId, 'D0', 'email', LATER)).toBe('in-doubt');
      await sendClaims.completeSend(invoiceId, 'D0', 'email', 'ses-1', AT);
      expect(await sendClaims.claimSend(invoiceId, 'D0', 'email', LATER)).toBe('already-sent');
    });

    it('keeps the claims of each invoice, stage and channel apart', async () => {
      const { sendClaims } = await make();
      const invoiceId = freshId('INV');
      expect(await sendClaims.claimSend(invoiceId, 'D0', 'email', AT)).toBe('claimed');
      expect(await sendClaims.claimSend(invoiceId, 'D0', 'sms', AT)).toBe('claimed');
      expect(await sendClaims.claimSend(invoiceId, 'D+3', 'email', AT)).toBe('claimed');
      expect(await sendClaims.claimSend(freshId('INV'), 'D0', 'email', AT)).toBe('claimed');
    });

    it('lets a released claim be claimed again', async () => {
      const { sendClaims } = await make();
      const invoiceId = freshId('INV');
      await sendClaims.claimSend(invoiceId, 'D0', 'sms', AT);
      await sendClaims.releaseSend(invoiceId, 'D0', 'sms');
      expect(await sendClaims.claimSend(invoiceId, 'D0', 'sms', LATER)).toBe('claimed');
      await sendClaims.releaseSend(freshId('INV'), 'D0', 'sms');
    });

    it("records a send done by another invoice's message as sent, unless the invoice holds a claim already", async () => {
      const { sendClaims } = await make();
      const covered = { invoiceId: freshId('INV'), stageId: 'D0', channel: 'email' } as const;
      expect(await sendClaims.recordConsolidatedSend(covered, 'ses-1', AT, 'INV-1')).toBe('recorded');
      expect(await sendClaims.claimSend(covered.invoiceId, 'D0', 'email', LATER)).toBe('already-sent');
      expect(await sendClaims.recordConsolidatedSend(covered, 'ses-2', LATER, 'INV-9')).toBe('exists');
      const sending = { invoiceId: freshId('INV'), stageId: 'D0', channel: 'sms' } as const;
      await sendClaims.claimSend(sending.invoiceId, 'D0', 'sms', AT);
      expect(await sendClaims.recordConsolidatedSend(sending, 'sns-1', AT, 'INV-1')).toBe('exists');
      expect(await sendClaims.claimSend(sending.invoiceId, 'D0', 'sms', LATER)).toBe('in-doubt');
    });
  });
}

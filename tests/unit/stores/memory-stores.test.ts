import { describe, expect, it } from 'vitest';
import { memoryStores } from '../../../functions/stores/memory';
import { describeAuditLogContract } from '../../support/contracts/audit-log.contract';
import { describeContactLogContract } from '../../support/contracts/contact-log.contract';
import { describeContactSlotsContract } from '../../support/contracts/contact-slots.contract';
import { describeCustomerStoreContract } from '../../support/contracts/customer-store.contract';
import { describeInvoiceListingContract } from '../../support/contracts/invoice-listing.contract';
import { describeInvoiceStoreContract } from '../../support/contracts/invoice-store.contract';
import { describeSendClaimsContract } from '../../support/contracts/send-claims.contract';
import { describeSendingBreakersContract } from '../../support/contracts/sending-breakers.contract';
import { AT, customer, freshId, registration } from '../../support/contracts/stores';
import { describeWalkAttentionContract } from '../../support/contracts/walk-attention.contract';

// The in-memory stores (functions/stores/memory/) against the contract suites any implementation of the store
// interfaces passes (the DynamoDB ones run them in tests/workflow/dynamodb-stores.test.ts). A fresh set per test.

const make = () => memoryStores();
describeInvoiceStoreContract('in memory', make);
describeCustomerStoreContract('in memory', make);
describeContactSlotsContract('in memory', make);
describeSendClaimsContract('in memory', make);
describeContactLogContract('in memory', make);
describeAuditLogContract('in memory', make);
describeInvoiceListingContract('in memory', () => {
  const stores = memoryStores();
  return { stores, listing: stores.listing };
});

describe('the in-memory stores keep their state to themselves', () => {
  it('copies an invoice in and out: changing what a caller holds changes nothing stored', async () => {
    const { invoices } = memoryStores();
    const invoiceId = freshId('INV');
    const given = registration(invoiceId);
    await invoices.createInvoice(given, 'standard', AT);
    (given.customer as { name: string }).name = 'changed';
    const read = await invoices.getInvoice(invoiceId);
    (read as { status: string }).status = 'PAID';
    expect(await invoices.getInvoice(invoiceId)).toMatchObject({ status: 'OPEN', customer: { name: 'Maria Silva' } });
  });

  it('copies a customer out, and keeps no two sets of stores sharing state', async () => {
    const a = memoryStores();
    const customerId = freshId('C');
    await a.customers.upsertCustomer(customer(customerId), AT);
    await a.customers.addOptOut(customerId, 'sms', AT);
    const read = await a.customers.getCustomer(customerId);
    (read?.optOuts as string[]).push('email');
    expect((await a.customers.getCustomer(customerId))?.optOuts).toEqual(['sms']);
    expect(await memoryStores().customers.getCustomer(customerId)).toBeUndefined();
  });

  it('keeps the expiry of a send claim (not enforced)', async () => {
    const { sendClaims } = memoryStores();
    const invoiceId = freshId('INV');
    await sendClaims.claimSend(invoiceId, 'D0', 'email', AT);
    expect(sendClaims.claim(invoiceId, 'D0', 'email')).toEqual({
      state: 'PENDING',
      claimedAt: AT,
      expiresAt: Date.parse(AT) / 1000 + 400 * 24 * 3600,
    });
  });
});

describeSendingBreakersContract('in memory', () => memoryStores().sendingBreakers);

describeWalkAttentionContract('in memory', () => memoryStores().walkAttention);

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CUSTOMER_INDEX,
  customerPartition,
  ITEM_TYPE,
  invoicePartition,
  sendRecordExpiry,
  TTL_ATTRIBUTE,
  tableKeys,
} from '../../functions/contracts/table-layout';
import { DynamoInvoiceListing, dynamoStores } from '../../functions/stores/dynamodb';
import type { Stores } from '../../functions/stores/stores';
import { type DynamoEmulator, startDynamo } from '../../local/emulators/dynamo';
import { createTable } from '../../local/emulators/provision';
import { describeAuditLogContract } from '../support/contracts/audit-log.contract';
import { describeContactLogContract } from '../support/contracts/contact-log.contract';
import { describeContactSlotsContract } from '../support/contracts/contact-slots.contract';
import { describeCustomerStoreContract } from '../support/contracts/customer-store.contract';
import { describeInvoiceListingContract } from '../support/contracts/invoice-listing.contract';
import { describeInvoiceStoreContract } from '../support/contracts/invoice-store.contract';
import { describeSendClaimsContract } from '../support/contracts/send-claims.contract';
import { AT, customer, freshId, registration } from '../support/contracts/stores';

// The DynamoDB stores (functions/stores/dynamodb/) against dynalite in memory: one table for the whole file, every
// test on ids of its own. The contract suites are the ones any implementation of the store interfaces passes; the
// last block checks what only DynamoDB has: the items' keys (contracts/table-layout.ts) and the TTL attribute.
// In the workflow project, whose files run isolated: the unit files' aws-sdk-client-mock stubs the document client's
// prototype, which a file sharing their module graph would talk to instead of dynalite.

const TABLE = 'dunning-stores-contract';
let emulator: DynamoEmulator;
let client: DynamoDBDocumentClient;
let stores: Stores;

beforeAll(async () => {
  emulator = await startDynamo({});
  const raw = new DynamoDBClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await createTable(raw, TABLE);
  client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  stores = dynamoStores(client, TABLE);
});

afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

const make = () => stores;
describeInvoiceStoreContract('DynamoDB (dynalite)', make);
describeCustomerStoreContract('DynamoDB (dynalite)', make);
describeContactSlotsContract('DynamoDB (dynalite)', make);
describeSendClaimsContract('DynamoDB (dynalite)', make);
describeContactLogContract('DynamoDB (dynalite)', make);
describeAuditLogContract('DynamoDB (dynalite)', make);
describeInvoiceListingContract('DynamoDB (dynalite)', () => ({
  stores,
  listing: new DynamoInvoiceListing(client, TABLE),
}));

describe('the DynamoDB items follow the table layout', () => {
  const item = async (key: { pk: string; sk: string }) =>
    (await client.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }))).Item;

  it('an invoice: its keys, its place under the customer in gsi1, its item type', async () => {
    const invoiceId = freshId('INV');
    const customerId = freshId('C');
    await stores.invoices.createInvoice(registration(invoiceId, customerId), 'standard', AT);
    expect(await item(tableKeys.invoice(invoiceId))).toMatchObject({
      ...tableKeys.invoiceInCustomerIndex(customerId, invoiceId),
      itemType: ITEM_TYPE.invoice,
      invoiceId,
    });
  });

  it('a customer, under its key, with its item type', async () => {
    const customerId = freshId('C');
    await stores.customers.upsertCustomer(customer(customerId), AT);
    expect(await item(tableKeys.customer(customerId))).toMatchObject({ itemType: ITEM_TYPE.customer, customerId });
  });

  it('a send claim carries the TTL attribute: 400 days after the claim, in epoch seconds', async () => {
    const invoiceId = freshId('INV');
    await stores.sendClaims.claimSend(invoiceId, 'D0', 'email', AT);
    await stores.sendClaims.recordConsolidatedSend({ invoiceId, stageId: 'D0', channel: 'sms' }, 'sns-1', AT, 'X');
    for (const channel of ['email', 'sms']) {
      const claim = await item(tableKeys.send(invoiceId, 'D0', channel));
      expect(claim).toMatchObject({ itemType: ITEM_TYPE.send, [TTL_ATTRIBUTE]: sendRecordExpiry(AT) });
      expect(claim?.[TTL_ATTRIBUTE]).toBe(Date.parse(AT) / 1000 + 400 * 24 * 3600);
    }
  });

  it('contact log entries and events live in the invoice partition; contacts also under the customer', async () => {
    const invoiceId = freshId('INV');
    const customerId = freshId('C');
    const contact = { at: AT, invoiceId, customerId, stageId: 'D0', channel: 'email', outcome: 'sent' } as const;
    await stores.contactLog.logContact(contact);
    await stores.auditLog.logEvent({ at: AT, invoiceId, type: 'paused', seq: 7 });
    const partition = await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': invoicePartition(invoiceId) },
      }),
    );
    expect(partition.Items).toEqual([
      expect.objectContaining({
        ...tableKeys.contact(contact),
        ...tableKeys.contactInCustomerIndex(contact),
        itemType: ITEM_TYPE.contact,
      }),
      expect.objectContaining({
        ...tableKeys.event({ at: AT, invoiceId, type: 'paused', seq: 7 }),
        sk: `EVENT#${AT}#0000000007#paused`,
        itemType: ITEM_TYPE.event,
      }),
    ]);
    const index = await client.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: CUSTOMER_INDEX.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': customerPartition(customerId) },
      }),
    );
    expect(index.Items?.map((i) => i.gsi1sk)).toEqual([`CONTACT#${AT}#${invoiceId}#D0#email`]);
  });
});

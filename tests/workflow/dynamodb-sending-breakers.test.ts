import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_TYPE, tableKeys } from '../../functions/contracts/table-layout';
import { DynamoSendingBreakers, DynamoWalkAttention } from '../../functions/stores/dynamodb';
import { type DynamoEmulator, startDynamo } from '../../local/emulators/dynamo';
import { createTable } from '../../local/emulators/provision';
import { describeSendingBreakersContract } from '../support/contracts/sending-breakers.contract';
import { describeWalkAttentionContract } from '../support/contracts/walk-attention.contract';

// The DynamoDB sending breakers (functions/stores/dynamodb/sending-breakers.ts) and walks to look at
// (functions/stores/dynamodb/walk-attention.ts) against dynalite in memory, with the contract suites the in-memory
// ones pass too (tests/unit/stores/memory-stores.test.ts). Each is one item or partition of the table, so each test
// gets a table of its own.

let emulator: DynamoEmulator;
let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
let tables = 0;

beforeAll(async () => {
  emulator = await startDynamo({});
  raw = new DynamoDBClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
});

afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

async function freshTable(): Promise<string> {
  const name = `dunning-breakers-${++tables}`;
  await createTable(raw, name);
  return name;
}

describeSendingBreakersContract(
  'DynamoDB (dynalite)',
  async () => new DynamoSendingBreakers(client, await freshTable()),
);

// The walks to look at are one partition of the table, too.
describeWalkAttentionContract('DynamoDB (dynalite)', async () => new DynamoWalkAttention(client, await freshTable()));

describe('the sending breakers item', () => {
  it('is one item, ACCOUNT#sending / BREAKER, holding one map per channel', async () => {
    const table = await freshTable();
    const breakers = new DynamoSendingBreakers(client, table);
    const breaker = {
      channel: 'sms',
      state: 'open',
      reason: 'AuthorizationErrorException',
      detail: 'SNS: AuthorizationErrorException: not authorized',
      since: '2026-12-01T12:00:00.000Z',
      probeAt: '2026-12-01T12:15:00.000Z',
      intervalSeconds: 900,
      probing: false,
      updatedAt: '2026-12-01T12:00:00.000Z',
      version: 1,
    } as const;

    await breakers.writeSendingBreaker(breaker, 0);

    const out = await client.send(new GetCommand({ TableName: table, Key: tableKeys.sendingBreakers() }));
    expect(out.Item).toEqual({ pk: 'ACCOUNT#sending', sk: 'BREAKER', itemType: ITEM_TYPE.breaker, sms: breaker });
  });
});

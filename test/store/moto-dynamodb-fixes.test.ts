/**
 * The DynamoDB guarantees kaws's store relies on, as local/moto/dynamodb_fixes.py restores them in the
 * emulator: a conditional write or transaction is atomic under concurrency, and a cancelled transaction
 * leaves every item it addressed as it was.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { localCloud } from '../support/local-cloud.ts';

const cloud = localCloud();
const TableName = cloud.resources.tableName;
const doc = cloud.clients.documents;
const get = async (pk: string, sk: string) =>
  (await doc.send(new GetCommand({ TableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

describe('moto DynamoDB fixes', () => {
  it('dynamodb_requests_serialized: of 30 concurrent conditional transactions on one key, one wins and stays', async () => {
    for (let round = 0; round < 5; round++) {
      const pk = `FIXTEST#${randomUUID()}`;
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          doc.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName,
                    Item: { pk, sk: 'META', winner: i },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  Put: {
                    TableName,
                    Item: { pk, sk: `OP#${i}` },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ],
            }),
          ),
        ),
      );
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      // Every loser is a clean cancellation, never an emulator crash (a 500 the SDK cannot parse).
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).name] : []));
      expect(new Set(reasons)).toEqual(new Set(['TransactionCanceledException']));
      expect((await get(pk, 'META'))?.winner).toBe(won[0]);
      expect(await get(pk, `OP#${won[0]}`)).toBeDefined();
    }
  });

  it('dynamodb_transaction_rollback_per_item: a cancelled transaction restores the items it put, updated and deleted', async () => {
    const pk = `FIXTEST#${randomUUID()}`;
    await doc.send(new PutCommand({ TableName, Item: { pk, sk: 'A', value: 1 } }));
    await doc.send(new PutCommand({ TableName, Item: { pk, sk: 'B', value: 2 } }));
    await expect(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName,
                Key: { pk, sk: 'A' },
                UpdateExpression: 'SET #v = :v',
                ExpressionAttributeNames: { '#v': 'value' },
                ExpressionAttributeValues: { ':v': 10 },
              },
            },
            { Delete: { TableName, Key: { pk, sk: 'B' } } },
            { Put: { TableName, Item: { pk, sk: 'C', value: 3 } } },
            {
              ConditionCheck: {
                TableName,
                Key: { pk, sk: 'D' },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ],
        }),
      ),
    ).rejects.toThrow(/cancel/i);
    expect(await get(pk, 'A')).toEqual({ pk, sk: 'A', value: 1 });
    expect(await get(pk, 'B')).toEqual({ pk, sk: 'B', value: 2 });
    expect(await get(pk, 'C')).toBeUndefined();
  });
});

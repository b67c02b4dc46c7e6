/**
 * Low-level access to kaws's table shared by the store's parts: consistent reads of the items a write
 * decides on, the conditional puts every transaction is made of, and the retry loop that re-reads and
 * decides again when a condition did not hold.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { tableKeys } from '../render/naming.ts';
import { ConcurrentModificationError, OperationNotFoundError } from '../service/errors.ts';
import type { OperationRecord, Page } from '../service/model.ts';
import type { PageRequest } from '../service/ports.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { isConditionFailure } from './dynamo-errors.ts';
import {
  type ClusterItem,
  type OperationItem,
  type OperationPointerItem,
  operationFromItem,
} from './items.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** `#status IN (:s0, :s1, ...)` with its values. */
export function statusIn(statuses: readonly string[], prefix: string) {
  const values = Object.fromEntries(statuses.map((s, i) => [`:${prefix}${i}`, s]));
  return { expression: `#status IN (${Object.keys(values).join(', ')})`, values };
}

export class TableAccess {
  constructor(
    readonly documents: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly maxAttempts: number,
  ) {}

  /** The operation with this id, found through its pointer item. */
  async getOperation(id: string): Promise<OperationRecord | undefined> {
    const pointer = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.operationPointerPk(id), sk: tableKeys.operationPointerSk },
        ConsistentRead: true,
      }),
    );
    const clusterName = (pointer.Item as OperationPointerItem | undefined)?.clusterName;
    if (!clusterName) return undefined;
    const item = await this.readOperationItem(clusterName, id);
    return item ? operationFromItem(item) : undefined;
  }

  /** Runs `attempt` until it succeeds, throws a domain error, or keeps losing races. */
  async withRetries<T>(clusterName: string, attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        if (n >= this.maxAttempts) throw new ConcurrentModificationError(clusterName);
        // Jittered backoff: racers that all lost spread out instead of colliding again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** n));
      }
    }
  }

  async readClusterItem(name: string): Promise<ClusterItem | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.clusterPk(name), sk: tableKeys.metaSk },
        ConsistentRead: true,
      }),
    );
    return result.Item as ClusterItem | undefined;
  }

  async readOperationItem(clusterName: string, id: string): Promise<OperationItem | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.clusterPk(clusterName), sk: tableKeys.operationSk(id) },
        ConsistentRead: true,
      }),
    );
    return result.Item as OperationItem | undefined;
  }

  async readOperation(clusterName: string, id: string): Promise<OperationRecord> {
    const item = await this.readOperationItem(clusterName, id);
    if (!item) throw new OperationNotFoundError(id);
    return operationFromItem(item);
  }

  /** Newest first: ULID sort keys sort by creation time. */
  async queryPartition<I, T>(
    clusterName: string,
    skPrefix: string,
    page: PageRequest,
    map: (item: I) => T,
  ): Promise<Page<T>> {
    const pk = tableKeys.clusterPk(clusterName);
    const startKey = decodeCursor(page.cursor, { pk, sk: { prefix: skPrefix } });
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: page.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { items: ((result.Items ?? []) as I[]).map(map), ...(cursor ? { cursor } : {}) };
  }

  putNew(item: object): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: item as Record<string, unknown>,
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  putVersioned(item: object, expectedVersion: number): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: item as Record<string, unknown>,
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': expectedVersion },
      },
    };
  }
}

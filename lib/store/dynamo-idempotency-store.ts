/**
 * Idempotency records on DynamoDB: one item per (scope, key), claimed with a conditional put (so of N
 * concurrent duplicates exactly one proceeds), completed with the response to replay, expired by TTL.
 */
import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { tableKeys } from '../render/naming.ts';
import type { IdempotencyClaim, IdempotencyStore, StoredResponse } from '../service/ports.ts';
import { isConditionFailure } from './dynamo-errors.ts';

/** Bodies above this are stored gzipped, so a large cluster response still fits one item. */
const COMPRESS_ABOVE_BYTES = 16 * 1024;

type IdempotencyItem = {
  pk: string;
  sk: string;
  state: 'IN_PROGRESS' | 'COMPLETED';
  token: string;
  requestHash: string;
  /** Epoch seconds: an IN_PROGRESS marker older than this belongs to a request that died. */
  lockedUntil?: number;
  /** Epoch seconds (DynamoDB TTL attribute). */
  expiresAt: number;
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string;
  bodyGzip?: Uint8Array;
};

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(private readonly options: { documents: DynamoDBDocumentClient; tableName: string }) {}

  private key(scope: string, key: string) {
    const digest = createHash('sha256').update(scope).update('\0').update(key).digest('hex');
    return { pk: tableKeys.idempotencyPk(digest), sk: tableKeys.idempotencySk };
  }

  async claim(input: {
    scope: string;
    key: string;
    requestHash: string;
    now: Date;
    lockSeconds: number;
  }): Promise<IdempotencyClaim> {
    const itemKey = this.key(input.scope, input.key);
    const now = epochSeconds(input.now);
    // A claim can race a release (the first request failed): loop until one outcome is stable.
    for (let attempt = 0; attempt < 5; attempt++) {
      const token = randomUUID();
      const item: IdempotencyItem = {
        ...itemKey,
        state: 'IN_PROGRESS',
        token,
        requestHash: input.requestHash,
        lockedUntil: now + input.lockSeconds,
        // Even a marker whose owner died goes away with the TTL.
        expiresAt: now + 24 * 3600,
      };
      try {
        await this.options.documents.send(
          new PutCommand({
            TableName: this.options.tableName,
            Item: item,
            // Free when absent, expired (TTL deletion lags by up to days), or abandoned mid-request.
            ConditionExpression:
              'attribute_not_exists(pk) OR expiresAt <= :now OR (#state = :inProgress AND lockedUntil <= :now)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':now': now, ':inProgress': 'IN_PROGRESS' },
          }),
        );
        return { outcome: 'claimed', token };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = (
        await this.options.documents.send(
          new GetCommand({ TableName: this.options.tableName, Key: itemKey, ConsistentRead: true }),
        )
      ).Item as IdempotencyItem | undefined;
      if (!existing) continue;
      if (existing.requestHash !== input.requestHash) return { outcome: 'mismatch' };
      if (existing.state === 'COMPLETED') return { outcome: 'replay', response: storedResponse(existing) };
      return { outcome: 'in-progress' };
    }
    return { outcome: 'in-progress' };
  }

  async complete(input: {
    scope: string;
    key: string;
    token: string;
    response: StoredResponse;
    expiresAt: Date;
  }): Promise<void> {
    const compress = Buffer.byteLength(input.response.body) > COMPRESS_ABOVE_BYTES;
    await this.options.documents.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: this.key(input.scope, input.key),
        UpdateExpression: `SET #state = :completed, statusCode = :status, headers = :headers, expiresAt = :expires, ${
          compress ? 'bodyGzip' : 'body'
        } = :body REMOVE lockedUntil`,
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
        ExpressionAttributeValues: {
          ':completed': 'COMPLETED',
          ':status': input.response.statusCode,
          ':headers': input.response.headers,
          ':expires': epochSeconds(input.expiresAt),
          ':body': compress ? gzipSync(input.response.body) : input.response.body,
          ':token': input.token,
        },
      }),
    );
  }

  async release(input: { scope: string; key: string; token: string }): Promise<void> {
    try {
      await this.options.documents.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: this.key(input.scope, input.key),
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': input.token },
        }),
      );
    } catch (error) {
      // Our marker expired and another request took the key over: it is theirs now.
      if (!isConditionFailure(error)) throw error;
    }
  }
}

function storedResponse(item: IdempotencyItem): StoredResponse {
  const body = item.bodyGzip ? gunzipSync(item.bodyGzip).toString('utf8') : (item.body ?? '');
  return { statusCode: item.statusCode ?? 200, headers: item.headers ?? {}, body };
}

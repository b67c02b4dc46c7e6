/**
 * One operation per cluster at a time, under real concurrency: many requests in flight at once through
 * the local HTTP server, decided by DynamoDB's conditional transactions (moto, serialized as DynamoDB
 * is atomic: local/moto/dynamodb_fixes.py).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSchema, OperationAcceptedSchema } from '../../functions/shared/api-schemas.ts';
import { tableKeys } from '../../lib/render/naming.ts';
import { activeCluster, send, specYaml, startTestApi, type TestApi, uniqueName } from './support.ts';

/** Every item of a cluster's partition, by kind (META, OP, EVENT, SPEC). */
async function partition(api: TestApi, name: string): Promise<Record<string, number>> {
  const result = await api.cloud.clients.documents.send(
    new QueryCommand({
      TableName: api.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': tableKeys.clusterPk(name) },
      ConsistentRead: true,
    }),
  );
  const kinds: Record<string, number> = {};
  for (const item of result.Items ?? []) {
    const kind = String(item.sk).split('#')[0] as string;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

describe('API concurrency', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('50 concurrent POST /clusters of one name: one 202, 49 409 naming the operation; one cluster, one operation', async () => {
    const name = uniqueName('race');
    const body = specYaml(name);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send(api, 'POST', '/clusters', { body, headers: { 'x-kaws-caller': `user-${i}` } }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const winner = responses[statuses.indexOf(202)] as Response;
    const accepted = OperationAcceptedSchema.parse(await winner.json());
    for (const response of responses.filter((r) => r.status === 409)) {
      const problem = (await response.json()) as { currentOperation?: { id: string } };
      expect(problem.currentOperation?.id).toBe(accepted.operation.id);
    }
    expect(await partition(api, name)).toEqual({ META: 1, OP: 1, EVENT: 1, SPEC: 1 });
    const operations = await api.store.listOperations(name, { limit: 100 });
    expect(operations.items.map((o) => o.id)).toEqual([accepted.operation.id]);
    // The stored cluster is the winner's, caller and all.
    expect((await api.store.getCluster(name))?.createdBy).toBe(accepted.cluster.createdBy);
  });

  it("20 concurrent PUTs with the same If-Match: one 202, the rest 412 or 409; the winner's spec is stored", async () => {
    const name = uniqueName('puts');
    await activeCluster(api, name);
    // Each request asks for a different pool size, so the stored spec tells which request won.
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(api, 'PUT', `/clusters/${name}`, {
          body: specYaml(name, (y) =>
            y
              .replace(
                'count: 3\n      instanceType: m5.xlarge',
                `count: ${10 + i}\n      instanceType: m5.xlarge`,
              )
              .replace('maxSize: 6', 'maxSize: 50'),
          ),
          headers: { 'if-match': '"1"' },
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 202 || s === 412 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    const winnerIndex = statuses.indexOf(202);
    const accepted = OperationAcceptedSchema.parse(await (responses[winnerIndex] as Response).json());
    expect(accepted.cluster.specVersion).toBe(2);
    const stored = ClusterSchema.parse(await (await send(api, 'GET', `/clusters/${name}`)).json());
    expect(stored.specVersion).toBe(2);
    expect(stored.currentOperation?.id).toBe(accepted.operation.id);
    const pools = (stored.spec.worker as { nodePools: Array<{ name: string; count: number }> }).nodePools;
    expect(pools.find((p) => p.name === 'general')?.count).toBe(10 + winnerIndex);
    // One CREATE and one UPDATE, and one spec per version: no lost update, no second operation.
    expect(await partition(api, name)).toMatchObject({ META: 1, OP: 2, SPEC: 2 });
  });
});

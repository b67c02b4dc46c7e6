/**
 * The DynamoDB store against the local cloud: the workflow-side transitions the next issue drives, the
 * history written with each change, and refusals made by DynamoDB's conditions themselves (a change made
 * behind the store's back between its read and its write is caught, never overwritten).
 */
import { readFileSync } from 'node:fs';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/aws/clients.ts';
import { tableKeys } from '../../lib/render/naming.ts';
import {
  ClusterNameTakenError,
  IllegalTransitionError,
  InvalidCursorError,
  OperationStateError,
  SpecTooLargeError,
} from '../../lib/service/errors.ts';
import type { ClusterStore } from '../../lib/service/ports.ts';
import { loadClusterSpec } from '../../lib/spec/index.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import { DynamoClusterStore } from '../../lib/store/dynamo-cluster-store.ts';
import { LOCAL_CREDENTIALS } from '../../local/cloud.ts';
import { localCloud } from '../support/local-cloud.ts';

const cloud = localCloud();
const ids = monotonicFactory();
const TEMPLATE = readFileSync(new URL('../../examples/ha-cluster.yaml', import.meta.url), 'utf8');
const specOf = (name: string): ClusterSpec =>
  loadClusterSpec(TEMPLATE.replace(/^clusterName: .*$/m, `clusterName: ${name}`));
const unique = (prefix: string) => `${prefix}-${ids().slice(-8).toLowerCase()}`;
const store = new DynamoClusterStore({
  documents: cloud.clients.documents,
  tableName: cloud.resources.tableName,
});

async function create(s: ClusterStore, name: string) {
  return s.requestOperation({
    type: 'CREATE',
    clusterName: name,
    caller: 'alice',
    spec: specOf(name),
    operationId: ids(),
    eventId: ids(),
    now: new Date(),
  });
}
const report = (operationId: string) => ({ operationId, now: new Date(), eventId: ids() });

describe('DynamoClusterStore', () => {
  it('drives an operation: start, steps, succeed; each change with its history event; retries are no-ops', async () => {
    const name = unique('life');
    const { operation } = await create(store, name);
    const started = await store.startOperation(report(operation.id));
    expect(started.status).toBe('IN_PROGRESS');
    expect((await store.startOperation(report(operation.id))).version).toBe(started.version);
    await store.recordStep({
      ...report(operation.id),
      step: { name: 'render-credentials', status: 'SUCCEEDED' },
    });
    await store.recordStep({
      ...report(operation.id),
      step: { name: 'deploy-stack:network', status: 'IN_PROGRESS', message: 'creating VPC' },
      historyEvent: true,
    });
    await store.recordStep({
      ...report(operation.id),
      step: { name: 'deploy-stack:network', status: 'SUCCEEDED' },
    });
    const done = await store.succeedOperation({
      ...report(operation.id),
      outputs: { apiEndpoint: 'https://api.x' },
    });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'render-credentials:SUCCEEDED',
      'deploy-stack:network:SUCCEEDED',
    ]);
    expect((await store.succeedOperation(report(operation.id))).version).toBe(done.version);
    const cluster = await store.getCluster(name);
    expect(cluster).toMatchObject({ status: 'ACTIVE', outputs: { apiEndpoint: 'https://api.x' } });
    expect(cluster?.currentOperation).toBeUndefined();
    const events = (await store.listEvents(name, { limit: 10 })).items;
    expect(events.map((e) => e.type)).toEqual([
      'OPERATION_SUCCEEDED',
      'STEP_PROGRESS',
      'OPERATION_STARTED',
      'OPERATION_REQUESTED',
    ]);
    expect(events[1]).toMatchObject({
      step: 'deploy-stack:network',
      reason: 'creating VPC',
      caller: 'alice',
    });
  });

  it('refuses workflow reports out of order, or for an operation that no longer holds the lock', async () => {
    const name = unique('order');
    const { operation } = await create(store, name);
    await expect(store.succeedOperation(report(operation.id))).rejects.toThrow(OperationStateError);
    await expect(
      store.recordStep({ ...report(operation.id), step: { name: 'x', status: 'IN_PROGRESS' } }),
    ).rejects.toThrow(/only while IN_PROGRESS/);
    const failed = await store.failOperation({
      ...report(operation.id),
      error: { code: 'WorkflowStartFailed', message: 'nope' },
    });
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: { code: 'WorkflowStartFailed', message: 'nope' },
    });
    expect(await store.getCluster(name)).toMatchObject({ status: 'CREATE_FAILED', statusReason: 'nope' });
    await expect(store.startOperation(report(operation.id))).rejects.toThrow(OperationStateError);
  });

  it('a delete that succeeds leaves DELETED, and the name can be created again', async () => {
    const name = unique('gone');
    const { operation } = await create(store, name);
    await store.startOperation(report(operation.id));
    await store.succeedOperation(report(operation.id));
    const del = await store.requestOperation({
      type: 'DELETE',
      clusterName: name,
      caller: 'bob',
      operationId: ids(),
      eventId: ids(),
      now: new Date(),
    });
    await store.startOperation(report(del.operation.id));
    await store.succeedOperation(report(del.operation.id));
    expect((await store.getCluster(name))?.status).toBe('DELETED');
    const again = await create(store, name);
    expect(again.cluster).toMatchObject({ status: 'CREATE_PENDING', specVersion: 2 });
    await expect(create(store, name)).rejects.toThrow(ClusterNameTakenError);
  });

  it('DynamoDB itself refuses a transition whose status changed after the store read it', async () => {
    const name = unique('sneaky');
    const { operation } = await create(store, name);
    await store.startOperation(report(operation.id));
    await store.succeedOperation(report(operation.id));
    // A second client whose TransactWriteItems is preceded, once, by a write that marks the cluster DELETED
    // without touching its version: only the condition on the status can catch it.
    const racing = createAwsClients({
      region: cloud.region,
      endpoint: cloud.endpoint,
      credentials: { ...LOCAL_CREDENTIALS },
    });
    let raced = false;
    racing.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (!raced && /TransactWrite/.test(context.commandName ?? '')) {
          raced = true;
          await cloud.clients.documents.send(
            new UpdateCommand({
              TableName: cloud.resources.tableName,
              Key: { pk: tableKeys.clusterPk(name), sk: tableKeys.metaSk },
              UpdateExpression: 'SET #status = :deleted',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':deleted': 'DELETED' },
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'raceBeforeTransaction' },
    );
    const racingStore = new DynamoClusterStore({
      documents: racing.documents,
      tableName: cloud.resources.tableName,
    });
    await expect(
      racingStore.requestOperation({
        type: 'UPDATE',
        clusterName: name,
        caller: 'bob',
        spec: specOf(name),
        operationId: ids(),
        eventId: ids(),
        now: new Date(),
      }),
    ).rejects.toThrow(IllegalTransitionError);
    expect(raced).toBe(true);
    const items = await cloud.clients.documents.send(
      new QueryCommand({
        TableName: cloud.resources.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :op)',
        ExpressionAttributeValues: { ':pk': tableKeys.clusterPk(name), ':op': 'OP#' },
      }),
    );
    expect(items.Items).toHaveLength(1);
  });

  it('refuses foreign cursors and specs too large for an item', async () => {
    await expect(
      store.listClusters({ limit: 5, cursor: Buffer.from('{"pk":"X","sk":"META"}').toString('base64url') }),
    ).rejects.toThrow(InvalidCursorError);
    await expect(
      store.listEvents('x', {
        limit: 5,
        cursor: Buffer.from('{"pk":"CLUSTER#y","sk":"EVENT#1"}').toString('base64url'),
      }),
    ).rejects.toThrow(InvalidCursorError);
    const name = unique('huge');
    const spec = { ...specOf(name), stackTags: { big: 'x'.repeat(400_000) } };
    await expect(
      store.requestOperation({
        type: 'CREATE',
        clusterName: name,
        caller: 'a',
        spec,
        operationId: ids(),
        eventId: ids(),
        now: new Date(),
      }),
    ).rejects.toThrow(SpecTooLargeError);
    expect(await store.getCluster(name)).toBeUndefined();
  });
});

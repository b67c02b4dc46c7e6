/**
 * The cluster repository on DynamoDB (single table, see naming.tableKeys). Every state change is one
 * TransactWriteItems: the cluster item (conditional on its version, its current status being a legal
 * predecessor per lib/service/cluster-status.ts, and its lock), the operation item and the history event.
 * A write that loses a race re-reads and decides again, so callers get a typed refusal, never a lost update.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { tableKeys } from '../render/naming.ts';
import {
  type ClusterStatus,
  OPERATION_LIFECYCLES,
  type OperationPhase,
  transitionFor,
} from '../service/cluster-status.ts';
import {
  ConcurrentModificationError,
  IllegalTransitionError,
  OperationNotFoundError,
  OperationStateError,
  SpecTooLargeError,
} from '../service/errors.ts';
import type {
  ClusterEvent,
  ClusterRecord,
  ClusterSummary,
  OperationRecord,
  OperationStep,
  Page,
} from '../service/model.ts';
import { planRequest } from '../service/plan-request.ts';
import type { ClusterStore, PageRequest, RequestOperationInput, WorkflowReport } from '../service/ports.ts';
import type { ClusterSpec } from '../spec/types.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { isConditionFailure } from './dynamo-errors.ts';
import {
  CLUSTER_SUMMARY_ATTRIBUTES,
  type ClusterItem,
  clusterFromItem,
  clusterItem,
  clusterSummaryFromItem,
  eventFromItem,
  eventItem,
  type OperationItem,
  type OperationPointerItem,
  operationFromItem,
  operationItem,
  operationPointerItem,
  type SpecItem,
  specItem,
} from './items.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A stored spec's JSON must leave room in DynamoDB's 400 KB item for the cluster's other attributes. */
export const MAX_STORED_SPEC_BYTES = 350_000;
/** Pages a filtered cluster listing reads at most to fill one page. */
const MAX_FILTER_ROUNDS = 5;

export interface DynamoClusterStoreOptions {
  documents: DynamoDBDocumentClient;
  tableName: string;
  /** Attempts of a conditional write that keeps losing races. Default 5. */
  maxAttempts?: number;
}

/** `#status IN (:s0, :s1, ...)` with its values. */
function statusIn(statuses: readonly string[], prefix: string) {
  const values = Object.fromEntries(statuses.map((s, i) => [`:${prefix}${i}`, s]));
  return { expression: `#status IN (${Object.keys(values).join(', ')})`, values };
}

export class DynamoClusterStore implements ClusterStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly maxAttempts: number;

  constructor(options: DynamoClusterStoreOptions) {
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async getCluster(name: string): Promise<ClusterRecord | undefined> {
    const item = await this.readClusterItem(name);
    return item ? clusterFromItem(item) : undefined;
  }

  async listClusters(page: PageRequest & { status?: ClusterStatus }): Promise<Page<ClusterSummary>> {
    let startKey = decodeCursor(page.cursor, {
      pk: { prefix: 'CLUSTER#' },
      sk: tableKeys.metaSk,
      gsi1pk: tableKeys.clustersIndexPk,
      gsi1sk: { prefix: '' },
    });
    const items: ClusterSummary[] = [];
    const names: Record<string, string> = { '#gsi1pk': 'gsi1pk' };
    CLUSTER_SUMMARY_ATTRIBUTES.forEach((attribute, i) => {
      names[`#a${i}`] = attribute;
    });
    for (let round = 0; round < MAX_FILTER_ROUNDS; round++) {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: tableKeys.clustersIndex,
          KeyConditionExpression: '#gsi1pk = :clusters',
          ProjectionExpression: CLUSTER_SUMMARY_ATTRIBUTES.map((_, i) => `#a${i}`).join(', '),
          ...(page.status
            ? {
                FilterExpression: '#status = :status',
                ExpressionAttributeNames: { ...names, '#status': 'status' },
                ExpressionAttributeValues: { ':clusters': tableKeys.clustersIndexPk, ':status': page.status },
              }
            : {
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: { ':clusters': tableKeys.clustersIndexPk },
              }),
          Limit: page.limit - items.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of result.Items ?? []) items.push(clusterSummaryFromItem(item as ClusterItem));
      startKey = result.LastEvaluatedKey as Record<string, string> | undefined;
      if (!startKey || items.length >= page.limit) break;
    }
    return { items, ...(startKey ? { cursor: encodeCursor(startKey) } : {}) };
  }

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

  listOperations(clusterName: string, page: PageRequest): Promise<Page<OperationRecord>> {
    return this.queryPartition(clusterName, tableKeys.operationSkPrefix, page, operationFromItem);
  }

  listEvents(clusterName: string, page: PageRequest): Promise<Page<ClusterEvent>> {
    return this.queryPartition(clusterName, tableKeys.eventSkPrefix, page, eventFromItem);
  }

  async getSpec(clusterName: string, specVersion: number): Promise<ClusterSpec | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.clusterPk(clusterName), sk: tableKeys.specSk(specVersion) },
        ConsistentRead: true,
      }),
    );
    const item = result.Item as SpecItem | undefined;
    return item ? (JSON.parse(item.specJson) as ClusterSpec) : undefined;
  }

  async requestOperation(
    input: RequestOperationInput,
  ): Promise<{ cluster: ClusterRecord; operation: OperationRecord }> {
    const specJson = input.spec ? JSON.stringify(input.spec) : undefined;
    if (specJson && Buffer.byteLength(specJson) > MAX_STORED_SPEC_BYTES) {
      throw new SpecTooLargeError(Buffer.byteLength(specJson), MAX_STORED_SPEC_BYTES);
    }
    return this.withRetries(input.clusterName, async () => {
      const currentItem = await this.readClusterItem(input.clusterName);
      const current = currentItem ? clusterFromItem(currentItem) : undefined;
      const { cluster, operation, event } = planRequest(input, current);
      const lock = current
        ? statusIn(OPERATION_LIFECYCLES[input.type].from.filter((s) => s !== null) as string[], 'from')
        : undefined;
      const items: TransactItem[] = [
        {
          Put: {
            TableName: this.tableName,
            Item: clusterItem(cluster),
            ...(current && lock
              ? {
                  ConditionExpression: `version = :version AND ${lock.expression} AND attribute_not_exists(currentOperationId)`,
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':version': current.version, ...lock.values },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        },
        this.putNew(operationItem(operation)),
        this.putNew(eventItem(event)),
        this.putNew(operationPointerItem(operation.id, cluster.name)),
      ];
      if (input.spec && specJson) {
        items.push(
          this.putNew(specItem(cluster.name, cluster.specVersion, specJson, input.caller, cluster.updatedAt)),
        );
      }
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
      return { cluster, operation };
    });
  }

  async setExecutionArn(operationId: string, executionArn: string): Promise<void> {
    const operation = await this.getOperation(operationId);
    if (!operation) throw new OperationNotFoundError(operationId);
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.clusterPk(operation.clusterName), sk: tableKeys.operationSk(operationId) },
        UpdateExpression: 'SET executionArn = :arn, version = version + :one',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(executionArn) OR executionArn = :arn)',
        ExpressionAttributeValues: { ':arn': executionArn, ':one': 1 },
      }),
    );
  }

  startOperation(report: WorkflowReport & { caller?: string }): Promise<OperationRecord> {
    return this.advance(report, 'start', (operation) => ({
      operation: { startedAt: report.now.toISOString() },
      caller: report.caller ?? operation.requestedBy,
    }));
  }

  succeedOperation(report: WorkflowReport & { outputs?: Record<string, string> }): Promise<OperationRecord> {
    return this.advance(report, 'succeed', (operation, cluster) => ({
      operation: { finishedAt: report.now.toISOString() },
      cluster: { outputs: { ...cluster.outputs, ...report.outputs } },
      caller: operation.requestedBy,
    }));
  }

  failOperation(
    report: WorkflowReport & { error: { code: string; message: string } },
  ): Promise<OperationRecord> {
    return this.advance(report, 'fail', (operation) => ({
      operation: { finishedAt: report.now.toISOString(), error: report.error },
      cluster: { statusReason: report.error.message },
      caller: operation.requestedBy,
      reason: report.error.message,
    }));
  }

  async recordStep(
    report: WorkflowReport & { step: OperationStep; historyEvent?: boolean },
  ): Promise<OperationRecord> {
    const found = await this.getOperation(report.operationId);
    if (!found) throw new OperationNotFoundError(report.operationId);
    return this.withRetries(found.clusterName, async () => {
      const operation = await this.readOperation(found.clusterName, report.operationId);
      if (operation.status !== 'IN_PROGRESS') {
        throw new OperationStateError(
          operation.id,
          `is ${operation.status}; steps are recorded only while IN_PROGRESS`,
        );
      }
      const steps = operation.steps.some((s) => s.name === report.step.name)
        ? operation.steps.map((s) => (s.name === report.step.name ? report.step : s))
        : [...operation.steps, report.step];
      const next: OperationRecord = {
        ...operation,
        steps,
        updatedAt: report.now.toISOString(),
        version: operation.version + 1,
      };
      const items: TransactItem[] = [
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: { pk: tableKeys.clusterPk(operation.clusterName), sk: tableKeys.metaSk },
            ConditionExpression: 'currentOperationId = :op',
            ExpressionAttributeValues: { ':op': operation.id },
          },
        },
        this.putVersioned(operationItem(next), operation.version),
      ];
      if (report.historyEvent) {
        const event: ClusterEvent = {
          id: report.eventId,
          clusterName: operation.clusterName,
          type: 'STEP_PROGRESS',
          time: report.now.toISOString(),
          caller: operation.requestedBy,
          operationId: operation.id,
          operationType: operation.type,
          step: report.step.name,
          ...(report.step.message ? { reason: report.step.message } : {}),
        };
        items.push(this.putNew(eventItem(event)));
      }
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
      return next;
    });
  }

  // ---- internals ----

  /**
   * One workflow transition of an operation and its cluster. Idempotent: an operation already in the
   * target status is returned as it is (a retried Step Functions task reports twice).
   */
  private async advance(
    report: WorkflowReport,
    phase: OperationPhase,
    change: (
      operation: OperationRecord,
      cluster: ClusterRecord,
    ) => {
      operation: Partial<OperationRecord>;
      cluster?: Partial<ClusterRecord>;
      caller: string;
      reason?: string;
    },
  ): Promise<OperationRecord> {
    const found = await this.getOperation(report.operationId);
    if (!found) throw new OperationNotFoundError(report.operationId);
    return this.withRetries(found.clusterName, async () => {
      const operation = await this.readOperation(found.clusterName, report.operationId);
      const t = transitionFor(operation.type, phase);
      if (operation.status === t.operationTo) return operation;
      if (!t.operationFrom.includes(operation.status)) {
        throw new OperationStateError(operation.id, `is ${operation.status}; cannot ${phase} it`);
      }
      const clusterItemNow = await this.readClusterItem(operation.clusterName);
      if (!clusterItemNow || clusterItemNow.currentOperationId !== operation.id) {
        throw new OperationStateError(
          operation.id,
          `does not hold the lock of cluster ${operation.clusterName}`,
        );
      }
      const cluster = clusterFromItem(clusterItemNow);
      if (!t.clusterFrom.includes(cluster.status)) {
        throw new IllegalTransitionError(cluster.name, cluster.status, phase, t.clusterFrom);
      }
      const now = report.now.toISOString();
      const delta = change(operation, cluster);
      const releases = phase === 'succeed' || phase === 'fail';
      const nextCluster: ClusterRecord = {
        ...cluster,
        ...delta.cluster,
        status: t.clusterTo,
        version: cluster.version + 1,
        updatedAt: now,
        updatedBy: delta.caller,
      };
      if (releases) delete nextCluster.currentOperation;
      const nextOperation: OperationRecord = {
        ...operation,
        ...delta.operation,
        status: t.operationTo,
        updatedAt: now,
        version: operation.version + 1,
      };
      const event: ClusterEvent = {
        id: report.eventId,
        clusterName: cluster.name,
        type:
          phase === 'start'
            ? 'OPERATION_STARTED'
            : phase === 'succeed'
              ? 'OPERATION_SUCCEEDED'
              : 'OPERATION_FAILED',
        time: now,
        caller: delta.caller,
        operationId: operation.id,
        operationType: operation.type,
        previousStatus: cluster.status,
        newStatus: t.clusterTo,
        ...(delta.reason ? { reason: delta.reason } : {}),
      };
      const from = statusIn(t.clusterFrom.filter((s) => s !== null) as string[], 'from');
      const opFrom = statusIn(t.operationFrom, 'opfrom');
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: clusterItem(nextCluster),
                ConditionExpression: `version = :version AND currentOperationId = :op AND ${from.expression}`,
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':version': cluster.version,
                  ':op': operation.id,
                  ...from.values,
                },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: operationItem(nextOperation),
                ConditionExpression: `version = :version AND ${opFrom.expression}`,
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':version': operation.version, ...opFrom.values },
              },
            },
            this.putNew(eventItem(event)),
          ],
        }),
      );
      return nextOperation;
    });
  }

  /** Runs `attempt` until it succeeds, throws a domain error, or keeps losing races. */
  private async withRetries<T>(clusterName: string, attempt: () => Promise<T>): Promise<T> {
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

  private async readClusterItem(name: string): Promise<ClusterItem | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.clusterPk(name), sk: tableKeys.metaSk },
        ConsistentRead: true,
      }),
    );
    return result.Item as ClusterItem | undefined;
  }

  private async readOperationItem(clusterName: string, id: string): Promise<OperationItem | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.clusterPk(clusterName), sk: tableKeys.operationSk(id) },
        ConsistentRead: true,
      }),
    );
    return result.Item as OperationItem | undefined;
  }

  private async readOperation(clusterName: string, id: string): Promise<OperationRecord> {
    const item = await this.readOperationItem(clusterName, id);
    if (!item) throw new OperationNotFoundError(id);
    return operationFromItem(item);
  }

  /** Newest first: ULID sort keys sort by creation time. */
  private async queryPartition<I, T>(
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

  private putNew(item: object): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: item as Record<string, unknown>,
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private putVersioned(item: object, expectedVersion: number): TransactItem {
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

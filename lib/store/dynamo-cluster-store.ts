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
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { tableKeys } from '../render/naming.ts';
import { type ClusterStatus, OPERATION_LIFECYCLES } from '../service/cluster-status.ts';
import { OperationNotFoundError, SpecTooLargeError } from '../service/errors.ts';
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
import {
  CLUSTER_SUMMARY_ATTRIBUTES,
  type ClusterItem,
  clusterFromItem,
  clusterItem,
  clusterSummaryFromItem,
  eventFromItem,
  eventItem,
  operationFromItem,
  operationItem,
  operationPointerItem,
  type SpecItem,
  specItem,
} from './items.ts';
import { advance, recordStep } from './operation-transitions.ts';
import { statusIn, TableAccess, type TransactItem } from './table-access.ts';

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

export class DynamoClusterStore implements ClusterStore {
  private readonly table: TableAccess;

  constructor(options: DynamoClusterStoreOptions) {
    this.table = new TableAccess(options.documents, options.tableName, options.maxAttempts ?? 5);
  }

  async getCluster(name: string): Promise<ClusterRecord | undefined> {
    const item = await this.table.readClusterItem(name);
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
      const result = await this.table.documents.send(
        new QueryCommand({
          TableName: this.table.tableName,
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

  getOperation(id: string): Promise<OperationRecord | undefined> {
    return this.table.getOperation(id);
  }

  listOperations(clusterName: string, page: PageRequest): Promise<Page<OperationRecord>> {
    return this.table.queryPartition(clusterName, tableKeys.operationSkPrefix, page, operationFromItem);
  }

  listEvents(clusterName: string, page: PageRequest): Promise<Page<ClusterEvent>> {
    return this.table.queryPartition(clusterName, tableKeys.eventSkPrefix, page, eventFromItem);
  }

  async getSpec(clusterName: string, specVersion: number): Promise<ClusterSpec | undefined> {
    const result = await this.table.documents.send(
      new GetCommand({
        TableName: this.table.tableName,
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
    return this.table.withRetries(input.clusterName, async () => {
      const currentItem = await this.table.readClusterItem(input.clusterName);
      const current = currentItem ? clusterFromItem(currentItem) : undefined;
      const { cluster, operation, event } = planRequest(input, current);
      const lock = current
        ? statusIn(OPERATION_LIFECYCLES[input.type].from.filter((s) => s !== null) as string[], 'from')
        : undefined;
      const items: TransactItem[] = [
        {
          Put: {
            TableName: this.table.tableName,
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
        this.table.putNew(operationItem(operation)),
        this.table.putNew(eventItem(event)),
        this.table.putNew(operationPointerItem(operation.id, cluster.name)),
      ];
      if (input.spec && specJson) {
        items.push(
          this.table.putNew(
            specItem(cluster.name, cluster.specVersion, specJson, input.caller, cluster.updatedAt),
          ),
        );
      }
      await this.table.documents.send(new TransactWriteCommand({ TransactItems: items }));
      return { cluster, operation };
    });
  }

  async setExecutionArn(operationId: string, executionArn: string): Promise<void> {
    const operation = await this.table.getOperation(operationId);
    if (!operation) throw new OperationNotFoundError(operationId);
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: tableKeys.clusterPk(operation.clusterName), sk: tableKeys.operationSk(operationId) },
        UpdateExpression: 'SET executionArn = :arn, version = version + :one',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(executionArn) OR executionArn = :arn)',
        ExpressionAttributeValues: { ':arn': executionArn, ':one': 1 },
      }),
    );
  }

  startOperation(report: WorkflowReport & { caller?: string }): Promise<OperationRecord> {
    return advance(this.table, report, 'start', (operation) => ({
      operation: { startedAt: report.now.toISOString() },
      caller: report.caller ?? operation.requestedBy,
    }));
  }

  succeedOperation(report: WorkflowReport & { outputs?: Record<string, string> }): Promise<OperationRecord> {
    return advance(this.table, report, 'succeed', (operation, cluster) => ({
      operation: { finishedAt: report.now.toISOString() },
      cluster: { outputs: { ...cluster.outputs, ...report.outputs } },
      caller: operation.requestedBy,
    }));
  }

  failOperation(
    report: WorkflowReport & { error: { code: string; message: string } },
  ): Promise<OperationRecord> {
    return advance(this.table, report, 'fail', (operation) => ({
      operation: { finishedAt: report.now.toISOString(), error: report.error },
      cluster: { statusReason: report.error.message },
      caller: operation.requestedBy,
      reason: report.error.message,
    }));
  }

  recordStep(
    report: WorkflowReport & { step: OperationStep; historyEvent?: boolean },
  ): Promise<OperationRecord> {
    return recordStep(this.table, report);
  }
}

/**
 * The workflow side of an operation's life, as the Step Functions tasks report it: start, steps, success,
 * failure. Each is one transaction (cluster, operation, history event) conditional on the versions read,
 * the lock and the legal predecessor statuses, and each is idempotent (a retried task reports twice).
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { tableKeys } from '../render/naming.ts';
import { type OperationPhase, transitionFor } from '../service/cluster-status.ts';
import { IllegalTransitionError, OperationNotFoundError, OperationStateError } from '../service/errors.ts';
import type { ClusterEvent, ClusterRecord, OperationRecord, OperationStep } from '../service/model.ts';
import type { WorkflowReport } from '../service/ports.ts';
import { clusterFromItem, clusterItem, eventItem, operationItem } from './items.ts';
import { statusIn, type TableAccess, type TransactItem } from './table-access.ts';

/** What a transition changes besides statuses, versions and timestamps. */
export interface TransitionChange {
  operation: Partial<OperationRecord>;
  cluster?: Partial<ClusterRecord>;
  caller: string;
  reason?: string;
}

/**
 * One workflow transition of an operation and its cluster. Idempotent: an operation already in the
 * target status is returned as it is (a retried Step Functions task reports twice).
 */
export async function advance(
  table: TableAccess,
  report: WorkflowReport,
  phase: OperationPhase,
  change: (operation: OperationRecord, cluster: ClusterRecord) => TransitionChange,
): Promise<OperationRecord> {
  const found = await table.getOperation(report.operationId);
  if (!found) throw new OperationNotFoundError(report.operationId);
  return table.withRetries(found.clusterName, async () => {
    const operation = await table.readOperation(found.clusterName, report.operationId);
    const t = transitionFor(operation.type, phase);
    if (operation.status === t.operationTo) return operation;
    if (!t.operationFrom.includes(operation.status)) {
      throw new OperationStateError(operation.id, `is ${operation.status}; cannot ${phase} it`);
    }
    const clusterItemNow = await table.readClusterItem(operation.clusterName);
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
    await table.documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table.tableName,
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
              TableName: table.tableName,
              Item: operationItem(nextOperation),
              ConditionExpression: `version = :version AND ${opFrom.expression}`,
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':version': operation.version, ...opFrom.values },
            },
          },
          table.putNew(eventItem(event)),
        ],
      }),
    );
    return nextOperation;
  });
}

export async function recordStep(
  table: TableAccess,
  report: WorkflowReport & { step: OperationStep; historyEvent?: boolean },
): Promise<OperationRecord> {
  const found = await table.getOperation(report.operationId);
  if (!found) throw new OperationNotFoundError(report.operationId);
  return table.withRetries(found.clusterName, async () => {
    const operation = await table.readOperation(found.clusterName, report.operationId);
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
          TableName: table.tableName,
          Key: { pk: tableKeys.clusterPk(operation.clusterName), sk: tableKeys.metaSk },
          ConditionExpression: 'currentOperationId = :op',
          ExpressionAttributeValues: { ':op': operation.id },
        },
      },
      table.putVersioned(operationItem(next), operation.version),
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
        stepStatus: report.step.status,
        ...(report.step.message ? { reason: report.step.message } : {}),
      };
      items.push(table.putNew(eventItem(event)));
    }
    await table.documents.send(new TransactWriteCommand({ TransactItems: items }));
    return next;
  });
}

/**
 * kaws's EventBridge events, built from the cluster's history: every cluster status change is a
 * history entry (written by the store in the same transaction as the change), and each becomes a
 * `Cluster State Change` and an `Operation State Change` with the entry's id as `eventId`. Publishing
 * the same entry again yields the same events, so a retried step lets consumers dedupe.
 *
 * The detail shapes are documented as JSON Schemas in schemas/events/ (tested against every event the
 * end-to-end run publishes).
 */
import type { BusEvent } from '../aws/events.ts';
import { events as eventNames } from '../render/naming.ts';
import type { ClusterStatus, OperationStatus, OperationType } from '../service/cluster-status.ts';
import type { ClusterEvent, OperationError } from '../service/model.ts';

export interface ClusterStateChangeDetail {
  eventId: string;
  clusterName: string;
  /** null: the cluster did not exist before (a first create). */
  previousStatus: ClusterStatus | null;
  status: ClusterStatus;
  operationId: string;
  operationType: OperationType;
  reason?: string;
  caller: string;
  time: string;
}

export interface OperationStateChangeDetail {
  eventId: string;
  clusterName: string;
  operationId: string;
  operationType: OperationType;
  /** null: the operation was just requested. */
  previousStatus: OperationStatus | null;
  status: OperationStatus;
  /** The cluster's status after the change. */
  clusterStatus: ClusterStatus;
  reason?: string;
  /** For a failure: the machine-readable code and the step that failed. */
  error?: OperationError & { step?: string };
  caller: string;
  time: string;
}

/** The history entry types that are status changes, and the operation statuses each goes between. */
const OPERATION_CHANGES: Partial<
  Record<ClusterEvent['type'], { from: OperationStatus | null; to: OperationStatus }>
> = {
  OPERATION_REQUESTED: { from: null, to: 'PENDING' },
  OPERATION_STARTED: { from: 'PENDING', to: 'IN_PROGRESS' },
  OPERATION_SUCCEEDED: { from: 'IN_PROGRESS', to: 'SUCCEEDED' },
  OPERATION_FAILED: { from: 'IN_PROGRESS', to: 'FAILED' },
};

/** Whether a history entry is a status change (and so is published). */
export function isStatusChange(event: ClusterEvent): boolean {
  return event.type in OPERATION_CHANGES && event.newStatus !== undefined;
}

/**
 * The two bus events of a status-change history entry. `failure` adds the error code and failed step
 * to an OPERATION_FAILED entry's operation event.
 */
export function busEventsOf(event: ClusterEvent, failure?: OperationError & { step?: string }): BusEvent[] {
  const change = OPERATION_CHANGES[event.type];
  if (!change || event.newStatus === undefined) return [];
  const time = new Date(event.time);
  const reason = event.reason !== undefined ? { reason: event.reason } : {};
  const cluster: ClusterStateChangeDetail = {
    eventId: event.id,
    clusterName: event.clusterName,
    previousStatus: event.previousStatus ?? null,
    status: event.newStatus,
    operationId: event.operationId,
    operationType: event.operationType,
    ...reason,
    caller: event.caller,
    time: event.time,
  };
  // A failed start (no workflow) fails a PENDING operation; the previous cluster status tells which.
  const operationFrom =
    event.type === 'OPERATION_FAILED' && event.previousStatus?.endsWith('_PENDING') ? 'PENDING' : change.from;
  const operation: OperationStateChangeDetail = {
    eventId: event.id,
    clusterName: event.clusterName,
    operationId: event.operationId,
    operationType: event.operationType,
    previousStatus: operationFrom,
    status: change.to,
    clusterStatus: event.newStatus,
    ...reason,
    ...(failure && event.type === 'OPERATION_FAILED' ? { error: failure } : {}),
    caller: event.caller,
    time: event.time,
  };
  return [
    {
      detailType: eventNames.clusterStateChange,
      detail: cluster as unknown as Record<string, unknown>,
      time,
    },
    {
      detailType: eventNames.operationStateChange,
      detail: operation as unknown as Record<string, unknown>,
      time,
    },
  ];
}

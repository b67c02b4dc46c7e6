/**
 * The table's item shapes and their mapping to the service's records. Specs are stored as JSON text:
 * they are read whole, never queried, and text keeps the item small and cheap to copy.
 */
import { tableKeys } from '../render/naming.ts';
import type { ClusterStatus, OperationStatus, OperationType } from '../service/cluster-status.ts';
import type {
  ClusterEvent,
  ClusterRecord,
  ClusterSummary,
  OperationError,
  OperationRecord,
  OperationStep,
} from '../service/model.ts';
import type { ClusterSpec } from '../spec/types.ts';

export type ClusterItem = {
  pk: string;
  sk: string;
  gsi1pk: string;
  gsi1sk: string;
  name: string;
  status: ClusterStatus;
  statusReason?: string;
  specJson: string;
  specVersion: number;
  version: number;
  outputs: Record<string, string>;
  currentOperationId?: string;
  currentOperationType?: OperationType;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
};

export type OperationItem = {
  pk: string;
  sk: string;
  id: string;
  clusterName: string;
  type: OperationType;
  status: OperationStatus;
  specVersion: number;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  steps: OperationStep[];
  executionArn?: string;
  error?: OperationError;
  version: number;
};

export type EventItem = ClusterEvent & { pk: string; sk: string };

export type SpecItem = {
  pk: string;
  sk: string;
  specVersion: number;
  specJson: string;
  createdBy: string;
  createdAt: string;
};

export type OperationPointerItem = {
  pk: string;
  sk: string;
  clusterName: string;
};

/** Attributes a listing of clusters reads (everything but the spec). */
export const CLUSTER_SUMMARY_ATTRIBUTES = [
  'name',
  'status',
  'statusReason',
  'specVersion',
  'version',
  'outputs',
  'currentOperationId',
  'currentOperationType',
  'createdBy',
  'createdAt',
  'updatedBy',
  'updatedAt',
] as const;

export function clusterItem(record: ClusterRecord): ClusterItem {
  return {
    pk: tableKeys.clusterPk(record.name),
    sk: tableKeys.metaSk,
    gsi1pk: tableKeys.clustersIndexPk,
    gsi1sk: record.name,
    name: record.name,
    status: record.status,
    ...(record.statusReason ? { statusReason: record.statusReason } : {}),
    specJson: JSON.stringify(record.spec),
    specVersion: record.specVersion,
    version: record.version,
    outputs: record.outputs,
    ...(record.currentOperation
      ? { currentOperationId: record.currentOperation.id, currentOperationType: record.currentOperation.type }
      : {}),
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    updatedBy: record.updatedBy,
    updatedAt: record.updatedAt,
  };
}

export function clusterSummaryFromItem(item: Omit<ClusterItem, 'specJson' | 'pk' | 'sk'>): ClusterSummary {
  return {
    name: item.name,
    status: item.status,
    ...(item.statusReason ? { statusReason: item.statusReason } : {}),
    specVersion: item.specVersion,
    version: item.version,
    outputs: item.outputs ?? {},
    ...(item.currentOperationId && item.currentOperationType
      ? { currentOperation: { id: item.currentOperationId, type: item.currentOperationType } }
      : {}),
    createdBy: item.createdBy,
    createdAt: item.createdAt,
    updatedBy: item.updatedBy,
    updatedAt: item.updatedAt,
  };
}

export function clusterFromItem(item: ClusterItem): ClusterRecord {
  return { ...clusterSummaryFromItem(item), spec: JSON.parse(item.specJson) as ClusterSpec };
}

export function operationItem(record: OperationRecord): OperationItem {
  return {
    pk: tableKeys.clusterPk(record.clusterName),
    sk: tableKeys.operationSk(record.id),
    ...record,
  };
}

export function operationFromItem(item: OperationItem): OperationRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return { ...record, steps: record.steps ?? [] };
}

export function eventItem(event: ClusterEvent): EventItem {
  return { pk: tableKeys.clusterPk(event.clusterName), sk: tableKeys.eventSk(event.id), ...event };
}

export function eventFromItem(item: EventItem): ClusterEvent {
  const { pk: _pk, sk: _sk, ...event } = item;
  return event;
}

export function specItem(
  clusterName: string,
  specVersion: number,
  specJson: string,
  by: string,
  at: string,
): SpecItem {
  return {
    pk: tableKeys.clusterPk(clusterName),
    sk: tableKeys.specSk(specVersion),
    specVersion,
    specJson,
    createdBy: by,
    createdAt: at,
  };
}

export function operationPointerItem(operationId: string, clusterName: string): OperationPointerItem {
  return {
    pk: tableKeys.operationPointerPk(operationId),
    sk: tableKeys.operationPointerSk,
    clusterName,
  };
}

/**
 * What a requested operation writes, decided from the cluster as it is now: pure, so the store can re-run
 * it after losing a race and tests can run it without a table.
 */
import { canRequest, OPERATION_LIFECYCLES } from './cluster-status.ts';
import {
  ClusterNameTakenError,
  ClusterNotFoundError,
  IllegalTransitionError,
  OperationInProgressError,
  PreconditionFailedError,
} from './errors.ts';
import type { ClusterEvent, ClusterRecord, OperationRecord } from './model.ts';
import type { RequestOperationInput } from './ports.ts';

/**
 * Decides what a requested operation writes, or refuses it with the reason a caller can act on.
 * Precondition (If-Match) first, as HTTP evaluates it before the method; then the lock; then the status.
 */
export function planRequest(
  input: RequestOperationInput,
  current: ClusterRecord | undefined,
): { cluster: ClusterRecord; operation: OperationRecord; event: ClusterEvent } {
  const life = OPERATION_LIFECYCLES[input.type];
  const now = input.now.toISOString();
  if (input.type === 'CREATE') {
    if (current && current.status !== 'DELETED') {
      throw new ClusterNameTakenError(current.name, current.status, current.currentOperation);
    }
  } else {
    if (!current) throw new ClusterNotFoundError(input.clusterName);
    if (input.expectedSpecVersions && !input.expectedSpecVersions.includes(current.specVersion)) {
      throw new PreconditionFailedError(current.name, current.specVersion);
    }
    if (current.currentOperation) throw new OperationInProgressError(current.name, current.currentOperation);
  }
  if (!canRequest(input.type, current?.status ?? null)) {
    throw new IllegalTransitionError(input.clusterName, current?.status ?? null, input.type, life.from);
  }
  const spec = input.spec ?? current?.spec;
  if (!spec) throw new Error('requestOperation: a spec is required to create a cluster');
  const changesSpec = input.spec !== undefined;
  const base: ClusterRecord =
    input.type === 'CREATE' || !current
      ? {
          name: input.clusterName,
          status: life.pending,
          spec,
          specVersion: 0,
          version: 0,
          outputs: {},
          createdBy: input.caller,
          createdAt: now,
          updatedBy: input.caller,
          updatedAt: now,
        }
      : current;
  const cluster: ClusterRecord = {
    ...base,
    spec,
    status: life.pending,
    specVersion: (current?.specVersion ?? 0) + (changesSpec ? 1 : 0),
    version: (current?.version ?? 0) + 1,
    currentOperation: { id: input.operationId, type: input.type },
    updatedBy: input.caller,
    updatedAt: now,
  };
  delete cluster.statusReason;
  const operation: OperationRecord = {
    id: input.operationId,
    clusterName: input.clusterName,
    type: input.type,
    status: 'PENDING',
    specVersion: cluster.specVersion,
    requestedBy: input.caller,
    createdAt: now,
    updatedAt: now,
    steps: [],
    version: 1,
  };
  const event: ClusterEvent = {
    id: input.eventId,
    clusterName: input.clusterName,
    type: 'OPERATION_REQUESTED',
    time: now,
    caller: input.caller,
    operationId: input.operationId,
    operationType: input.type,
    ...(current ? { previousStatus: current.status } : {}),
    newStatus: cluster.status,
  };
  return { cluster, operation, event };
}

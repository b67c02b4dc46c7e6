/**
 * The records the service reads and writes through its store: a cluster, its operations and its
 * history. Timestamps are ISO-8601 strings (UTC) so records survive a round trip through JSON unchanged.
 */
import type { ClusterSpec } from '../spec/types.ts';
import type { ClusterStatus, OperationStatus, OperationType } from './cluster-status.ts';

/** The caller as the request context identifies it (an IAM ARN on AWS). */
export type Caller = string;

/** The operation holding a cluster's lock. */
export interface OperationRef {
  id: string;
  type: OperationType;
}

export interface ClusterRecord {
  name: string;
  status: ClusterStatus;
  /** Why the cluster is in a *_FAILED status. */
  statusReason?: string;
  spec: ClusterSpec;
  /** Incremented by every spec change; the API's ETag. */
  specVersion: number;
  /** Incremented by every write to the cluster; the store's optimistic-concurrency token. */
  version: number;
  /** What the workflows report back, e.g. the API endpoint. */
  outputs: Record<string, string>;
  /** The operation holding the lock; absent when none runs. */
  currentOperation?: OperationRef;
  createdBy: Caller;
  createdAt: string;
  updatedBy: Caller;
  updatedAt: string;
}

/** A cluster without its spec, as listings return it. */
export type ClusterSummary = Omit<ClusterRecord, 'spec'>;

export const STEP_STATUSES = ['PENDING', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'SKIPPED'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface OperationStep {
  /** e.g. `render-credentials`, `deploy-stack:network`, `roll-node-pool:general`. */
  name: string;
  status: StepStatus;
  /** Units done out of total (e.g. instances replaced), when the step can tell. */
  progress?: { done: number; total: number };
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface OperationError {
  /** A stable, machine-readable code (e.g. `WorkflowStartFailed`, `StackRollback`). */
  code: string;
  message: string;
}

export interface OperationRecord {
  id: string;
  clusterName: string;
  type: OperationType;
  status: OperationStatus;
  /** The spec version this operation applies (for a delete: the version being deleted). */
  specVersion: number;
  requestedBy: Caller;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  steps: OperationStep[];
  /** The Step Functions execution running it, once started. */
  executionArn?: string;
  error?: OperationError;
  /** Incremented by every write to the operation. */
  version: number;
}

export const CLUSTER_EVENT_TYPES = [
  'OPERATION_REQUESTED',
  'OPERATION_STARTED',
  'OPERATION_SUCCEEDED',
  'OPERATION_FAILED',
  'STEP_PROGRESS',
] as const;
export type ClusterEventType = (typeof CLUSTER_EVENT_TYPES)[number];

/** One entry of a cluster's history. */
export interface ClusterEvent {
  id: string;
  clusterName: string;
  type: ClusterEventType;
  time: string;
  caller: Caller;
  operationId: string;
  operationType: OperationType;
  previousStatus?: ClusterStatus;
  newStatus?: ClusterStatus;
  /** For failures: why; for step progress: the step's message. */
  reason?: string;
  step?: string;
  /** For step progress: the step's status as recorded (e.g. a node pool roll's IN_PROGRESS, SUCCEEDED). */
  stepStatus?: StepStatus;
}

/** One page of a listing; `cursor` is absent on the last page. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

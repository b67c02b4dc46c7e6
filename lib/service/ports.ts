/**
 * What the use cases need from the outside world, as interfaces: the store (lib/store implements it on
 * DynamoDB), the workflow starter (Step Functions on AWS, the local engine locally), a clock and an id
 * generator. The use cases never import an adapter.
 */
import type { ClusterSpec } from '../spec/types.ts';
import type { ClusterStatus, OperationType } from './cluster-status.ts';
import type {
  Caller,
  ClusterEvent,
  ClusterRecord,
  ClusterSummary,
  OperationError,
  OperationRecord,
  OperationStep,
  Page,
} from './model.ts';

export interface Clock {
  now(): Date;
}

/** Sortable unique ids (ULIDs): operations and events sort by creation time. */
export interface IdGenerator {
  next(): string;
}

export interface PageRequest {
  /** 1..100 */
  limit: number;
  /** A cursor from a previous page of the same listing. */
  cursor?: string;
}

export interface RequestOperationInput {
  clusterName: string;
  type: OperationType;
  caller: Caller;
  operationId: string;
  now: Date;
  /** New spec (create, update). */
  spec?: ClusterSpec;
  /**
   * Update/delete: refuse unless the current spec version is one of these (If-Match; empty: nothing
   * matches). Absent: no precondition.
   */
  expectedSpecVersions?: readonly number[];
  /** Ids for the history events this transaction writes. */
  eventId: string;
}

export interface WorkflowReport {
  operationId: string;
  now: Date;
  eventId: string;
}

/** The cluster repository. Every state change is one conditional transaction with its history event. */
export interface ClusterStore {
  getCluster(name: string): Promise<ClusterRecord | undefined>;
  listClusters(page: PageRequest & { status?: ClusterStatus }): Promise<Page<ClusterSummary>>;
  getOperation(id: string): Promise<OperationRecord | undefined>;
  listOperations(clusterName: string, page: PageRequest): Promise<Page<OperationRecord>>;
  /** Newest first. */
  listEvents(clusterName: string, page: PageRequest): Promise<Page<ClusterEvent>>;
  /** The spec as it was at a version (every version is kept, so a workflow can compare or roll back). */
  getSpec(clusterName: string, specVersion: number): Promise<ClusterSpec | undefined>;

  /**
   * Records a new operation and takes the cluster's lock, in one transaction with the cluster change
   * and its history event. Refuses (typed domain errors) a taken name, a held lock, a stale
   * expectedSpecVersion or a status the operation may not start from.
   */
  requestOperation(
    input: RequestOperationInput,
  ): Promise<{ cluster: ClusterRecord; operation: OperationRecord }>;

  /** Records the execution that runs an operation (idempotent). */
  setExecutionArn(operationId: string, executionArn: string): Promise<void>;

  /** Workflow: *_PENDING -> *_IN_PROGRESS. Idempotent when already in progress. */
  startOperation(report: WorkflowReport & { caller?: Caller }): Promise<OperationRecord>;
  /** Workflow: adds or replaces a step (by name) of a running operation. */
  recordStep(
    report: WorkflowReport & { step: OperationStep; historyEvent?: boolean },
  ): Promise<OperationRecord>;
  /** Workflow: *_IN_PROGRESS -> ACTIVE/DELETED; releases the lock; merges outputs into the cluster. */
  succeedOperation(report: WorkflowReport & { outputs?: Record<string, string> }): Promise<OperationRecord>;
  /** Workflow (or a start that failed): *_PENDING|*_IN_PROGRESS -> *_FAILED; releases the lock. */
  failOperation(report: WorkflowReport & { error: OperationError }): Promise<OperationRecord>;
}

export interface WorkflowInput {
  operationId: string;
  clusterName: string;
  type: OperationType;
  specVersion: number;
}

/**
 * Starts the workflow of an operation. Must be idempotent per operation id (Step Functions: execution
 * named by the operation id), so a retried request cannot start two.
 */
export interface WorkflowStarter {
  start(input: WorkflowInput): Promise<{ executionArn?: string }>;
}

export type StoredResponse = {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

export type IdempotencyClaim =
  | { outcome: 'claimed'; token: string }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'mismatch' }
  | { outcome: 'in-progress' };

/** Idempotency records, keyed by (caller, key), with a TTL. */
export interface IdempotencyStore {
  /**
   * Conditionally creates an in-progress record for (scope, key) unless a live one exists; `token`
   * identifies this claim so only its owner can complete or release it.
   */
  claim(input: {
    scope: string;
    key: string;
    requestHash: string;
    now: Date;
    /** How long the in-progress marker blocks duplicates if its owner dies. */
    lockSeconds: number;
  }): Promise<IdempotencyClaim>;
  complete(input: {
    scope: string;
    key: string;
    token: string;
    response: StoredResponse;
    expiresAt: Date;
  }): Promise<void>;
  release(input: { scope: string; key: string; token: string }): Promise<void>;
}

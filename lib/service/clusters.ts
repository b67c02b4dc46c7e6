/**
 * The provisioning use cases: create, update and delete a cluster (each records an operation, takes the
 * cluster's lock and starts the operation's workflow), and the reads. They work on interfaces only (store,
 * workflow starter, clock, ids), so the same code runs on Lambda, in the local server and in tests.
 */
import type { ClusterStatus, OperationType } from './cluster-status.ts';
import {
  ClusterNotFoundError,
  InvalidCursorError,
  OperationNotFoundError,
  WorkflowStartError,
} from './errors.ts';
import type { Caller, ClusterEvent, ClusterRecord, ClusterSummary, OperationRecord, Page } from './model.ts';
import type { Clock, ClusterStore, IdGenerator, PageRequest, WorkflowStarter } from './ports.ts';
import { assertSpecNames, readSpec, type SpecFormat } from './spec-input.ts';

export interface ServiceDeps {
  store: ClusterStore;
  workflows: WorkflowStarter;
  clock: Clock;
  ids: IdGenerator;
}

export interface OperationAccepted {
  cluster: ClusterRecord;
  operation: OperationRecord;
}

/** Longest cluster name a key can hold; anything longer cannot exist, so it is simply not found. */
const MAX_CLUSTER_NAME_LENGTH = 255;
const PLAUSIBLE_NAME = /^[\x21-\x7E]+$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether `name` could name a stored cluster (guards the table's key size and charset). */
export function isPlausibleClusterName(name: string): boolean {
  return name.length <= MAX_CLUSTER_NAME_LENGTH && PLAUSIBLE_NAME.test(name);
}

/** Whether `id` has the shape of an operation id (a ULID). */
export function isPlausibleOperationId(id: string): boolean {
  return ULID.test(id);
}

/** POST /clusters: validates the spec, records the cluster and its CREATE operation, starts the workflow. */
export async function createCluster(
  deps: ServiceDeps,
  input: { specText: string | Uint8Array; format: SpecFormat; caller: Caller },
): Promise<OperationAccepted> {
  const spec = readSpec(input.specText, input.format);
  return request(deps, { type: 'CREATE', clusterName: spec.clusterName, caller: input.caller, spec });
}

/** PUT /clusters/{name}: a new spec for an existing cluster, guarded by the spec version the caller saw. */
export async function updateCluster(
  deps: ServiceDeps,
  input: {
    clusterName: string;
    specText: string | Uint8Array;
    format: SpecFormat;
    caller: Caller;
    /** From If-Match (required for an update); absent only for `If-Match: *`. */
    expectedSpecVersions?: readonly number[];
  },
): Promise<OperationAccepted> {
  const spec = readSpec(input.specText, input.format);
  assertSpecNames(spec, input.clusterName);
  if (!isPlausibleClusterName(input.clusterName)) throw new ClusterNotFoundError(input.clusterName);
  return request(deps, {
    type: 'UPDATE',
    clusterName: input.clusterName,
    caller: input.caller,
    spec,
    ...(input.expectedSpecVersions ? { expectedSpecVersions: input.expectedSpecVersions } : {}),
  });
}

/** DELETE /clusters/{name}, optionally guarded by the spec version the caller saw. */
export async function deleteCluster(
  deps: ServiceDeps,
  input: { clusterName: string; caller: Caller; expectedSpecVersions?: readonly number[] },
): Promise<OperationAccepted> {
  if (!isPlausibleClusterName(input.clusterName)) throw new ClusterNotFoundError(input.clusterName);
  return request(deps, { type: 'DELETE', ...input });
}

export async function getCluster(deps: ServiceDeps, name: string): Promise<ClusterRecord> {
  const cluster = isPlausibleClusterName(name) ? await deps.store.getCluster(name) : undefined;
  if (!cluster) throw new ClusterNotFoundError(name);
  return cluster;
}

export function listClusters(
  deps: ServiceDeps,
  page: PageRequest & { status?: ClusterStatus },
): Promise<Page<ClusterSummary>> {
  return deps.store.listClusters(page);
}

export async function getOperation(deps: ServiceDeps, id: string): Promise<OperationRecord> {
  const operation = isPlausibleOperationId(id) ? await deps.store.getOperation(id) : undefined;
  if (!operation) throw new OperationNotFoundError(id);
  return operation;
}

export function listOperations(
  deps: ServiceDeps,
  clusterName: string,
  page: PageRequest,
): Promise<Page<OperationRecord>> {
  return listOfCluster(deps, clusterName, page, (name, p) => deps.store.listOperations(name, p));
}

/** The cluster's history, newest first. */
export function listEvents(
  deps: ServiceDeps,
  clusterName: string,
  page: PageRequest,
): Promise<Page<ClusterEvent>> {
  return listOfCluster(deps, clusterName, page, (name, p) => deps.store.listEvents(name, p));
}

/**
 * A listing inside one cluster's partition. Every cluster has at least one operation and one event, so
 * only an empty first page costs the extra read that tells "no such cluster" from "nothing yet".
 */
async function listOfCluster<T>(
  deps: ServiceDeps,
  clusterName: string,
  page: PageRequest,
  list: (name: string, page: PageRequest) => Promise<Page<T>>,
): Promise<Page<T>> {
  if (!isPlausibleClusterName(clusterName)) {
    if (page.cursor !== undefined) throw new InvalidCursorError();
    throw new ClusterNotFoundError(clusterName);
  }
  const result = await list(clusterName, page);
  if (result.items.length === 0 && page.cursor === undefined && !(await deps.store.getCluster(clusterName))) {
    throw new ClusterNotFoundError(clusterName);
  }
  return result;
}

/** Records the operation (the store refuses what the state machine or the lock forbids), then starts it. */
async function request(
  deps: ServiceDeps,
  input: {
    type: OperationType;
    clusterName: string;
    caller: Caller;
    spec?: ClusterRecord['spec'];
    expectedSpecVersions?: readonly number[];
  },
): Promise<OperationAccepted> {
  const accepted = await deps.store.requestOperation({
    ...input,
    operationId: deps.ids.next(),
    eventId: deps.ids.next(),
    now: deps.clock.now(),
  });
  const { operation } = accepted;
  let executionArn: string | undefined;
  try {
    executionArn = (
      await deps.workflows.start({
        operationId: operation.id,
        clusterName: operation.clusterName,
        type: operation.type,
        specVersion: operation.specVersion,
      })
    ).executionArn;
  } catch (cause) {
    // Release the lock rather than leave an operation that nothing will ever run. If the start did
    // happen after all (a lost response), the workflow's first step finds the operation FAILED and stops.
    const failed = await deps.store.failOperation({
      operationId: operation.id,
      now: deps.clock.now(),
      eventId: deps.ids.next(),
      error: { code: 'WorkflowStartFailed', message: 'the workflow could not be started' },
    });
    throw new WorkflowStartError(failed.id, { cause });
  }
  if (executionArn) {
    await deps.store.setExecutionArn(operation.id, executionArn);
    return { ...accepted, operation: { ...operation, executionArn, version: operation.version + 1 } };
  }
  return accepted;
}

/**
 * The provisioning use cases: create, update and delete a cluster. Each records an operation, takes the
 * cluster's lock and starts the operation's workflow. They work on interfaces only (store, workflow
 * starter, clock, ids), so the same code runs on Lambda, in the local server and in tests. The reads are
 * in cluster-queries.ts.
 */
import { isPlausibleClusterName } from './cluster-queries.ts';
import type { OperationType } from './cluster-status.ts';
import { ClusterNotFoundError, WorkflowStartError } from './errors.ts';
import type { Caller, ClusterRecord, OperationRecord } from './model.ts';
import type { Clock, ClusterStore, IdGenerator, WorkflowStarter } from './ports.ts';
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

/** POST /clusters: validates the spec, records the cluster and its CREATE operation, starts the workflow. */
export async function createCluster(
  deps: ServiceDeps,
  input: { specText: string | Uint8Array; format: SpecFormat; caller: Caller },
): Promise<OperationAccepted> {
  const spec = readSpec(input.specText, input.format);
  return requestOperation(deps, {
    type: 'CREATE',
    clusterName: spec.clusterName,
    caller: input.caller,
    spec,
  });
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
  return requestOperation(deps, {
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
  return requestOperation(deps, { type: 'DELETE', ...input });
}

/** Records the operation (the store refuses what the state machine or the lock forbids), then starts it. */
export async function requestOperation(
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

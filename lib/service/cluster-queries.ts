/**
 * The read use cases: a cluster, the cluster listing, operations and history. They need only the store,
 * so a function that only reads carries nothing else (no spec parser, no workflow client).
 */
import type { ClusterStatus } from './cluster-status.ts';
import { ClusterNotFoundError, InvalidCursorError, OperationNotFoundError } from './errors.ts';
import type { ClusterEvent, ClusterRecord, ClusterSummary, OperationRecord, Page } from './model.ts';
import type { ClusterStore, PageRequest } from './ports.ts';

export interface ReadDeps {
  store: ClusterStore;
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

export async function getCluster(deps: ReadDeps, name: string): Promise<ClusterRecord> {
  const cluster = isPlausibleClusterName(name) ? await deps.store.getCluster(name) : undefined;
  if (!cluster) throw new ClusterNotFoundError(name);
  return cluster;
}

export function listClusters(
  deps: ReadDeps,
  page: PageRequest & { status?: ClusterStatus },
): Promise<Page<ClusterSummary>> {
  return deps.store.listClusters(page);
}

export async function getOperation(deps: ReadDeps, id: string): Promise<OperationRecord> {
  const operation = isPlausibleOperationId(id) ? await deps.store.getOperation(id) : undefined;
  if (!operation) throw new OperationNotFoundError(id);
  return operation;
}

export function listOperations(
  deps: ReadDeps,
  clusterName: string,
  page: PageRequest,
): Promise<Page<OperationRecord>> {
  return listOfCluster(deps, clusterName, page, (name, p) => deps.store.listOperations(name, p));
}

/** The cluster's history, newest first. */
export function listEvents(
  deps: ReadDeps,
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
  deps: ReadDeps,
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

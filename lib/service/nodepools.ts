/**
 * Node pool operations: add one pool (POST /clusters/{name}/nodepools) or remove one (DELETE
 * /clusters/{name}/nodepools/{pool}). Each is an UPDATE operation whose new spec is the current one with
 * that pool added or removed, run by the update workflow: a pool's stack is its own (lib/render renders
 * no other stack differently for it), so the workflow's plan finds every other stack unchanged and
 * creates or deletes that pool's stack only (test/e2e/update-api.test.ts checks it).
 *
 * The current spec must be the deployed one: allowed from ACTIVE only (after a failed update, apply a
 * corrected spec first, or its pending changes would ride along). If-Match as for PUT; the new spec is
 * pinned to the version it was derived from, so a concurrent change is refused (412), never merged.
 */
import { parseDocument } from 'yaml';
import { MAX_SPEC_BYTES, serializeClusterSpec, validateClusterSpec } from '../spec/index.ts';
import type { ClusterSpec, SpecIssue } from '../spec/types.ts';
import { isPlausibleClusterName } from './cluster-queries.ts';
import { type OperationAccepted, requestOperation, type ServiceDeps } from './clusters.ts';
import {
  ClusterNotFoundError,
  IllegalTransitionError,
  InvalidSpecError,
  MalformedSpecError,
  OperationInProgressError,
  PreconditionFailedError,
  SpecTooLargeError,
} from './errors.ts';
import type { Caller, ClusterRecord } from './model.ts';
import type { SpecFormat } from './spec-input.ts';
import { LastNodePoolError, NodePoolNotFoundError } from './update-errors.ts';

interface Guard {
  clusterName: string;
  caller: Caller;
  /** From If-Match; absent for `If-Match: *`. */
  expectedSpecVersions?: readonly number[];
}

/** The cluster, checked as PUT would check it (If-Match, then the lock, then the status), ACTIVE only. */
async function currentCluster(deps: ServiceDeps, guard: Guard, action: string): Promise<ClusterRecord> {
  if (!isPlausibleClusterName(guard.clusterName)) throw new ClusterNotFoundError(guard.clusterName);
  const cluster = await deps.store.getCluster(guard.clusterName);
  if (!cluster || cluster.status === 'DELETED') throw new ClusterNotFoundError(guard.clusterName);
  if (guard.expectedSpecVersions && !guard.expectedSpecVersions.includes(cluster.specVersion)) {
    throw new PreconditionFailedError(cluster.name, cluster.specVersion);
  }
  if (cluster.currentOperation) throw new OperationInProgressError(cluster.name, cluster.currentOperation);
  if (cluster.status !== 'ACTIVE')
    throw new IllegalTransitionError(cluster.name, cluster.status, action, ['ACTIVE']);
  return cluster;
}

/** The spec as a plain document (every default explicit): lib/spec reads it back to the same spec. */
const documentOf = (spec: ClusterSpec) =>
  JSON.parse(serializeClusterSpec(spec)) as { worker: { nodePools: unknown[] } } & Record<string, unknown>;

/** Reads a node pool document (YAML or JSON): a mapping, or a refusal naming what is wrong. */
export function readNodePool(text: string | Uint8Array, format: SpecFormat): Record<string, unknown> {
  const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  if (bytes > MAX_SPEC_BYTES) throw new SpecTooLargeError(bytes, MAX_SPEC_BYTES);
  const source = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  const malformed = (message: string) =>
    new MalformedSpecError([{ path: '', code: 'syntax_error', message }]);
  let value: unknown;
  if (format === 'json') {
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw malformed(`the node pool is not JSON: ${(error as Error).message}`);
    }
  } else {
    const doc = parseDocument(source, { uniqueKeys: true });
    const [first] = doc.errors;
    if (first) throw malformed(`the node pool is not YAML: ${first.message}`);
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw malformed(`the node pool cannot be read: ${(error as Error).message}`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidSpecError([
      {
        path: '',
        code: 'invalid_type',
        message: 'a node pool is a mapping (name, instanceType, count, ...)',
      },
    ]);
  }
  return value as Record<string, unknown>;
}

/** Issues at `worker.nodePools[i]...` as paths inside the posted pool (`instanceType`, `subnets[0].name`). */
function poolPaths(issues: SpecIssue[], index: number): SpecIssue[] {
  const prefix = `worker.nodePools[${index}]`;
  return issues.map((issue) => {
    if (issue.path === prefix) return { ...issue, path: '' };
    if (issue.path.startsWith(`${prefix}.`)) return { ...issue, path: issue.path.slice(prefix.length + 1) };
    return issue;
  });
}

/** POST /clusters/{name}/nodepools: the cluster's spec plus one pool, rolled out by an UPDATE. */
export async function addNodePool(
  deps: ServiceDeps,
  input: Guard & { poolText: string | Uint8Array; format: SpecFormat },
): Promise<OperationAccepted> {
  const pool = readNodePool(input.poolText, input.format);
  const cluster = await currentCluster(deps, input, 'add a node pool to');
  const document = documentOf(cluster.spec);
  const index = document.worker.nodePools.length;
  document.worker.nodePools.push(pool);
  const result = validateClusterSpec(JSON.stringify(document), { format: 'json' });
  if (!result.valid || !result.spec) {
    throw new InvalidSpecError(poolPaths(result.errors, index), poolPaths(result.warnings, index));
  }
  return requestOperation(deps, {
    type: 'UPDATE',
    clusterName: cluster.name,
    caller: input.caller,
    spec: result.spec,
    expectedSpecVersions: [cluster.specVersion],
  });
}

/** DELETE /clusters/{name}/nodepools/{pool}: the cluster's spec without that pool; the last only when allowed. */
export async function removeNodePool(
  deps: ServiceDeps,
  input: Guard & { nodePool: string; allowEmpty?: boolean },
): Promise<OperationAccepted> {
  const cluster = await currentCluster(deps, input, 'remove a node pool from');
  const names = cluster.spec.worker.nodePools.map((p) => p.name);
  if (!names.includes(input.nodePool)) throw new NodePoolNotFoundError(cluster.name, input.nodePool, names);
  if (names.length === 1 && !input.allowEmpty) throw new LastNodePoolError(cluster.name, input.nodePool);
  const document = documentOf(cluster.spec);
  document.worker.nodePools = document.worker.nodePools.filter(
    (p) => (p as { name?: unknown }).name !== input.nodePool,
  );
  const result = validateClusterSpec(JSON.stringify(document), { format: 'json' });
  if (!result.valid || !result.spec) throw new InvalidSpecError(result.errors, result.warnings);
  return requestOperation(deps, {
    type: 'UPDATE',
    clusterName: cluster.name,
    caller: input.caller,
    spec: result.spec,
    expectedSpecVersions: [cluster.specVersion],
  });
}

/**
 * The cluster and operation state machines. One table of legal transitions, read by the use cases (to
 * refuse early with a clear reason) and by the store (which turns it into condition expressions, so an
 * illegal transition is refused by DynamoDB itself, whoever asks for it).
 *
 * ```
 *                 create                start               finish
 *   (none|DELETED) ───▶ CREATE_PENDING ───▶ CREATE_IN_PROGRESS ───▶ ACTIVE
 *                          │ fail               │ fail
 *                          ▼                    ▼
 *                       CREATE_FAILED ◀─────────┘
 *
 *   ACTIVE|UPDATE_FAILED ─update─▶ UPDATE_PENDING ─start─▶ UPDATE_IN_PROGRESS ─finish─▶ ACTIVE
 *                                      └──fail──▶ UPDATE_FAILED ◀──fail──┘
 *
 *   ACTIVE|CREATE_FAILED|UPDATE_FAILED|DELETE_FAILED ─delete─▶ DELETE_PENDING ─start─▶ DELETE_IN_PROGRESS
 *                                      └──fail──▶ DELETE_FAILED ◀──fail──┘            └─finish─▶ DELETED
 * ```
 * A *_PENDING status fails directly when its workflow cannot be started. DELETED is terminal for the
 * cluster, but its name can be created again (its history stays).
 *
 * Node pool add and remove (POST/DELETE /clusters/{name}/nodepools) are UPDATE operations, not types of
 * their own: their spec is the current one plus or minus a pool, and the update workflow creates or
 * deletes that pool's stack only (every other stack renders unchanged and is skipped). lib/service/
 * nodepools.ts allows them from ACTIVE only, so a failed update's pending changes never ride along.
 */

export const CLUSTER_STATUSES = [
  'CREATE_PENDING',
  'CREATE_IN_PROGRESS',
  'ACTIVE',
  'CREATE_FAILED',
  'UPDATE_PENDING',
  'UPDATE_IN_PROGRESS',
  'UPDATE_FAILED',
  'DELETE_PENDING',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
  'DELETED',
] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

export const OPERATION_TYPES = ['CREATE', 'UPDATE', 'DELETE'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export const OPERATION_STATUSES = ['PENDING', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** The statuses an operation of each type moves the cluster through. */
interface OperationLifecycle {
  /** Statuses the operation may start from (`null`: no cluster of that name yet). */
  from: ReadonlyArray<ClusterStatus | null>;
  pending: ClusterStatus;
  inProgress: ClusterStatus;
  succeeded: ClusterStatus;
  failed: ClusterStatus;
}

export const OPERATION_LIFECYCLES: Readonly<Record<OperationType, OperationLifecycle>> = {
  CREATE: {
    from: [null, 'DELETED'],
    pending: 'CREATE_PENDING',
    inProgress: 'CREATE_IN_PROGRESS',
    succeeded: 'ACTIVE',
    failed: 'CREATE_FAILED',
  },
  UPDATE: {
    // A failed create has no stacks to update (CloudFormation cannot update a rolled-back stack): delete it.
    from: ['ACTIVE', 'UPDATE_FAILED'],
    pending: 'UPDATE_PENDING',
    inProgress: 'UPDATE_IN_PROGRESS',
    succeeded: 'ACTIVE',
    failed: 'UPDATE_FAILED',
  },
  DELETE: {
    from: ['ACTIVE', 'CREATE_FAILED', 'UPDATE_FAILED', 'DELETE_FAILED'],
    pending: 'DELETE_PENDING',
    inProgress: 'DELETE_IN_PROGRESS',
    succeeded: 'DELETED',
    failed: 'DELETE_FAILED',
  },
};

/** The steps of an operation's life, each a cluster transition and an operation transition. */
export type OperationPhase = 'request' | 'start' | 'succeed' | 'fail';

export interface Transition {
  /** Cluster statuses this phase may leave (`null`: no cluster yet). */
  clusterFrom: ReadonlyArray<ClusterStatus | null>;
  clusterTo: ClusterStatus;
  /** Operation statuses this phase may leave (empty: the operation is new). */
  operationFrom: readonly OperationStatus[];
  operationTo: OperationStatus;
}

/** The cluster and operation transitions of one phase of one operation type. */
export function transitionFor(type: OperationType, phase: OperationPhase): Transition {
  const life = OPERATION_LIFECYCLES[type];
  switch (phase) {
    case 'request':
      return { clusterFrom: life.from, clusterTo: life.pending, operationFrom: [], operationTo: 'PENDING' };
    case 'start':
      return {
        clusterFrom: [life.pending],
        clusterTo: life.inProgress,
        operationFrom: ['PENDING'],
        operationTo: 'IN_PROGRESS',
      };
    case 'succeed':
      return {
        clusterFrom: [life.inProgress],
        clusterTo: life.succeeded,
        operationFrom: ['IN_PROGRESS'],
        operationTo: 'SUCCEEDED',
      };
    case 'fail':
      return {
        clusterFrom: [life.pending, life.inProgress],
        clusterTo: life.failed,
        operationFrom: ['PENDING', 'IN_PROGRESS'],
        operationTo: 'FAILED',
      };
  }
}

/** Every legal cluster transition, derived from the lifecycles (for documentation and tests). */
export function legalClusterTransitions(): Array<{ from: ClusterStatus | null; to: ClusterStatus }> {
  const seen = new Set<string>();
  const result: Array<{ from: ClusterStatus | null; to: ClusterStatus }> = [];
  for (const type of OPERATION_TYPES) {
    for (const phase of ['request', 'start', 'succeed', 'fail'] as const) {
      const t = transitionFor(type, phase);
      for (const from of t.clusterFrom) {
        const key = `${from}->${t.clusterTo}`;
        if (!seen.has(key)) {
          seen.add(key);
          result.push({ from, to: t.clusterTo });
        }
      }
    }
  }
  return result;
}

/** Whether the cluster may go from `from` to `to` (`from` null: the cluster does not exist yet). */
export function isLegalClusterTransition(from: ClusterStatus | null, to: ClusterStatus): boolean {
  return legalClusterTransitions().some((t) => t.from === from && t.to === to);
}

/** Whether an operation of this type may be requested on a cluster in `status`. */
export function canRequest(type: OperationType, status: ClusterStatus | null): boolean {
  return OPERATION_LIFECYCLES[type].from.includes(status);
}

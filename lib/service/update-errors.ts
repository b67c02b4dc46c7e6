/** Domain errors of node pool operations, plan and export (functions/shared/problems.ts maps them). */
import { DomainError } from './errors.ts';

/** The cluster's spec has no node pool of that name. */
export class NodePoolNotFoundError extends DomainError {
  readonly code = 'node-pool-not-found';
  constructor(
    readonly clusterName: string,
    readonly nodePool: string,
    readonly nodePools: readonly string[],
  ) {
    super(
      `cluster ${clusterName} has no node pool named ${nodePool}` +
        (nodePools.length > 0 ? ` (its pools: ${nodePools.join(', ')})` : ' (it has no node pools)'),
    );
    this.name = 'NodePoolNotFoundError';
  }
}

/** Removing the pool would leave the cluster without workers, and the caller did not say that is meant. */
export class LastNodePoolError extends DomainError {
  readonly code = 'last-node-pool';
  constructor(
    readonly clusterName: string,
    readonly nodePool: string,
  ) {
    super(
      `${nodePool} is the last node pool of cluster ${clusterName}: removing it leaves no worker nodes; ` +
        'pass allowEmpty=true to remove it anyway',
    );
    this.name = 'LastNodePoolError';
  }
}

/** The cluster has no stored credentials (its create failed before them): nothing was rendered or deployed. */
export class ClusterNotRenderedError extends DomainError {
  readonly code = 'cluster-not-rendered';
  constructor(readonly clusterName: string) {
    super(
      `cluster ${clusterName} has no stored credentials: its stacks were never rendered, there is nothing to export`,
    );
    this.name = 'ClusterNotRenderedError';
  }
}

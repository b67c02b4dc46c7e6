/** Domain errors of the kubeconfig use case (functions/shared/problems.ts maps them to 409 and 422). */
import { DomainError } from './errors.ts';

/** The cluster has no CA kaws can sign with: not rendered yet, deleted, or brought without its key. */
export class ClusterHasNoCaError extends DomainError {
  readonly code = 'cluster-has-no-ca';
  constructor(
    readonly clusterName: string,
    reason: string,
  ) {
    super(`cluster ${clusterName} has no CA to sign a client certificate with: ${reason}`);
    this.name = 'ClusterHasNoCaError';
  }
}

/** A requested kubeconfig lifetime outside the allowed range, or given twice. */
export class InvalidKubeconfigTtlError extends DomainError {
  readonly code = 'invalid-ttl';
  constructor(
    message: string,
    /** Where the TTL came from: `ttlSeconds` (body) or `ttl` (query). */
    readonly path: string,
  ) {
    super(message);
    this.name = 'InvalidKubeconfigTtlError';
  }
}

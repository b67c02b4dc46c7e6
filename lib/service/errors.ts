/**
 * Domain errors: what went wrong, in the service's words. They know nothing of HTTP; functions/shared
 * maps each to a status and a problem document. Every error carries the facts a caller needs to act
 * (the current operation, the current ETag, every spec problem with its path).
 */
import type { SpecIssue } from '../spec/types.ts';
import type { ClusterStatus, OperationType } from './cluster-status.ts';
import type { OperationRef } from './model.ts';

export abstract class DomainError extends Error {
  abstract readonly code: string;
}

export class ClusterNotFoundError extends DomainError {
  readonly code = 'cluster-not-found';
  constructor(readonly clusterName: string) {
    super(`no cluster named ${clusterName}`);
    this.name = 'ClusterNotFoundError';
  }
}

export class OperationNotFoundError extends DomainError {
  readonly code = 'operation-not-found';
  constructor(readonly operationId: string) {
    super(`no operation with id ${operationId}`);
    this.name = 'OperationNotFoundError';
  }
}

/** A create for a name that exists (in any status but DELETED). */
export class ClusterNameTakenError extends DomainError {
  readonly code = 'cluster-name-taken';
  constructor(
    readonly clusterName: string,
    readonly status: ClusterStatus,
    readonly currentOperation?: OperationRef,
  ) {
    super(
      `a cluster named ${clusterName} already exists (status ${status}` +
        (currentOperation
          ? `, operation ${currentOperation.id} (${currentOperation.type}) in progress)`
          : ')'),
    );
    this.name = 'ClusterNameTakenError';
  }
}

/** Another operation holds the cluster's lock. */
export class OperationInProgressError extends DomainError {
  readonly code = 'operation-in-progress';
  constructor(
    readonly clusterName: string,
    readonly currentOperation: OperationRef,
  ) {
    super(
      `cluster ${clusterName} has an operation in progress: ${currentOperation.id} (${currentOperation.type}); ` +
        'wait for it to finish',
    );
    this.name = 'OperationInProgressError';
  }
}

/** The cluster's status does not allow the requested operation (e.g. update of a failed create). */
export class IllegalTransitionError extends DomainError {
  readonly code = 'illegal-transition';
  constructor(
    readonly clusterName: string,
    readonly status: ClusterStatus | null,
    readonly requested: OperationType | string,
    readonly allowedFrom: ReadonlyArray<ClusterStatus | null> = [],
  ) {
    const allowed = allowedFrom.filter((s): s is ClusterStatus => s !== null);
    super(
      `cannot ${requested.toLowerCase()} cluster ${clusterName} in status ${status ?? 'none'}` +
        (allowed.length ? ` (allowed from: ${allowed.join(', ')})` : ''),
    );
    this.name = 'IllegalTransitionError';
  }
}

/** If-Match named a spec version that is not the current one. */
export class PreconditionFailedError extends DomainError {
  readonly code = 'precondition-failed';
  constructor(
    readonly clusterName: string,
    readonly currentSpecVersion: number,
  ) {
    super(`cluster ${clusterName}'s spec has changed: its current version is ${currentSpecVersion}`);
    this.name = 'PreconditionFailedError';
  }
}

/** The spec text could not be parsed at all (syntax). */
export class MalformedSpecError extends DomainError {
  readonly code = 'malformed-spec';
  constructor(readonly errors: SpecIssue[]) {
    super(`the spec could not be parsed: ${errors.map((e) => e.message).join('; ')}`);
    this.name = 'MalformedSpecError';
  }
}

/** The spec parsed but is not valid; every problem with its path. */
export class InvalidSpecError extends DomainError {
  readonly code = 'invalid-spec';
  constructor(
    readonly errors: SpecIssue[],
    readonly warnings: SpecIssue[] = [],
  ) {
    super(`the spec is not valid: ${errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ')}`);
    this.name = 'InvalidSpecError';
  }
}

/** The normalized spec is too large to store with its cluster. */
export class SpecTooLargeError extends DomainError {
  readonly code = 'spec-too-large';
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`the normalized spec takes ${bytes} bytes; at most ${limit} can be stored`);
    this.name = 'SpecTooLargeError';
  }
}

/** A listing's continuation token that this listing did not issue. */
export class InvalidCursorError extends DomainError {
  readonly code = 'invalid-next-token';
  constructor() {
    super('nextToken is not a token this listing returned');
    this.name = 'InvalidCursorError';
  }
}

/** An Idempotency-Key reused with a different request. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'idempotency-key-reused';
  constructor() {
    super(
      'this Idempotency-Key was used for a different request (method, path or body) in the last 24 hours',
    );
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** The first request with this Idempotency-Key is still being processed. */
export class IdempotencyRequestInProgressError extends DomainError {
  readonly code = 'idempotency-request-in-progress';
  constructor() {
    super('a request with this Idempotency-Key is still being processed; retry shortly');
    this.name = 'IdempotencyRequestInProgressError';
  }
}

/** The workflow of an operation could not be started; the operation was marked failed. */
export class WorkflowStartError extends DomainError {
  readonly code = 'workflow-start-failed';
  constructor(
    readonly operationId: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the workflow of operation ${operationId} could not be started; the operation was marked failed`,
      options,
    );
    this.name = 'WorkflowStartError';
  }
}

/**
 * A store write lost a race it could not resolve by retrying (the cluster kept changing underneath).
 * Safe to retry.
 */
export class ConcurrentModificationError extends DomainError {
  readonly code = 'concurrent-modification';
  constructor(readonly clusterName: string) {
    super(`cluster ${clusterName} changed while this request was being applied; retry`);
    this.name = 'ConcurrentModificationError';
  }
}

/** A workflow reported on an operation that no longer holds its cluster's lock or is in another phase. */
export class OperationStateError extends DomainError {
  readonly code = 'operation-state';
  constructor(
    readonly operationId: string,
    message: string,
  ) {
    super(`operation ${operationId}: ${message}`);
    this.name = 'OperationStateError';
  }
}

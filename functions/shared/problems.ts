/**
 * HTTP error mapping: domain errors and request errors become RFC 9457 problem documents. 4xx say
 * exactly what is wrong (with every spec problem and its path); 5xx say nothing internal, only a request
 * id to quote. Built on middy's HttpError (`expose` true only for 4xx).
 */
import { createError, type HttpError } from '@middy/util';
import {
  ClusterNameTakenError,
  ClusterNotFoundError,
  ConcurrentModificationError,
  DomainError,
  IdempotencyKeyReusedError,
  IdempotencyRequestInProgressError,
  IllegalTransitionError,
  InvalidCursorError,
  InvalidSpecError,
  MalformedSpecError,
  OperationInProgressError,
  OperationNotFoundError,
  PreconditionFailedError,
  SpecTooLargeError,
  WorkflowStartError,
} from '../../lib/service/errors.ts';
import { ClusterHasNoCaError, InvalidKubeconfigTtlError } from '../../lib/service/kubeconfig-errors.ts';
import {
  ClusterNotRenderedError,
  LastNodePoolError,
  NodePoolNotFoundError,
} from '../../lib/service/update-errors.ts';
import type { Problem } from './api-schemas.ts';
import { etagOf, operationRef } from './presenters.ts';

/** Problem types: `urn:kaws:problem:<slug>`, each listed in docs/api.md. */
export const problemType = (slug: string) => `urn:kaws:problem:${slug}`;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Extra members of a problem document beyond type/title/status/detail. */
export type ProblemExtensions = Omit<Problem, 'type' | 'title' | 'status' | 'detail'>;

/**
 * An HttpError that renders as a problem document. `expose` (default: 4xx only) says whether the detail
 * and extensions may be shown: a 5xx exposes them only when they were written for the caller.
 */
export function problem(
  status: number,
  slug: string,
  detail: string,
  extensions: ProblemExtensions = {},
  headers: Record<string, string> = {},
  expose = status < 500,
): HttpError {
  // middy's HttpError keeps only `expose` of its properties; the problem's parts ride on the instance.
  return Object.assign(createError(status, detail, { expose }), {
    problemSlug: slug,
    problemExtensions: extensions,
    problemHeaders: headers,
  });
}

/** Maps a domain error to its problem; undefined for anything unexpected (rendered as a bare 500). */
export function problemForDomainError(error: unknown): HttpError | undefined {
  if (!(error instanceof DomainError)) return undefined;
  if (error instanceof ClusterNotFoundError)
    return problem(404, error.code, error.message, { clusterName: error.clusterName });
  if (error instanceof OperationNotFoundError) return problem(404, error.code, error.message);
  if (error instanceof ClusterNameTakenError) {
    return problem(409, error.code, error.message, {
      clusterName: error.clusterName,
      clusterStatus: error.status,
      ...(error.currentOperation ? { currentOperation: operationRef(error.currentOperation) } : {}),
    });
  }
  if (error instanceof OperationInProgressError) {
    return problem(409, error.code, error.message, {
      clusterName: error.clusterName,
      currentOperation: operationRef(error.currentOperation),
    });
  }
  if (error instanceof IllegalTransitionError) {
    return problem(409, error.code, error.message, {
      clusterName: error.clusterName,
      ...(error.status ? { clusterStatus: error.status } : {}),
    });
  }
  if (error instanceof ConcurrentModificationError) {
    return problem(
      409,
      error.code,
      error.message,
      { clusterName: error.clusterName },
      { 'retry-after': '1' },
    );
  }
  if (error instanceof IdempotencyRequestInProgressError) {
    return problem(409, error.code, error.message, {}, { 'retry-after': '1' });
  }
  if (error instanceof PreconditionFailedError) {
    return problem(412, error.code, error.message, {
      clusterName: error.clusterName,
      currentETag: etagOf(error.currentSpecVersion),
    });
  }
  if (error instanceof MalformedSpecError)
    return problem(400, error.code, error.message, { errors: error.errors });
  if (error instanceof InvalidSpecError) {
    return problem(422, error.code, `the spec has ${error.errors.length} problem(s)`, {
      errors: error.errors,
      warnings: error.warnings,
    });
  }
  if (error instanceof SpecTooLargeError) return problem(413, error.code, error.message);
  if (error instanceof InvalidCursorError) return problem(400, error.code, error.message);
  if (error instanceof IdempotencyKeyReusedError) return problem(422, error.code, error.message);
  if (error instanceof ClusterHasNoCaError) {
    return problem(409, error.code, error.message, { clusterName: error.clusterName });
  }
  if (error instanceof InvalidKubeconfigTtlError) {
    return problem(422, error.code, error.message, {
      errors: [{ path: error.path, code: error.code, message: error.message }],
    });
  }
  if (error instanceof NodePoolNotFoundError) {
    return problem(404, error.code, error.message, { clusterName: error.clusterName });
  }
  if (error instanceof LastNodePoolError || error instanceof ClusterNotRenderedError) {
    return problem(409, error.code, error.message, { clusterName: error.clusterName });
  }
  if (error instanceof WorkflowStartError) {
    // Written for the caller (the operation is FAILED now, the lock released); the cause stays in the logs.
    return problem(503, error.code, error.message, {}, { 'retry-after': '5' }, true);
  }
  return undefined;
}

/** The problem document and headers an HttpError renders as. */
export function renderProblem(
  error: HttpError,
  context: { instance: string; requestId: string },
): { statusCode: number; headers: Record<string, string>; body: Problem } {
  const status = error.statusCode;
  const slug =
    typeof error.problemSlug === 'string' ? error.problemSlug : status >= 500 ? 'internal-error' : 'error';
  const exposed = error.expose === true;
  const body: Problem = {
    type: problemType(slug),
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    detail: exposed ? error.message : 'an internal error occurred',
    instance: context.instance,
    requestId: context.requestId,
    ...(exposed ? ((error.problemExtensions as ProblemExtensions | undefined) ?? {}) : {}),
  };
  const headers = { ...((error.problemHeaders as Record<string, string> | undefined) ?? {}) };
  return { statusCode: status, headers, body };
}

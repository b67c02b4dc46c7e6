/**
 * The OpenAPI 3.1 document, generated from the zod schemas the handlers use (api-schemas.ts) and the
 * route table (routes.ts); nothing here is written by hand but descriptions.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import {
  ClusterEventListSchema,
  ClusterListQuerySchema,
  ClusterListSchema,
  ClusterNameParamsSchema,
  ClusterSchema,
  ClusterSpecDocumentSchema,
  KubeconfigQuerySchema,
  KubeconfigRequestSchema,
  KubeconfigSchema,
  OperationAcceptedSchema,
  OperationIdParamsSchema,
  OperationListSchema,
  OperationSchema,
  PageQuerySchema,
  ProblemSchema,
  ValidationResultSchema,
} from './api-schemas.ts';
import { ACCEPTED_MEDIA_TYPES, MAX_BODY_BYTES } from './http.ts';
import { type Route, routes } from './routes.ts';
import {
  ClusterExportSchema,
  ClusterPlanSchema,
  NodePoolDocumentSchema,
  NodePoolParamsSchema,
  RemoveNodePoolQuerySchema,
} from './update-schemas.ts';

const problemResponse = (description: string): ResponseConfig => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

const jsonResponse = (description: string, schema: z.ZodType, headers?: z.ZodObject): ResponseConfig => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});

const specBody = {
  description: `The cluster spec, at most ${MAX_BODY_BYTES / 1024} KiB`,
  required: true,
  content: Object.fromEntries(
    ACCEPTED_MEDIA_TYPES.map((type) => [type, { schema: ClusterSpecDocumentSchema }]),
  ),
};

const idempotencyKey = z.string().min(1).max(255).optional().meta({
  description:
    'Retry-safe key: the same key with the same request within 24 hours returns the original response',
});
const etagHeader = z.object({ ETag: z.string().meta({ description: 'The spec version, e.g. "3"' }) });
const acceptedHeaders = z.object({
  Location: z.string().meta({ description: 'The operation: /operations/{id}' }),
  ETag: z.string().meta({ description: 'The new spec version' }),
});

const bodyProblems = {
  400: problemResponse('Malformed body (not YAML/JSON), or a malformed header'),
  413: problemResponse(`Body larger than ${MAX_BODY_BYTES} bytes`),
  415: problemResponse(`Content-Type other than ${ACCEPTED_MEDIA_TYPES.join(', ')}`),
};
const mutationProblems = {
  409: problemResponse(
    'An operation is in progress (the body names it), or the status forbids this operation',
  ),
  422: problemResponse(
    'Invalid spec (every error with its path), or an Idempotency-Key reused for another request',
  ),
  503: problemResponse('The workflow could not be started (the operation is marked FAILED); retry'),
};

/** Per-route documentation, keyed by the route's module. */
const details: Record<string, Omit<Parameters<OpenAPIRegistry['registerPath']>[0], 'method' | 'path'>> = {
  'create-cluster': {
    summary: 'Create a cluster',
    request: { headers: z.object({ 'Idempotency-Key': idempotencyKey }), body: specBody },
    responses: {
      202: jsonResponse(
        'Accepted: the cluster and its CREATE operation',
        OperationAcceptedSchema,
        acceptedHeaders,
      ),
      ...bodyProblems,
      ...mutationProblems,
    },
  },
  'list-clusters': {
    summary: 'List clusters by name',
    request: { query: ClusterListQuerySchema },
    responses: {
      200: jsonResponse('A page of clusters', ClusterListSchema),
      400: problemResponse('Bad query'),
    },
  },
  'get-cluster': {
    summary: 'Get a cluster: spec, status, outputs',
    request: { params: ClusterNameParamsSchema },
    responses: {
      200: jsonResponse('The cluster', ClusterSchema, etagHeader),
      404: problemResponse('No such cluster'),
    },
  },
  'update-cluster': {
    summary: 'Update a cluster to a new spec',
    request: {
      params: ClusterNameParamsSchema,
      headers: z.object({
        'If-Match': z.string().meta({ description: 'The ETag you read; "*" to skip the check' }),
        'Idempotency-Key': idempotencyKey,
      }),
      body: specBody,
    },
    responses: {
      202: jsonResponse('Accepted: the UPDATE operation', OperationAcceptedSchema, acceptedHeaders),
      ...bodyProblems,
      404: problemResponse('No such cluster'),
      ...mutationProblems,
      412: problemResponse('If-Match does not match the current spec version (the body gives it)'),
      428: problemResponse('If-Match missing'),
    },
  },
  'delete-cluster': {
    summary: 'Delete a cluster and everything it created',
    request: {
      params: ClusterNameParamsSchema,
      headers: z.object({ 'If-Match': z.string().optional(), 'Idempotency-Key': idempotencyKey }),
    },
    responses: {
      202: jsonResponse('Accepted: the DELETE operation', OperationAcceptedSchema, acceptedHeaders),
      400: problemResponse('Malformed header'),
      404: problemResponse('No such cluster'),
      409: mutationProblems[409],
      412: problemResponse('If-Match does not match the current spec version'),
      422: problemResponse('Idempotency-Key reused for another request'),
      503: mutationProblems[503],
    },
  },
  'list-operations': {
    summary: "A cluster's operations, newest first",
    request: { params: ClusterNameParamsSchema, query: PageQuerySchema },
    responses: {
      200: jsonResponse('A page of operations', OperationListSchema),
      400: problemResponse('Bad query'),
      404: problemResponse('No such cluster'),
    },
  },
  'list-events': {
    summary: "A cluster's history, newest first",
    request: { params: ClusterNameParamsSchema, query: PageQuerySchema },
    responses: {
      200: jsonResponse('A page of events', ClusterEventListSchema),
      400: problemResponse('Bad query'),
      404: problemResponse('No such cluster'),
    },
  },
  'create-kubeconfig': {
    summary: 'Issue a kubeconfig: a short-lived client certificate for the caller, signed by the cluster CA',
    description:
      "The certificate's CN is the caller's identity and its O `system:masters`; it lasts `ttlSeconds` (body) " +
      'or `ttl` (query), 1 hour by default, at most 24 hours, and never beyond the CA. Not cached (`no-store`).',
    request: {
      params: ClusterNameParamsSchema,
      query: KubeconfigQuerySchema,
      body: {
        description: 'Optional',
        required: false,
        content: { 'application/json': { schema: KubeconfigRequestSchema } },
      },
    },
    responses: {
      200: jsonResponse('The kubeconfig and what it grants', KubeconfigSchema),
      400: problemResponse('Malformed body, or an unknown body member or query parameter'),
      404: problemResponse('No such cluster'),
      409: problemResponse(
        'The cluster has no CA kaws can sign with (not rendered yet, deleted, or brought without its key)',
      ),
      413: problemResponse(`Body larger than ${MAX_BODY_BYTES} bytes`),
      415: problemResponse('A body that is not application/json'),
      422: problemResponse('A lifetime outside 60 s..24 h, not a duration, or given twice'),
    },
  },
  'plan-cluster': {
    summary: 'Plan an update: what applying a candidate spec would change, without changing anything',
    description:
      'Validation errors, the certificates that would be reissued, each stack with what an update would do ' +
      '(create, update or leave unchanged, and which resources change), the order the node pools would roll ' +
      'in, and the node pool stacks that would be deleted. Stack changes come from a template diff against ' +
      'what each stack runs (`backend`), the same the update workflow acts on. An invalid spec is a 200 ' +
      'with `valid: false`.',
    request: { params: ClusterNameParamsSchema, body: specBody },
    responses: {
      200: jsonResponse('The plan', ClusterPlanSchema),
      ...bodyProblems,
      404: problemResponse('No such cluster'),
    },
  },
  'get-templates': {
    summary: "The cluster's stack templates and node configs (kube-aws `up --export`), without private keys",
    request: { params: ClusterNameParamsSchema },
    responses: {
      200: jsonResponse(
        "The templates the stacks run and the current spec's node configs",
        ClusterExportSchema,
      ),
      404: problemResponse('No such cluster'),
      409: problemResponse('The cluster was never rendered (its create failed before its credentials)'),
    },
  },
  'add-nodepool': {
    summary: "Add a node pool: an UPDATE operation that creates that pool's stack only",
    description:
      'The cluster spec gains the pool (its ETag changes as for PUT); only an ACTIVE cluster, whose spec is ' +
      "the deployed one. The update workflow finds every other stack unchanged and creates the pool's stack.",
    request: {
      params: ClusterNameParamsSchema,
      headers: z.object({
        'If-Match': z.string().meta({ description: 'The ETag you read; "*" to skip the check' }),
        'Idempotency-Key': idempotencyKey,
      }),
      body: {
        description: `One node pool, at most ${MAX_BODY_BYTES / 1024} KiB`,
        required: true,
        content: Object.fromEntries(
          ACCEPTED_MEDIA_TYPES.map((type) => [type, { schema: NodePoolDocumentSchema }]),
        ),
      },
    },
    responses: {
      202: jsonResponse('Accepted: the UPDATE operation', OperationAcceptedSchema, acceptedHeaders),
      ...bodyProblems,
      404: problemResponse('No such cluster'),
      ...mutationProblems,
      412: problemResponse('If-Match does not match the current spec version (the body gives it)'),
      428: problemResponse('If-Match missing'),
    },
  },
  'remove-nodepool': {
    summary: "Remove a node pool: an UPDATE operation that deletes that pool's stack only",
    description: 'The last node pool only with `allowEmpty=true`. Only an ACTIVE cluster.',
    request: {
      params: NodePoolParamsSchema,
      query: RemoveNodePoolQuerySchema,
      headers: z.object({
        'If-Match': z.string().meta({ description: 'The ETag you read; "*" to skip the check' }),
        'Idempotency-Key': idempotencyKey,
      }),
    },
    responses: {
      202: jsonResponse('Accepted: the UPDATE operation', OperationAcceptedSchema, acceptedHeaders),
      400: problemResponse('Malformed header or query'),
      404: problemResponse('No such cluster, or no such node pool'),
      409: problemResponse(
        'An operation is in progress, the cluster is not ACTIVE, or the pool is the last one (without allowEmpty)',
      ),
      412: problemResponse('If-Match does not match the current spec version'),
      422: problemResponse('Idempotency-Key reused for another request'),
      428: problemResponse('If-Match missing'),
      503: mutationProblems[503],
    },
  },
  'get-operation': {
    summary: 'Get an operation: type, status, steps with progress, timestamps, error',
    request: { params: OperationIdParamsSchema },
    responses: {
      200: jsonResponse('The operation', OperationSchema),
      404: problemResponse('No such operation'),
    },
  },
  'validate-spec': {
    summary: 'Validate a spec (as `kaws validate`), without creating anything',
    request: { body: specBody },
    responses: {
      200: jsonResponse('The validation result and, when valid, the normalized spec', ValidationResultSchema),
      400: problemResponse('Empty body'),
      413: bodyProblems[413],
      415: bodyProblems[415],
    },
  },
  'get-openapi': {
    summary: 'This document',
    responses: {
      200: { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: {} } } },
    },
  },
};

/** The OpenAPI document of the route table. */
export function openApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const sigv4 = registry.registerComponent('securitySchemes', 'sigv4', {
    type: 'apiKey',
    name: 'Authorization',
    in: 'header',
    description: 'AWS Signature Version 4 (API Gateway IAM authorization)',
  });
  for (const route of routes) {
    const doc = details[route.module];
    if (!doc) throw new Error(`openapi: route ${route.method} ${route.path} has no documentation`);
    registry.registerPath({
      method: route.method.toLowerCase() as Lowercase<Route['method']>,
      path: route.path,
      operationId: route.functionName,
      security: [{ [sigv4.name]: [] }],
      ...doc,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'kaws',
      version: '1',
      description:
        'kube-aws as a service: create, update and delete Kubernetes clusters on AWS from a cluster.yaml. ' +
        'Errors are RFC 9457 problem documents. Mutations accept Idempotency-Key.',
    },
  });
}

/**
 * The API's wire format as zod schemas: what handlers parse (path, query) and what they return. The
 * OpenAPI document (openapi.ts) is generated from these same schemas; `.meta({ id })` names a component.
 * Response objects are strict so the tests that parse real responses catch any undocumented field.
 */
import * as z from 'zod';
import { CLUSTER_STATUSES, OPERATION_STATUSES, OPERATION_TYPES } from '../../lib/service/cluster-status.ts';
import { CLUSTER_EVENT_TYPES, STEP_STATUSES } from '../../lib/service/model.ts';

export const ClusterStatusSchema = z.enum(CLUSTER_STATUSES).meta({
  id: 'ClusterStatus',
  description: 'Where the cluster is in its lifecycle (see docs/api.md, "Status state machine").',
});
export const OperationTypeSchema = z.enum(OPERATION_TYPES).meta({ id: 'OperationType' });
export const OperationStatusSchema = z.enum(OPERATION_STATUSES).meta({ id: 'OperationStatus' });

const timestamp = z.iso.datetime().meta({ description: 'ISO-8601 UTC timestamp' });
const caller = z.string().meta({ description: 'The caller, as the IAM authorizer identified it (user ARN)' });

export const SpecIssueSchema = z
  .strictObject({
    path: z.string().meta({ description: 'Where, as the spec wrote it (e.g. `worker.nodePools[1].name`)' }),
    code: z.string().meta({ description: 'Stable machine-readable code (e.g. `unknown_key`)' }),
    message: z.string(),
  })
  .meta({ id: 'SpecIssue' });

export const ClusterSpecDocumentSchema = z.record(z.string(), z.unknown()).meta({
  id: 'ClusterSpecDocument',
  description:
    "A kube-aws cluster.yaml (nested form or kube-aws 0.9's flat keys), sent as YAML or JSON. " +
    'Validated by the same rules as `kaws validate`; see the README, "The cluster spec".',
});

export const ClusterSpecSchema = z.record(z.string(), z.unknown()).meta({
  id: 'ClusterSpec',
  description:
    'The normalized spec: the nested form with legacy keys folded in and every default applied ' +
    '(the `ClusterSpec` type of lib/spec/types.ts).',
});

export const OperationRefSchema = z
  .strictObject({
    id: z.string(),
    type: OperationTypeSchema,
    href: z.string().meta({ description: 'Path of the operation: /operations/{id}' }),
  })
  .meta({ id: 'OperationRef' });

const clusterFields = {
  name: z.string(),
  status: ClusterStatusSchema,
  statusReason: z.string().optional().meta({ description: 'Why the cluster is in a *_FAILED status' }),
  specVersion: z
    .int()
    .min(1)
    .meta({ description: 'Incremented by every spec change; the ETag is `"<specVersion>"`' }),
  outputs: z
    .record(z.string(), z.string())
    .meta({ description: 'What the workflows report, e.g. `apiEndpoint` once the cluster is ACTIVE' }),
  currentOperation: OperationRefSchema.optional().meta({
    description: 'The operation holding the cluster lock; absent when none runs',
  }),
  createdBy: caller,
  createdAt: timestamp,
  updatedBy: caller,
  updatedAt: timestamp,
};

export const ClusterSchema = z
  .strictObject({ ...clusterFields, spec: ClusterSpecSchema })
  .meta({ id: 'Cluster' });
export const ClusterSummarySchema = z.strictObject(clusterFields).meta({ id: 'ClusterSummary' });

export const OperationStepSchema = z
  .strictObject({
    name: z.string(),
    status: z.enum(STEP_STATUSES),
    progress: z.strictObject({ done: z.int().min(0), total: z.int().min(0) }).optional(),
    message: z.string().optional(),
    startedAt: timestamp.optional(),
    finishedAt: timestamp.optional(),
  })
  .meta({ id: 'OperationStep' });

export const OperationSchema = z
  .strictObject({
    id: z.string().meta({ description: 'A ULID; also the Step Functions execution name' }),
    clusterName: z.string(),
    type: OperationTypeSchema,
    status: OperationStatusSchema,
    specVersion: z.int().min(1),
    requestedBy: caller,
    createdAt: timestamp,
    updatedAt: timestamp,
    startedAt: timestamp.optional(),
    finishedAt: timestamp.optional(),
    steps: z.array(OperationStepSchema),
    executionArn: z.string().optional(),
    error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: 'Operation' });

export const ClusterEventSchema = z
  .strictObject({
    id: z.string(),
    clusterName: z.string(),
    type: z.enum(CLUSTER_EVENT_TYPES),
    time: timestamp,
    caller,
    operationId: z.string(),
    operationType: OperationTypeSchema,
    previousStatus: ClusterStatusSchema.optional(),
    newStatus: ClusterStatusSchema.optional(),
    reason: z.string().optional(),
    step: z.string().optional(),
    stepStatus: z.enum(STEP_STATUSES).optional(),
  })
  .meta({ id: 'ClusterEvent' });

export const OperationAcceptedSchema = z
  .strictObject({ cluster: ClusterSchema, operation: OperationSchema })
  .meta({ id: 'OperationAccepted' });

const listOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .strictObject({
      items: z.array(item),
      nextToken: z
        .string()
        .optional()
        .meta({ description: 'Pass as `nextToken` for the next page; absent on the last' }),
    })
    .meta({ id });

export const ClusterListSchema = listOf(ClusterSummarySchema, 'ClusterList');
export const OperationListSchema = listOf(OperationSchema, 'OperationList');
export const ClusterEventListSchema = listOf(ClusterEventSchema, 'ClusterEventList');

export const ValidationResultSchema = z
  .strictObject({
    valid: z.boolean(),
    errors: z.array(SpecIssueSchema),
    warnings: z.array(SpecIssueSchema),
    spec: ClusterSpecSchema.optional().meta({ description: 'The normalized spec, when valid' }),
  })
  .meta({ id: 'ValidationResult' });

export const ProblemSchema = z
  .strictObject({
    type: z
      .string()
      .meta({ description: 'Problem type URI (`urn:kaws:problem:<slug>`, listed in docs/api.md)' }),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    instance: z.string().optional().meta({ description: 'The request path' }),
    requestId: z.string().optional().meta({ description: 'Quote it when reporting a 5xx' }),
    errors: z
      .array(SpecIssueSchema)
      .optional()
      .meta({ description: 'Every problem, with its path (422, 400)' }),
    warnings: z.array(SpecIssueSchema).optional(),
    clusterName: z.string().optional(),
    clusterStatus: ClusterStatusSchema.optional(),
    currentOperation: OperationRefSchema.optional().meta({
      description: 'The operation holding the lock (409)',
    }),
    currentETag: z.string().optional().meta({ description: 'The current ETag (412)' }),
    allow: z.array(z.string()).optional().meta({ description: 'Methods the path supports (405)' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const KubeconfigSchema = z
  .strictObject({
    clusterName: z.string(),
    user: z.string().meta({ description: "The client certificate's CN: the caller's identity" }),
    groups: z.array(z.string()).meta({ description: 'Its O: `system:masters`' }),
    server: z.string().meta({ description: 'The API server URL the kubeconfig points at' }),
    expiresAt: timestamp.meta({ description: 'When the client certificate expires' }),
    kubeconfig: z.string().meta({
      description: 'The kubeconfig (YAML): CA, client certificate and key inlined. Treat it as a secret.',
    }),
  })
  .meta({ id: 'Kubeconfig' });

export const KubeconfigRequestSchema = z
  .strictObject({
    ttlSeconds: z
      .int()
      .min(60)
      .max(86_400)
      .optional()
      .meta({ description: "The client certificate's lifetime: 60 s to 24 h (default 3600)" }),
  })
  .meta({ id: 'KubeconfigRequest' });

// ---- request parts ----

export const ClusterNameParamsSchema = z.strictObject({ name: z.string().min(1) });
export const OperationIdParamsSchema = z.strictObject({ id: z.string().min(1) });

const limit = z.coerce
  .number<string>()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .meta({ description: 'Page size, 1..100 (default 20)' });
const nextToken = z.string().min(1).optional().meta({ description: 'From the previous page' });

export const KubeconfigQuerySchema = z.strictObject({
  ttl: z
    .string()
    .optional()
    .meta({ description: 'The lifetime as seconds or a duration (`90m`, `2h`), instead of `ttlSeconds`' }),
});

export const PageQuerySchema = z.strictObject({ limit, nextToken });
export const ClusterListQuerySchema = z.strictObject({
  limit,
  nextToken,
  status: ClusterStatusSchema.optional().meta({ description: 'Only clusters in this status' }),
});

export type ClusterView = z.infer<typeof ClusterSchema>;
export type ClusterSummaryView = z.infer<typeof ClusterSummarySchema>;
export type OperationView = z.infer<typeof OperationSchema>;
export type ClusterEventView = z.infer<typeof ClusterEventSchema>;
export type KubeconfigView = z.infer<typeof KubeconfigSchema>;
export type Problem = z.infer<typeof ProblemSchema>;

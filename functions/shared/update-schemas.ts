/**
 * Wire format of the update extras (plan, templates, node pools), as zod schemas the OpenAPI document is
 * generated from (openapi.ts), like api-schemas.ts. Response objects are strict.
 */
import * as z from 'zod';
import { SpecIssueSchema } from './api-schemas.ts';

const stackKind = z.enum(['network', 'etcd', 'control-plane', 'nodepool']);

export const StackDiffSchema = z
  .strictObject({
    name: z.string().meta({ description: 'The CloudFormation stack' }),
    kind: stackKind,
    nodePool: z.string().optional(),
    action: z
      .enum(['create', 'update', 'unchanged'])
      .meta({ description: 'What an update would do to the stack (`unchanged`: skipped, not updated)' }),
    reasons: z
      .array(z.string())
      .meta({ description: '`template changed`, `tags changed`, `stack does not exist`' }),
    resources: z
      .strictObject({
        added: z.array(z.string()),
        removed: z.array(z.string()),
        modified: z.array(z.string()),
      })
      .meta({ description: 'Logical IDs of the resources the new template adds, removes or modifies' }),
  })
  .meta({ id: 'StackDiff' });

export const ClusterPlanSchema = z
  .strictObject({
    clusterName: z.string(),
    currentSpecVersion: z.int().min(1).meta({ description: 'The spec version compared with (the ETag)' }),
    valid: z.boolean(),
    errors: z.array(SpecIssueSchema),
    warnings: z.array(SpecIssueSchema),
    backend: z.enum(['template-diff']).meta({
      description:
        'How stack changes were found: each rendered template compared with the one the stack runs (GetTemplate)',
    }),
    stacks: z
      .array(StackDiffSchema)
      .meta({ description: 'Every stack of the candidate spec, in update order' }),
    nodePoolRoll: z.array(z.string()).meta({
      description: 'The node pools an update would roll, in order: one at a time, each behind a health gate',
    }),
    removedNodePools: z
      .array(z.string())
      .meta({ description: 'Node pools whose stacks the update would delete (no longer in the spec)' }),
    certificates: z
      .array(z.strictObject({ asset: z.string(), reason: z.string() }))
      .meta({ description: 'Certificates and keys the update would create or replace, with why' }),
  })
  .meta({ id: 'ClusterPlan' });

export const ClusterExportSchema = z
  .strictObject({
    clusterName: z.string(),
    specVersion: z.int().min(1),
    stacks: z.array(
      z.strictObject({
        name: z.string(),
        kind: stackKind,
        nodePool: z.string().optional(),
        status: z.string().optional().meta({ description: "CloudFormation's status; absent: no such stack" }),
        template: z.string().optional().meta({ description: 'The template the stack runs (JSON text)' }),
        fingerprint: z.string().optional().meta({ description: 'SHA-256 of the template' }),
        inSync: z.boolean().meta({ description: 'Whether the stack runs what the current spec renders' }),
      }),
    ),
    nodeConfigs: z.array(
      z.strictObject({
        name: z.string().meta({ description: '`etcd`, `controller`, `worker-<pool>`' }),
        role: z.string(),
        s3Key: z.string().meta({ description: 'Where nodes fetch the full config' }),
        userdata: z
          .string()
          .meta({ description: 'The instance userdata: an Ignition config that fetches the full one' }),
        config: z.string().meta({
          description: 'The full Ignition config (JSON text); keys are fetched at boot, never in it',
        }),
      }),
    ),
  })
  .meta({ id: 'ClusterExport' });

export const NodePoolParamsSchema = z.strictObject({ name: z.string().min(1), pool: z.string().min(1) });

export const RemoveNodePoolQuerySchema = z.strictObject({
  allowEmpty: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: '`true` to remove the last node pool (the cluster is left without worker nodes)' }),
});

export const NodePoolDocumentSchema = z.record(z.string(), z.unknown()).meta({
  id: 'NodePoolDocument',
  description:
    'One node pool as in cluster.yaml worker.nodePools[] (name, instanceType, count, autoScalingGroup, ...), ' +
    'sent as YAML or JSON. Its problems are reported at paths inside the pool (e.g. `instanceType`).',
});

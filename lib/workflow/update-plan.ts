/**
 * plan-update: the first thing an update does after its credentials. It renders the new spec (stored
 * certificates and ciphertexts are reused, so an unchanged stack renders byte-identical), uploads what
 * nodes and CloudFormation fetch, keeps a copy of every stack's running template in S3 (by fingerprint:
 * what a rollback re-applies), decides which stacks change (lib/service/plan-stacks.ts), and takes the
 * baseline the health gates compare with. The plan it returns is what the workflow loops over: only the
 * stacks that change, network -> etcd -> control plane -> node pools in spec order; a stack that does
 * not change is recorded SKIPPED here and never touched.
 */
import { putObjectOnce } from '../aws/assets.ts';
import { listClusterStacks } from '../aws/cloudformation.ts';
import { readDeployedStack } from '../aws/cloudformation-update.ts';
import type { RenderedStack } from '../render/index.ts';
import { s3Keys, stackNames, stepNames } from '../render/naming.ts';
import { diffStack, sameParameterDeclaration } from '../service/plan-stacks.ts';
import type { ClusterSpec } from '../spec/types.ts';
import { artifactsOf, specOf } from './credentials.ts';
import type { WorkflowDeps } from './deps.ts';
import { StepError } from './errors.ts';
import { type OperationInput, recordStep } from './operation.ts';
import { type Baseline, lookAtCluster } from './roll-gate.ts';
import { renderOf, type StackRef } from './stacks.ts';

/** One stack the update changes, as the workflow carries it. */
export interface StackChange {
  stack: StackRef;
  action: 'create' | 'update';
  /** SHA-256 of the template the update applies. */
  fingerprint: string;
  /** The parameter values the update passes (an image the stack runs is kept). */
  parameters: Record<string, string>;
  /** What the stack ran before: what a rollback puts back (absent for a stack the update creates). */
  previous?: { fingerprint: string; parameters: Record<string, string>; tags: Record<string, string> };
  /** Node pools: the place in the roll (1-based) and how many pools roll. */
  position?: { index: number; total: number };
}

export interface UpdatePlan {
  /** The stacks that change, in the order they are updated. */
  stacks: StackChange[];
  count: number;
  /** Stacks left as they are. */
  unchanged: string[];
  /** Node pool stacks of the cluster the new spec no longer names: deleted once the roll succeeded. */
  removedPools: StackRef[];
  baseline: Baseline;
}

export const refOf = (stack: Pick<RenderedStack, 'name' | 'kind' | 'nodePool'>): StackRef => ({
  name: stack.name,
  kind: stack.kind,
  ...(stack.nodePool !== undefined ? { nodePool: stack.nodePool } : {}),
});

/** Parameter values for `stack`: what the stack runs when still declared the same way, else resolved. */
async function parametersFor(
  deps: WorkflowDeps,
  spec: ClusterSpec,
  stack: RenderedStack,
  deployed: { template?: string; parameters: Record<string, string> },
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(stack.parameters)) {
    if (parameter.default !== undefined) continue;
    const running = deployed.parameters[name];
    if (
      running !== undefined &&
      deployed.template !== undefined &&
      sameParameterDeclaration(deployed.template, stack.template, name)
    ) {
      values[name] = running;
      continue;
    }
    if (!parameter.architecture)
      throw new StepError('RenderFailed', `stack ${stack.name}: parameter ${name} has no value`);
    values[name] = await deps.images.imageFor(spec, parameter.architecture);
  }
  return values;
}

export async function planUpdate(deps: WorkflowDeps, input: OperationInput): Promise<UpdatePlan> {
  const spec = await specOf(deps, input);
  const cluster = spec.clusterName;
  const rendered = await renderOf(deps, spec);
  const { bucket } = artifactsOf(deps, spec);
  for (const upload of rendered.uploads) await putObjectOnce(deps.s3, { bucket, ...upload });

  const changes: StackChange[] = [];
  const unchanged: string[] = [];
  for (const stack of rendered.stacks) {
    const deployed = await readDeployedStack(deps.cloudformation, stack.name);
    if (deployed.template !== undefined && deployed.fingerprint !== undefined) {
      // Kept in kaws's bucket whatever the spec's s3URI: the rollback's copy, never fetched by nodes.
      await putObjectOnce(deps.s3, {
        bucket: deps.settings.bucket,
        key: s3Keys.stackTemplate(cluster, stack.name, deployed.fingerprint),
        body: deployed.template,
        contentType: 'application/json',
      });
    }
    const diff = diffStack(stack, deployed);
    if (diff.action === 'unchanged') {
      unchanged.push(stack.name);
      continue;
    }
    changes.push({
      stack: refOf(stack),
      action: diff.action,
      fingerprint: stack.fingerprint,
      parameters: await parametersFor(deps, spec, stack, deployed),
      ...(deployed.fingerprint !== undefined
        ? {
            previous: {
              fingerprint: deployed.fingerprint,
              parameters: deployed.parameters,
              tags: deployed.tags,
            },
          }
        : {}),
    });
  }
  const pools = changes.filter((c) => c.stack.kind === 'nodepool');
  pools.forEach((change, i) => {
    change.position = { index: i + 1, total: pools.length };
  });

  const named = new Set(rendered.stacks.map((s) => s.name));
  const poolPrefix = stackNames.nodePool(cluster, '');
  const removedPools: StackRef[] = (await listClusterStacks(deps.cloudformation, cluster, poolPrefix))
    .filter((name) => !named.has(name))
    .map((name) => ({ name, kind: 'nodepool', nodePool: name.slice(poolPrefix.length) }));

  const baseline = await lookAtCluster(deps, spec);
  for (const name of unchanged) {
    await recordStep(deps, input.operationId, {
      name: stepNames.updateStack(name),
      status: 'SKIPPED',
      message: 'template and tags unchanged: not updated',
    });
  }
  const what = (c: StackChange) =>
    `${c.stack.nodePool !== undefined ? `node pool ${c.stack.nodePool}` : c.stack.kind} (${c.action})`;
  await recordStep(deps, input.operationId, {
    name: stepNames.planUpdate,
    status: 'SUCCEEDED',
    message:
      `${changes.length} of ${rendered.stacks.length} stacks change` +
      (changes.length > 0 ? `: ${changes.map(what).join(', ')}` : '') +
      (removedPools.length > 0
        ? `; node pools removed: ${removedPools.map((p) => p.nodePool).join(', ')}`
        : '') +
      `; before the update: ${baseline.detail}`,
  });
  return { stacks: changes, count: changes.length, unchanged, removedPools, baseline };
}

/**
 * The stack steps: render-stacks (templates and node configs to S3, the plan of stacks), deploy-stack
 * and delete-stack (start one stack's create or delete), check-stack (one poll of a stack's status, with
 * the next wait and the deadline), plan-delete (which stacks a delete removes). Waiting itself is the
 * workflow's: a Wait state between polls, doubling from pollInitialSeconds up to pollMaxSeconds, so a
 * slow stack costs a few more polls, not a running Lambda.
 */

import { putObjectOnce } from '../aws/assets.ts';
import {
  clientRequestToken,
  createStack,
  deleteStack,
  describeStack,
  listClusterStacks,
  StackNameTakenError,
  type StackState,
} from '../aws/cloudformation.ts';
import { RenderError, type RenderedCluster, type RenderedStack, renderCluster } from '../render/index.ts';
import { type StackKind, stackNames, stepNames } from '../render/naming.ts';
import type { ClusterSpec } from '../spec/types.ts';
import { artifactsOf, specOf, storedFingerprints } from './credentials.ts';
import { nodeAssetsKeyArn, type WorkflowDeps } from './deps.ts';
import { isTransientAwsError, StepError } from './errors.ts';
import { type OperationInput, recordStep } from './operation.ts';

export interface StackRef {
  name: string;
  kind: StackKind;
  nodePool?: string;
}

/** The stacks of a cluster, by dependency: network <- etcd <- control plane <- node pools. */
export interface StackPlan {
  network: StackRef;
  etcd: StackRef;
  controlPlane: StackRef;
  nodePools: StackRef[];
}

/** One stack being waited for, as the workflow carries it between polls. */
export interface StackPoll {
  stack: StackRef;
  done: boolean;
  /** CloudFormation's last status. */
  status?: string;
  /** How long the Wait state waits before the next poll. */
  delaySeconds: number;
  /** ISO time after which the stack has taken too long. */
  deadline: string;
}

export type StackMode = 'create' | 'delete';

const refOf = (stack: Pick<RenderedStack, 'name' | 'kind' | 'nodePool'>): StackRef => ({
  name: stack.name,
  kind: stack.kind,
  ...(stack.nodePool !== undefined ? { nodePool: stack.nodePool } : {}),
});

const issuesText = (error: RenderError) =>
  error.issues.map((issue) => `${issue.path || '(spec)'}: ${issue.message}`).join('; ');

/**
 * Renders a cluster with its stored credentials, exactly as render-stacks did (pure: same input, same
 * bytes); create, delete and update all compare against this.
 */
export async function renderOf(deps: WorkflowDeps, spec: ClusterSpec): Promise<RenderedCluster> {
  try {
    return renderCluster({
      spec,
      assets: await storedFingerprints(deps, spec.clusterName),
      artifacts: artifactsOf(deps, spec),
      kmsKeyArn: nodeAssetsKeyArn(deps, spec),
    });
  } catch (error) {
    if (error instanceof RenderError) {
      throw new StepError('RenderFailed', `the stacks cannot be rendered: ${issuesText(error)}`, {
        cause: error,
      });
    }
    throw error;
  }
}

function planOf(rendered: RenderedCluster): StackPlan {
  const find = (kind: StackKind) => {
    const stack = rendered.stacks.find((s) => s.kind === kind);
    if (!stack) throw new StepError('RenderFailed', `the render has no ${kind} stack`);
    return refOf(stack);
  };
  return {
    network: find('network'),
    etcd: find('etcd'),
    controlPlane: find('control-plane'),
    nodePools: rendered.stacks.filter((s) => s.kind === 'nodepool').map(refOf),
  };
}

/** Renders the stacks and node configs, uploads what nodes and CloudFormation fetch, returns the plan. */
export async function renderStacks(deps: WorkflowDeps, input: OperationInput): Promise<StackPlan> {
  const spec = await specOf(deps, input);
  const rendered = await renderOf(deps, spec);
  const { bucket } = artifactsOf(deps, spec);
  let uploaded = 0;
  for (const upload of rendered.uploads) {
    if (await putObjectOnce(deps.s3, { bucket, ...upload })) uploaded++;
  }
  await recordStep(deps, input.operationId, {
    name: stepNames.renderStacks,
    status: 'SUCCEEDED',
    message: `${rendered.stacks.length} stacks, ${rendered.nodeConfigs.length} node configs (${uploaded} objects uploaded)`,
  });
  return planOf(rendered);
}

function pollOf(deps: WorkflowDeps, stack: StackRef, state: StackState, deadline?: string): StackPoll {
  const now = deps.clock.now();
  return {
    stack,
    done: false,
    ...(state.status ? { status: state.status } : {}),
    delaySeconds: deps.settings.pollInitialSeconds,
    deadline: deadline ?? new Date(now.getTime() + deps.settings.stackTimeoutSeconds * 1000).toISOString(),
  };
}

const stepName = (mode: StackMode, stack: StackRef) =>
  mode === 'create' ? stepNames.deployStack(stack.name) : stepNames.deleteStack(stack.name);

async function failStack(
  deps: WorkflowDeps,
  input: OperationInput,
  mode: StackMode,
  stack: StackRef,
  error: StepError,
): Promise<never> {
  await recordStep(deps, input.operationId, {
    name: stepName(mode, stack),
    status: 'FAILED',
    message: error.message,
  });
  throw error;
}

/** Starts creating a stack (adopting it on a retry); returns the first poll state. */
export async function deployStack(
  deps: WorkflowDeps,
  input: OperationInput & { stack: StackRef },
): Promise<StackPoll> {
  const spec = await specOf(deps, input);
  const rendered = await renderOf(deps, spec);
  const stack = rendered.stacks.find((s) => s.name === input.stack.name);
  if (!stack)
    throw new StepError('RenderFailed', `the render of ${spec.clusterName} has no stack ${input.stack.name}`);
  const parameters: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(stack.parameters)) {
    if (parameter.default !== undefined) continue;
    if (!parameter.architecture) {
      throw new StepError('RenderFailed', `stack ${stack.name}: parameter ${name} has no value`);
    }
    parameters[name] = await deps.images.imageFor(spec, parameter.architecture);
  }
  const ref = refOf(stack);
  await recordStep(deps, input.operationId, { name: stepName('create', ref), status: 'IN_PROGRESS' });
  let state: StackState;
  try {
    ({ state } = await createStack(deps.cloudformation, {
      name: stack.name,
      template:
        stack.templateLocation.kind === 'body'
          ? { body: stack.template }
          : {
              url: `https://${stack.templateLocation.bucket}.s3.${deps.settings.region}.amazonaws.com/${stack.templateLocation.key}`,
            },
      parameters,
      tags: stack.tags,
      clientRequestToken: clientRequestToken(input.operationId, 'create', stack.name),
      ...(deps.settings.stackRoleArn ? { roleArn: deps.settings.stackRoleArn } : {}),
    }));
  } catch (error) {
    if (error instanceof StackNameTakenError) {
      return failStack(deps, input, 'create', ref, new StepError('StackNameTaken', error.message));
    }
    if (isTransientAwsError(error) || !(error instanceof Error)) throw error;
    // The emulator creates synchronously: a resource it cannot create makes CreateStack itself fail.
    return failStack(
      deps,
      input,
      'create',
      ref,
      new StepError(
        'StackFailed',
        `CloudFormation refused stack ${stack.name}: ${error.name}: ${error.message}`,
        {
          cause: error,
        },
      ),
    );
  }
  return settle(deps, input, 'create', pollOf(deps, ref, state), state);
}

/** Starts deleting a stack (nothing to do when it is gone); returns the first poll state. */
export async function deleteStackStep(
  deps: WorkflowDeps,
  input: OperationInput & { stack: StackRef },
): Promise<StackPoll> {
  const ref = input.stack;
  await recordStep(deps, input.operationId, { name: stepName('delete', ref), status: 'IN_PROGRESS' });
  let state: StackState;
  try {
    const deleted = await deleteStack(deps.cloudformation, {
      name: ref.name,
      cluster: input.clusterName,
      clientRequestToken: clientRequestToken(input.operationId, 'delete', ref.name),
      ...(deps.settings.stackRoleArn ? { roleArn: deps.settings.stackRoleArn } : {}),
    });
    if (deleted.foreign) {
      await recordStep(deps, input.operationId, {
        name: stepName('delete', ref),
        status: 'SKIPPED',
        message: `stack ${ref.name} is not this cluster's (no ${input.clusterName} cluster tag): left alone`,
      });
      return { ...pollOf(deps, ref, deleted.state), done: true };
    }
    state = deleted.state;
  } catch (error) {
    if (isTransientAwsError(error) || !(error instanceof Error)) throw error;
    // The emulator deletes synchronously: what blocks a delete (a dependency) makes DeleteStack fail.
    return failStack(
      deps,
      input,
      'delete',
      ref,
      new StepError(
        'StackDeleteFailed',
        `CloudFormation could not delete stack ${ref.name}: ${error.name}: ${error.message}`,
        {
          cause: error,
        },
      ),
    );
  }
  return settle(deps, input, 'delete', pollOf(deps, ref, state), state);
}

/** One poll of a stack being created or deleted. */
export async function checkStack(
  deps: WorkflowDeps,
  input: OperationInput & { poll: StackPoll; mode: StackMode },
): Promise<StackPoll> {
  const state = await describeStack(deps.cloudformation, input.poll.stack.name, input.mode);
  return settle(deps, input, input.mode, input.poll, state, true);
}

/** What a stack's state means for the workflow: done, failed (throws), timed out (throws), or wait more. */
async function settle(
  deps: WorkflowDeps,
  input: OperationInput,
  mode: StackMode,
  poll: StackPoll,
  state: StackState,
  /** True on a poll after a Wait (the next wait doubles), false right after the create or delete call. */
  afterWait = false,
): Promise<StackPoll> {
  const { stack } = poll;
  const finished = mode === 'create' ? state.phase === 'complete' : state.phase === 'gone';
  if (finished) {
    await recordStep(deps, input.operationId, {
      name: stepName(mode, stack),
      status: 'SUCCEEDED',
      message: state.status ?? 'DELETE_COMPLETE',
    });
    return { ...poll, done: true, ...(state.status ? { status: state.status } : {}) };
  }
  if (state.phase === 'failed' || (mode === 'create' && state.phase === 'gone')) {
    const what = state.status ? `ended ${state.status}` : 'does not exist';
    return failStack(
      deps,
      input,
      mode,
      stack,
      new StepError(
        mode === 'create' ? 'StackFailed' : 'StackDeleteFailed',
        `stack ${stack.name} ${what}${state.reason ? `: ${state.reason}` : ''}`,
      ),
    );
  }
  const now = deps.clock.now();
  if (now.getTime() >= Date.parse(poll.deadline)) {
    return failStack(
      deps,
      input,
      mode,
      stack,
      new StepError(
        'StackTimeout',
        `stack ${stack.name} did not finish ${mode === 'create' ? 'creating' : 'deleting'} within ` +
          `${deps.settings.stackTimeoutSeconds} s (still ${state.status ?? 'unknown'})`,
      ),
    );
  }
  return {
    stack,
    done: false,
    ...(state.status ? { status: state.status } : {}),
    // The first wait is pollInitialSeconds; each later one doubles, up to pollMaxSeconds.
    delaySeconds: afterWait
      ? Math.min(poll.delaySeconds * 2, deps.settings.pollMaxSeconds)
      : deps.settings.pollInitialSeconds,
    deadline: poll.deadline,
  };
}

/** The stacks a delete removes: the spec's, plus any node pool stack of the cluster the spec no longer names. */
export async function planDelete(deps: WorkflowDeps, input: OperationInput): Promise<StackPlan> {
  const spec = await specOf(deps, input);
  const cluster = spec.clusterName;
  const named = spec.worker.nodePools.map((pool) => stackNames.nodePool(cluster, pool.name));
  const tagged = await listClusterStacks(deps.cloudformation, cluster, stackNames.nodePool(cluster, ''));
  const pools = [...new Set([...named, ...tagged])];
  const poolOf = (name: string) => name.slice(stackNames.nodePool(cluster, '').length);
  return {
    network: { name: stackNames.network(cluster), kind: 'network' },
    etcd: { name: stackNames.etcd(cluster), kind: 'etcd' },
    controlPlane: { name: stackNames.controlPlane(cluster), kind: 'control-plane' },
    nodePools: pools.map((name) => ({ name, kind: 'nodepool', nodePool: poolOf(name) })),
  };
}

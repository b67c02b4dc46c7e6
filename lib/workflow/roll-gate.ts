/**
 * The health gate of an update: after each changed stack, before the next, the cluster is looked at as
 * its admin would (the API server's /readyz over mutual TLS, then Ready nodes per node pool):
 * - the API server is ready;
 * - the pool just rolled has its desired count of Ready nodes (a node pool stack only);
 * - every other pool is still as Ready as it was when the update began (the baseline, at most its
 *   desired count): a pool that was already short before the update does not stop another pool's
 *   roll, but a pool the roll made lose nodes does.
 * The workflow polls the gate (a Wait between looks) until it passes or its deadline passes, which
 * fails the roll at that stack with GateFailed.
 */
import { openClusterCredentials } from '../aws/assets.ts';
import { KubeClient } from '../kube/client.ts';
import { readyNodesByPool } from '../kube/nodes.ts';
import { credentialFiles, stepNames } from '../render/naming.ts';
import { ClusterEndpointNotFoundError } from '../service/cluster-endpoints.ts';
import type { ClusterSpec } from '../spec/types.ts';
import { specOf } from './credentials.ts';
import type { WorkflowDeps } from './deps.ts';
import { StepError } from './errors.ts';
import { HEALTH_POLL_SECONDS } from './health.ts';
import { type OperationInput, recordStep } from './operation.ts';
import { recordRollProgress } from './roll-events.ts';
import type { StackChange } from './update-plan.ts';

/** The cluster as a look found it. */
export interface ClusterLook {
  apiReady: boolean;
  /** Ready nodes per node pool of the spec. */
  readyNodes: Record<string, number>;
  /** What was found, in words. */
  detail: string;
}

/** What the gates compare with: the cluster before the update changed anything. */
export type Baseline = ClusterLook;

export interface GatePoll {
  passed: boolean;
  detail: string;
  delaySeconds: number;
  deadline: string;
}

const ADMIN_ASSETS = [
  credentialFiles.certificate('ca'),
  credentialFiles.certificate('admin'),
  credentialFiles.privateKey('admin'),
] as const;

/** One look at the cluster. Never throws for a cluster that is not healthy (only for AWS failures). */
export async function lookAtCluster(deps: WorkflowDeps, spec: ClusterSpec): Promise<ClusterLook> {
  const none = Object.fromEntries(spec.worker.nodePools.map((pool) => [pool.name, 0]));
  let endpoint: Awaited<ReturnType<WorkflowDeps['endpoints']['resolve']>>;
  try {
    endpoint = await deps.endpoints.resolve(spec.clusterName);
  } catch (error) {
    if (error instanceof ClusterEndpointNotFoundError) {
      return { apiReady: false, readyNodes: none, detail: error.message };
    }
    throw error;
  }
  const [ca, cert, key] = ADMIN_ASSETS;
  const credentials = await openClusterCredentials({
    s3: deps.s3,
    kms: deps.kms,
    bucket: deps.settings.bucket,
    clusterName: spec.clusterName,
    names: [...ADMIN_ASSETS],
  });
  const client = new KubeClient({
    url: endpoint.url,
    serverName: endpoint.serverName,
    caCertificatePem: credentials[ca] as string,
    clientCertificatePem: credentials[cert] as string,
    clientKeyPem: credentials[key] as string,
    timeoutMs: 5000,
  });
  const readyz = await client.readyz();
  if (!readyz.ok) {
    return {
      apiReady: false,
      readyNodes: none,
      detail: `${endpoint.url}/readyz is not ok: ${readyz.detail}`,
    };
  }
  let ready: Map<string, number>;
  try {
    ready = readyNodesByPool(await client.listNodes());
  } catch (error) {
    return { apiReady: true, readyNodes: none, detail: `cannot list nodes: ${(error as Error).message}` };
  }
  const readyNodes = Object.fromEntries(
    spec.worker.nodePools.map((pool) => [pool.name, ready.get(pool.name) ?? 0]),
  );
  const counts = spec.worker.nodePools.map((pool) => `${pool.name} ${readyNodes[pool.name]}/${pool.count}`);
  return {
    apiReady: true,
    readyNodes,
    detail: `readyz ok; Ready nodes: ${counts.join(', ') || 'no node pools'}`,
  };
}

/** What keeps the gate of `change` closed in `look`; empty when it passes. */
export function gateProblems(
  spec: ClusterSpec,
  change: Pick<StackChange, 'stack'>,
  baseline: Baseline,
  look: ClusterLook,
): string[] {
  if (!look.apiReady) return [look.detail];
  const problems: string[] = [];
  for (const pool of spec.worker.nodePools) {
    const ready = look.readyNodes[pool.name] ?? 0;
    const rolled = change.stack.nodePool === pool.name;
    const wanted = rolled ? pool.count : Math.min(pool.count, baseline.readyNodes[pool.name] ?? 0);
    if (ready < wanted) {
      problems.push(
        rolled
          ? `${pool.name} ${ready}/${pool.count} Ready`
          : `${pool.name} ${ready}/${pool.count} Ready (had ${baseline.readyNodes[pool.name] ?? 0} before the update)`,
      );
    }
  }
  return problems;
}

const describeChange = (change: Pick<StackChange, 'stack'>) =>
  change.stack.nodePool !== undefined ? `node pool ${change.stack.nodePool}` : `stack ${change.stack.name}`;

/**
 * One look of a stack's health gate. Passed: recorded (a node pool's roll gets its "gate passed");
 * not yet: the next look's delay; past the deadline: GateFailed naming what is missing.
 */
export async function gateStack(
  deps: WorkflowDeps,
  input: OperationInput & { change: StackChange; baseline: Baseline; gate?: Pick<GatePoll, 'deadline'> },
): Promise<GatePoll> {
  const { change } = input;
  const now = deps.clock.now();
  const deadline =
    input.gate?.deadline ?? new Date(now.getTime() + deps.settings.healthTimeoutSeconds * 1000).toISOString();
  const spec = await specOf(deps, input);
  const look = await lookAtCluster(deps, spec);
  const problems = gateProblems(spec, change, input.baseline, look);
  const pool =
    change.stack.nodePool !== undefined
      ? spec.worker.nodePools.find((p) => p.name === change.stack.nodePool)
      : undefined;
  const progress = pool
    ? { done: Math.min(look.readyNodes[pool.name] ?? 0, pool.count), total: pool.count }
    : undefined;
  const poll = {
    passed: problems.length === 0,
    detail: look.detail,
    delaySeconds: HEALTH_POLL_SECONDS,
    deadline,
  };
  if (problems.length === 0) {
    const message = `health gate passed: ${look.detail}`;
    if (change.stack.nodePool !== undefined) {
      await recordRollProgress(deps, input, change, 'GATE_PASSED', message, progress);
    } else {
      await recordStep(deps, input.operationId, {
        name: stepNames.healthGate(change.stack.name),
        status: 'SUCCEEDED',
        message,
      });
    }
    return poll;
  }
  const missing = `${look.apiReady ? 'too few Ready nodes: ' : ''}${problems.join(', ')}`;
  if (now.getTime() >= Date.parse(deadline)) {
    throw new StepError(
      'GateFailed',
      `${describeChange(change)} did not pass its health gate within ${deps.settings.healthTimeoutSeconds} s: ${missing}`,
    );
  }
  await recordStep(
    deps,
    input.operationId,
    {
      name:
        change.stack.nodePool !== undefined
          ? stepNames.rollNodePool(change.stack.nodePool)
          : stepNames.healthGate(change.stack.name),
      status: 'IN_PROGRESS',
      message: `waiting for the health gate: ${missing}`,
      ...(progress ? { progress } : {}),
    },
    false,
  );
  return poll;
}

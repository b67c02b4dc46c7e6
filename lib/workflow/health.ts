/**
 * check-health: one look at the cluster as its admin would: the API server's /readyz over mutual TLS
 * (the admin client certificate, decrypted here only), then, for every node pool, at least as many
 * Ready nodes labelled with the pool's name as the pool's desired count. The workflow polls this step
 * (a Wait between looks) until it is healthy or past the deadline, which fails the operation.
 */
import { openClusterCredentials } from '../aws/assets.ts';
import { KubeClient } from '../kube/client.ts';
import { poolsShortOfReadyNodes } from '../kube/nodes.ts';
import { credentialFiles, stepNames } from '../render/naming.ts';
import { ClusterEndpointNotFoundError } from '../service/cluster-endpoints.ts';
import { specOf } from './credentials.ts';
import type { WorkflowDeps } from './deps.ts';
import { StepError } from './errors.ts';
import { type OperationInput, recordStep } from './operation.ts';

export interface HealthPoll {
  healthy: boolean;
  /** What is missing, or the summary when healthy. */
  detail: string;
  delaySeconds: number;
  deadline: string;
  /** The endpoint checked (reported in the cluster's outputs once healthy). */
  endpoint?: string;
}

/** Seconds between two health looks (nodes join within seconds to minutes; no backoff needed). */
export const HEALTH_POLL_SECONDS = 10;

const ADMIN_ASSETS = [
  credentialFiles.certificate('ca'),
  credentialFiles.certificate('admin'),
  credentialFiles.privateKey('admin'),
];

async function look(deps: WorkflowDeps, input: OperationInput) {
  const spec = await specOf(deps, input);
  let endpoint: Awaited<ReturnType<WorkflowDeps['endpoints']['resolve']>>;
  try {
    endpoint = await deps.endpoints.resolve(spec.clusterName);
  } catch (error) {
    if (error instanceof ClusterEndpointNotFoundError) return { healthy: false, detail: error.message };
    throw error;
  }
  const [ca, cert, key] = ADMIN_ASSETS;
  const credentials = await openClusterCredentials({
    s3: deps.s3,
    kms: deps.kms,
    bucket: deps.settings.bucket,
    clusterName: spec.clusterName,
    names: ADMIN_ASSETS,
  });
  const client = new KubeClient({
    url: endpoint.url,
    serverName: endpoint.serverName,
    caCertificatePem: credentials[ca as string] as string,
    clientCertificatePem: credentials[cert as string] as string,
    clientKeyPem: credentials[key as string] as string,
    timeoutMs: 5000,
  });
  const readyz = await client.readyz();
  if (!readyz.ok) {
    return { healthy: false, detail: `${endpoint.url}/readyz is not ok: ${readyz.detail}`, endpoint };
  }
  let nodes: Awaited<ReturnType<KubeClient['listNodes']>>;
  try {
    nodes = await client.listNodes();
  } catch (error) {
    return { healthy: false, detail: `cannot list nodes: ${(error as Error).message}`, endpoint };
  }
  const wanted = Object.fromEntries(spec.worker.nodePools.map((pool) => [pool.name, pool.count]));
  const short = poolsShortOfReadyNodes(nodes, wanted);
  const counts = spec.worker.nodePools.map((pool) => {
    const missing = short.find((s) => s.pool === pool.name);
    return `${pool.name} ${missing ? missing.ready : pool.count}/${pool.count}`;
  });
  return {
    healthy: short.length === 0,
    detail:
      short.length === 0
        ? `readyz ok; Ready nodes: ${counts.join(', ')}`
        : `readyz ok; too few Ready nodes: ${short.map((s) => `${s.pool} ${s.ready}/${s.wanted}`).join(', ')}`,
    endpoint,
  };
}

export async function checkHealth(
  deps: WorkflowDeps,
  input: OperationInput & { health?: Pick<HealthPoll, 'deadline'> },
): Promise<HealthPoll> {
  const now = deps.clock.now();
  const deadline =
    input.health?.deadline ??
    new Date(now.getTime() + deps.settings.healthTimeoutSeconds * 1000).toISOString();
  const result = await look(deps, input);
  const poll = {
    healthy: result.healthy,
    detail: result.detail,
    delaySeconds: HEALTH_POLL_SECONDS,
    deadline,
    ...(result.endpoint ? { endpoint: result.endpoint.url } : {}),
  };
  if (result.healthy) {
    await recordStep(deps, input.operationId, {
      name: stepNames.checkHealth,
      status: 'SUCCEEDED',
      message: result.detail,
    });
    return poll;
  }
  if (now.getTime() >= Date.parse(deadline)) {
    const message = `cluster ${input.clusterName} was not healthy within ${deps.settings.healthTimeoutSeconds} s: ${result.detail}`;
    await recordStep(deps, input.operationId, { name: stepNames.checkHealth, status: 'FAILED', message });
    throw new StepError('HealthTimeout', message);
  }
  await recordStep(
    deps,
    input.operationId,
    { name: stepNames.checkHealth, status: 'IN_PROGRESS', message: result.detail },
    false,
  );
  return poll;
}

/**
 * GET /clusters/{name}/templates (`kaws export`, kube-aws's `up --export`): the templates the cluster's
 * stacks run (read back from CloudFormation) and the node configs of its current spec: userdata and full
 * Ignition configs. Neither holds a private key: nodes fetch their keys from KMS envelopes at boot, and
 * templates only name the envelopes. Each stack says whether it runs what the current spec renders.
 */
import type { RenderedCluster } from '../render/index.ts';
import type { StackKind } from '../render/naming.ts';
import { isPlausibleClusterName } from './cluster-queries.ts';
import { ClusterNotFoundError } from './errors.ts';
import type { ClusterRecord } from './model.ts';
import { type DeployedStackFacts, sameTemplate } from './plan-stacks.ts';
import type { ClusterStore } from './ports.ts';

export interface ExportSources {
  /** lib/render of the cluster's spec with its stored credentials' fingerprints. */
  render(cluster: ClusterRecord): Promise<RenderedCluster>;
  deployedStack(name: string): Promise<DeployedStackFacts & { fingerprint?: string }>;
}

export interface ExportDeps {
  store: Pick<ClusterStore, 'getCluster'>;
  sources: ExportSources;
}

export interface ExportedStack {
  name: string;
  kind: StackKind;
  nodePool?: string;
  /** CloudFormation's status; absent when the stack does not exist. */
  status?: string;
  /** The template the stack runs (absent when it does not exist). */
  template?: string;
  /** SHA-256 of `template`. */
  fingerprint?: string;
  /** Whether the stack runs exactly what the current spec renders. */
  inSync: boolean;
}

export interface ExportedNodeConfig {
  /** `etcd`, `controller`, `worker-<pool>`. */
  name: string;
  role: string;
  /** Where nodes fetch the full config. */
  s3Key: string;
  /** The instance userdata: an Ignition config that fetches the full one. */
  userdata: string;
  /** The full Ignition config (JSON text). */
  config: string;
}

export interface ClusterExport {
  clusterName: string;
  specVersion: number;
  stacks: ExportedStack[];
  nodeConfigs: ExportedNodeConfig[];
}

export async function exportClusterTemplates(deps: ExportDeps, clusterName: string): Promise<ClusterExport> {
  if (!isPlausibleClusterName(clusterName)) throw new ClusterNotFoundError(clusterName);
  const cluster = await deps.store.getCluster(clusterName);
  if (!cluster || cluster.status === 'DELETED') throw new ClusterNotFoundError(clusterName);
  const rendered = await deps.sources.render(cluster);
  const stacks: ExportedStack[] = [];
  for (const stack of rendered.stacks) {
    const deployed = await deps.sources.deployedStack(stack.name);
    stacks.push({
      name: stack.name,
      kind: stack.kind,
      ...(stack.nodePool !== undefined ? { nodePool: stack.nodePool } : {}),
      ...(deployed.status !== undefined ? { status: deployed.status } : {}),
      ...(deployed.template !== undefined ? { template: deployed.template } : {}),
      ...(deployed.fingerprint !== undefined ? { fingerprint: deployed.fingerprint } : {}),
      inSync: deployed.template !== undefined && sameTemplate(deployed.template, stack.template),
    });
  }
  return {
    clusterName: cluster.name,
    specVersion: cluster.specVersion,
    stacks,
    nodeConfigs: rendered.nodeConfigs.map((c) => ({
      name: c.name,
      role: c.role,
      s3Key: c.s3Key,
      userdata: c.bootstrap,
      config: c.text,
    })),
  };
}

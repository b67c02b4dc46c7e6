/**
 * Test support for the update workflow: the HA example with nodes in every pool, specs with new
 * instance types, what a node pool stack runs (its launch template versions and the version its Auto
 * Scaling group uses) read back from the local cloud, and the roll's history.
 */
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeStackEventsCommand, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { parseDocument } from 'yaml';
import { stackNames } from '../../lib/render/naming.ts';
import type { ClusterEvent } from '../../lib/service/model.ts';
import type { ClusterStore } from '../../lib/service/ports.ts';
import { loadClusterSpec } from '../../lib/spec/index.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import type { StepRunner } from '../../local/engine.ts';
import { localCloud } from '../support/local-cloud.ts';
import { haYaml } from './support.ts';

export const POOLS = ['general', 'spot', 'gpu'] as const;

/**
 * examples/ha-cluster.yaml named `name`, with the spot pool scaled to 2 nodes (the example's starts
 * one), so a gate on it counts more than one node.
 */
export function haWithSpotNodesYaml(name: string): string {
  const doc = parseDocument(haYaml(name));
  doc.setIn(['worker', 'nodePools', 1, 'count'], 2);
  return doc.toString();
}

export const haWithSpotNodes = (name: string): ClusterSpec => loadClusterSpec(haWithSpotNodesYaml(name));

/** The instance type each pool gets in the "new instance type" update. */
export const NEW_TYPES: Record<(typeof POOLS)[number], string> = {
  general: 'm5.2xlarge',
  spot: 'c5.2xlarge',
  gpu: 'g5.2xlarge',
};

/** `spec` with new instance types for `pools` (all three by default). */
export function withNewInstanceTypes(spec: ClusterSpec, pools: readonly string[] = POOLS): ClusterSpec {
  const next = structuredClone(spec);
  for (const pool of next.worker.nodePools) {
    if (pools.includes(pool.name)) pool.instanceType = NEW_TYPES[pool.name as keyof typeof NEW_TYPES];
  }
  return next;
}

/** What a node pool's stack runs: its launch template's versions and the one its group launches. */
export async function poolLaunchState(cluster: string, pool: string) {
  const { clients } = localCloud();
  const stack = stackNames.nodePool(cluster, pool);
  const resources =
    (await clients.cloudformation.send(new DescribeStackResourcesCommand({ StackName: stack })))
      .StackResources ?? [];
  const physical = (type: string) => resources.find((r) => r.ResourceType === type)?.PhysicalResourceId;
  const templateId = physical('AWS::EC2::LaunchTemplate');
  const groupName = physical('AWS::AutoScaling::AutoScalingGroup');
  const versions =
    (await clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId })))
      .LaunchTemplateVersions ?? [];
  const group = (
    await clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groupName ? [groupName] : [] }),
    )
  ).AutoScalingGroups?.[0];
  const used = versions.find((v) => String(v.VersionNumber) === group?.LaunchTemplate?.Version);
  return {
    versions: versions
      .map((v) => ({ version: v.VersionNumber ?? 0, instanceType: v.LaunchTemplateData?.InstanceType }))
      .sort((a, b) => a.version - b.version),
    /** The instance type the group launches now. */
    instanceType: used?.LaunchTemplateData?.InstanceType,
    instances: group?.Instances?.length ?? 0,
  };
}

/** CloudFormation's stack-level statuses of a stack, oldest first (UPDATE_* appear once per update). */
export async function stackStatusHistory(stack: string): Promise<string[]> {
  const { clients } = localCloud();
  const events =
    (await clients.cloudformation.send(new DescribeStackEventsCommand({ StackName: stack }))).StackEvents ??
    [];
  return events
    .filter((e) => e.LogicalResourceId === stack)
    .map((e) => e.ResourceStatus ?? '')
    .reverse();
}

/** The operation's history (oldest first). */
export async function historyOf(
  store: ClusterStore,
  cluster: string,
  operationId: string,
): Promise<ClusterEvent[]> {
  const page = await store.listEvents(cluster, { limit: 100 });
  return page.items.filter((e) => e.operationId === operationId).reverse();
}

/** The roll's history as `<step> <status>` lines (node pool rolls and rollbacks only), oldest first. */
export const rollLines = (history: ClusterEvent[]) =>
  history
    .filter((e) => e.step?.startsWith('roll-node-pool:') || e.step?.startsWith('rollback-stack:'))
    .map((e) => `${e.step} ${e.stepStatus}`);

/** A clock the gate's Wait moves on: each gate look after a Wait is `delaySeconds` later. */
export function gateClock() {
  let now = Date.now();
  return {
    clock: { now: () => new Date(now) },
    wrapStep: (key: string, run: StepRunner): StepRunner =>
      key === 'gateStack'
        ? async (input) => {
            now += ((input as { gate?: { delaySeconds: number } }).gate?.delaySeconds ?? 0) * 1000;
            return run(input);
          }
        : run,
  };
}

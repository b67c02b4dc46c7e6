/**
 * The instances of a cluster's node pools, found as an operator would: the pool's stack -> its Auto
 * Scaling group (stack resource WorkerAutoScalingGroup) -> the group's instances -> their EC2 details.
 * The local API server stand-in turns them into nodes; a pool whose stack does not exist yet has none.
 */
import { type AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { type CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { nodePoolIds } from '../render/logical-ids.ts';
import { stackNames } from '../render/naming.ts';

export interface PoolInstance {
  pool: string;
  instanceId: string;
  availabilityZone: string;
  /** Auto Scaling lifecycle state: `InService`, `Pending`, `Terminating`, ... */
  lifecycleState: string;
  /** Auto Scaling health: `Healthy` or `Unhealthy`. */
  healthStatus: string;
  instanceType?: string;
  privateIpAddress?: string;
  privateDnsName?: string;
  publicIpAddress?: string;
  launchTime?: Date;
  architecture?: string;
}

export interface NodePoolInstanceClients {
  cloudformation: CloudFormationClient;
  autoscaling: AutoScalingClient;
  ec2: EC2Client;
}

const isMissingStack = (error: unknown) =>
  error instanceof Error && error.name === 'ValidationError' && /does not exist/i.test(error.message);

/** The physical name of a pool's Auto Scaling group, or undefined while its stack does not exist. */
async function poolGroupName(
  cloudformation: CloudFormationClient,
  clusterName: string,
  pool: string,
): Promise<string | undefined> {
  try {
    const result = await cloudformation.send(
      new DescribeStackResourceCommand({
        StackName: stackNames.nodePool(clusterName, pool),
        LogicalResourceId: nodePoolIds.autoScalingGroup,
      }),
    );
    return result.StackResourceDetail?.PhysicalResourceId || undefined;
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    throw error;
  }
}

async function describeInstances(ec2: EC2Client, ids: string[]): Promise<Map<string, Instance>> {
  const byId = new Map<string, Instance>();
  // DescribeInstances takes up to 1000 ids per call.
  for (let start = 0; start < ids.length; start += 1000) {
    let token: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeInstancesCommand({ InstanceIds: ids.slice(start, start + 1000), NextToken: token }),
      );
      for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
        if (instance.InstanceId) byId.set(instance.InstanceId, instance);
      }
      token = page.NextToken;
    } while (token);
  }
  return byId;
}

/** Every instance of the named pools' Auto Scaling groups, in pool order then instance id order. */
export async function listNodePoolInstances(
  clients: NodePoolInstanceClients,
  clusterName: string,
  pools: readonly string[],
): Promise<PoolInstance[]> {
  const groups = await Promise.all(
    pools.map(async (pool) => ({
      pool,
      group: await poolGroupName(clients.cloudformation, clusterName, pool),
    })),
  );
  const poolOfGroup = new Map(groups.flatMap((g) => (g.group ? [[g.group, g.pool] as const] : [])));
  if (poolOfGroup.size === 0) return [];
  const members: Array<{ pool: string; instanceId: string; az: string; state: string; health: string }> = [];
  const names = [...poolOfGroup.keys()];
  // DescribeAutoScalingGroups takes up to 100 names per call.
  for (let start = 0; start < names.length; start += 100) {
    let token: string | undefined;
    do {
      const page = await clients.autoscaling.send(
        new DescribeAutoScalingGroupsCommand({
          AutoScalingGroupNames: names.slice(start, start + 100),
          NextToken: token,
        }),
      );
      for (const group of page.AutoScalingGroups ?? []) {
        const pool = poolOfGroup.get(group.AutoScalingGroupName ?? '');
        if (pool === undefined) continue;
        for (const instance of group.Instances ?? []) {
          if (!instance.InstanceId) continue;
          members.push({
            pool,
            instanceId: instance.InstanceId,
            az: instance.AvailabilityZone ?? '',
            state: instance.LifecycleState ?? 'Unknown',
            health: instance.HealthStatus ?? 'Unknown',
          });
        }
      }
      token = page.NextToken;
    } while (token);
  }
  const details = await describeInstances(
    clients.ec2,
    members.map((m) => m.instanceId),
  );
  const order = new Map(pools.map((pool, index) => [pool, index]));
  return members
    .sort(
      (a, b) =>
        (order.get(a.pool) ?? 0) - (order.get(b.pool) ?? 0) || a.instanceId.localeCompare(b.instanceId),
    )
    .map((m) => {
      const ec2 = details.get(m.instanceId);
      return {
        pool: m.pool,
        instanceId: m.instanceId,
        availabilityZone: m.az || ec2?.Placement?.AvailabilityZone || '',
        lifecycleState: m.state,
        healthStatus: m.health,
        ...(ec2?.InstanceType ? { instanceType: ec2.InstanceType } : {}),
        ...(ec2?.PrivateIpAddress ? { privateIpAddress: ec2.PrivateIpAddress } : {}),
        ...(ec2?.PrivateDnsName ? { privateDnsName: ec2.PrivateDnsName } : {}),
        ...(ec2?.PublicIpAddress ? { publicIpAddress: ec2.PublicIpAddress } : {}),
        ...(ec2?.LaunchTime ? { launchTime: ec2.LaunchTime } : {}),
        ...(ec2?.Architecture ? { architecture: ec2.Architecture } : {}),
      };
    });
}

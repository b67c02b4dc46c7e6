/**
 * The rendered stacks deployed into the local cloud's CloudFormation (moto), in dependency order,
 * then checked through the EC2, Auto Scaling, ELB and Route 53 APIs as a user would.
 *
 * What moto cannot check, covered by cfn-lint and the golden files instead: UpdatePolicy and
 * CreationPolicy (moto ignores both: no rolling, no waiting for cfn-signal), IAM policy evaluation,
 * and the userdata (moto boots nothing). moto's CloudFormation is synchronous and never reports
 * CREATE_FAILED: a resource it cannot create makes CreateStack throw. A network load balancer and
 * a private hosted zone deploy only with the named fixes in local/moto/fixes.py.
 */

import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand as DescribeClassicLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateHostedZoneCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RenderedCluster, RenderedStack } from '../../lib/render/index.ts';
import { renderCluster } from '../../lib/render/index.ts';
import { networkIds } from '../../lib/render/logical-ids.ts';
import { privateZoneName } from '../../lib/render/naming.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import { localCloud } from '../support/local-cloud.ts';
import { copy, exampleSpec, fakeAssets } from './fixtures.ts';
import {
  createStack,
  describeStack,
  outputsOf,
  resourcesOf,
  updateStack,
  uploadArtifacts,
} from './local-cloud-deploy.ts';
import { privateNetworkSpec } from './variants.ts';

const cloud = localCloud();
const { clients, region } = cloud;
const unique = () => Math.random().toString(36).slice(2, 8);

/** The spec, renamed so test runs never collide, with its API record in a zone that exists in the local cloud. */
async function deployable(spec: ClusterSpec, name: string): Promise<ClusterSpec> {
  const result = copy(spec);
  result.clusterName = name;
  result.region = region;
  for (const endpoint of result.apiEndpoints) {
    endpoint.dnsName = `${endpoint.name}.api.${name}.example.com`;
    if (endpoint.loadBalancer.hostedZone.id) {
      const zone = await clients.route53.send(
        new CreateHostedZoneCommand({
          Name: `${name}.example.com`,
          CallerReference: `${name}-${endpoint.name}`,
        }),
      );
      endpoint.loadBalancer.hostedZone.id = zone.HostedZone?.Id?.replace('/hostedzone/', '');
    }
  }
  return result;
}

function render(spec: ClusterSpec): RenderedCluster {
  return renderCluster({
    spec,
    assets: fakeAssets(),
    artifacts: { bucket: cloud.resources.bucketName, rootPrefix: '', sseKmsKeyArn: cloud.resources.keyArn },
  });
}

const stackOf = (rendered: RenderedCluster, kind: RenderedStack['kind'], pool?: string) => {
  const stack = rendered.stacks.find((s) => s.kind === kind && (pool === undefined || s.nodePool === pool));
  if (!stack) throw new Error(`no ${kind} stack ${pool ?? ''}`);
  return stack;
};

async function launchTemplateVersions(id: string) {
  const result = await clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id }));
  return (result.LaunchTemplateVersions ?? []).sort(
    (a, b) => (a.VersionNumber ?? 0) - (b.VersionNumber ?? 0),
  );
}

async function autoScalingGroup(name: string) {
  const result = await clients.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  const group = result.AutoScalingGroups?.[0];
  if (!group) throw new Error(`no Auto Scaling group ${name}`);
  return group;
}

/**
 * A zone's records, names without the trailing dot: Route 53 returns FQDNs (`name.`), moto returns
 * a record created through CloudFormation as the template wrote it.
 */
async function recordSets(zoneId: string) {
  const result = await clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return (result.ResourceRecordSets ?? []).map((r) => ({ ...r, Name: r.Name?.replace(/\.$/, '') }));
}

let imageId = '';
beforeAll(async () => {
  // The deployer passes Flatcar's AMI; the local cloud has only moto's stock images.
  const images = await clients.ec2.send(new DescribeImagesCommand({}));
  imageId = images.Images?.[0]?.ImageId ?? '';
  expect(imageId).not.toBe('');
});

describe('the HA example, deployed', () => {
  let spec: ClusterSpec;
  let rendered: RenderedCluster;
  let vpcId: string;
  let subnetIds: Record<string, string>;

  beforeAll(async () => {
    spec = await deployable(exampleSpec('ha-cluster'), `ha-${unique()}`);
    rendered = render(spec);
    await uploadArtifacts(clients.s3, rendered, cloud.resources.bucketName);
    for (const stack of rendered.stacks) {
      const deployed = await createStack(clients.cloudformation, stack, region, imageId);
      expect(deployed.StackStatus, stack.name).toBe('CREATE_COMPLETE');
    }
    const network = outputsOf(await describeStack(clients.cloudformation, stackOf(rendered, 'network').name));
    vpcId = network.VpcId ?? '';
    subnetIds = Object.fromEntries(
      spec.subnets.map((s) => [s.name, network[networkIds.outputSubnetId(s.name)] ?? '']),
    );
  });

  it('has the VPC with the spec CIDR and one subnet per availability zone with its CIDR', async () => {
    const vpc = (await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0];
    expect(vpc?.CidrBlock).toBe('10.0.0.0/16');
    const subnets = (
      await clients.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))
    ).Subnets;
    expect(Object.fromEntries((subnets ?? []).map((s) => [s.AvailabilityZone, s.CidrBlock]))).toEqual({
      'us-east-1a': '10.0.0.0/20',
      'us-east-1b': '10.0.16.0/20',
      'us-east-1c': '10.0.32.0/20',
    });
    expect(subnets).toHaveLength(3);
    expect(Object.values(subnetIds).sort()).toEqual((subnets ?? []).map((s) => s.SubnetId).sort());
  });

  it('opens only the ports each role peer needs', async () => {
    const network = outputsOf(await describeStack(clients.cloudformation, stackOf(rendered, 'network').name));
    const groups = (
      await clients.ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
      )
    ).SecurityGroups;
    const rules = (groupId: string | undefined) =>
      (groups?.find((g) => g.GroupId === groupId)?.IpPermissions ?? [])
        .flatMap((p) => [
          ...(p.IpRanges ?? []).map((r) => `${p.IpProtocol}/${p.FromPort}-${p.ToPort} from ${r.CidrIp}`),
          ...(p.UserIdGroupPairs ?? []).map(
            (g) => `${p.IpProtocol}/${p.FromPort}-${p.ToPort} from ${g.GroupId}`,
          ),
        ])
        .sort();
    const {
      EtcdSecurityGroupId: etcd,
      ControllerSecurityGroupId: controller,
      WorkerSecurityGroupId: worker,
    } = network;
    const lb = network.ApiEndpointDefaultLoadBalancerSecurityGroupId;
    expect(rules(lb)).toEqual(['tcp/443-443 from 0.0.0.0/0']);
    expect(rules(etcd)).toEqual([`tcp/2379-2379 from ${controller}`, `tcp/2379-2380 from ${etcd}`].sort());
    expect(rules(worker)).toEqual(
      [
        `tcp/10250-10250 from ${controller}`,
        `udp/8472-8472 from ${controller}`,
        `udp/8472-8472 from ${worker}`,
      ].sort(),
    );
    expect(rules(controller)).toEqual(
      [
        `tcp/443-443 from ${lb}`,
        `tcp/443-443 from ${controller}`,
        `tcp/443-443 from ${worker}`,
        `tcp/10250-10250 from ${controller}`,
        `udp/8472-8472 from ${controller}`,
        `udp/8472-8472 from ${worker}`,
      ].sort(),
    );
  });

  it('runs each etcd member in its own group of one, with its own interface, name and encrypted data volume', async () => {
    const etcd = await resourcesOf(clients.cloudformation, stackOf(rendered, 'etcd').name);
    const interfaces = (
      await clients.ec2.send(
        new DescribeNetworkInterfacesCommand({
          NetworkInterfaceIds: [0, 1, 2].map((i) => etcd[`Etcd${i}NetworkInterface`] ?? ''),
        }),
      )
    ).NetworkInterfaces;
    const volumes = (
      await clients.ec2.send(
        new DescribeVolumesCommand({ VolumeIds: [0, 1, 2].map((i) => etcd[`Etcd${i}DataVolume`] ?? '') }),
      )
    ).Volumes;
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
    for (const i of [0, 1, 2]) {
      const group = await autoScalingGroup(etcd[`Etcd${i}AutoScalingGroup`] ?? '');
      expect([group.MinSize, group.MaxSize, group.DesiredCapacity]).toEqual([1, 1, 1]);
      const subnet = Object.values(subnetIds)[i];
      expect(group.VPCZoneIdentifier).toBe(subnet);
      const eni = interfaces?.find((n) => n.NetworkInterfaceId === etcd[`Etcd${i}NetworkInterface`]);
      expect(eni?.SubnetId).toBe(subnet);
      const volume = volumes?.find((v) => v.VolumeId === etcd[`Etcd${i}DataVolume`]);
      expect(volume).toMatchObject({
        AvailabilityZone: zones[i],
        Encrypted: true,
        Size: 50,
        VolumeType: 'gp3',
      });
      expect(volume?.Tags).toContainEqual({ Key: 'kaws:etcd-member', Value: String(i) });
    }
    // The member names live in a private zone of the cluster VPC, each pointing at its member's interface.
    const zoneId = etcd.PrivateHostedZone ?? '';
    const zone = await clients.route53.send(new GetHostedZoneCommand({ Id: zoneId }));
    expect(zone.HostedZone?.Name?.replace(/\.$/, '')).toBe(privateZoneName(spec.clusterName));
    expect(zone.HostedZone?.Config?.PrivateZone).toBe(true);
    expect(zone.VPCs?.map((v) => v.VPCId)).toEqual([vpcId]);
    const records = (await recordSets(zoneId)).filter((r) => r.Type === 'A');
    expect(Object.fromEntries(records.map((r) => [r.Name, r.ResourceRecords?.map((v) => v.Value)]))).toEqual(
      Object.fromEntries(
        [0, 1, 2].map((i) => [
          `etcd${i}.${privateZoneName(spec.clusterName)}`,
          [
            interfaces?.find((n) => n.NetworkInterfaceId === etcd[`Etcd${i}NetworkInterface`])
              ?.PrivateIpAddress,
          ],
        ]),
      ),
    );
  });

  it('puts the controllers behind a load balancer listening on 443, with the API record pointing at it', async () => {
    const controlPlane = await resourcesOf(clients.cloudformation, stackOf(rendered, 'control-plane').name);
    const loadBalancerName = controlPlane.ApiEndpointDefaultLoadBalancer ?? '';
    const lb = (
      await clients.elb.send(
        new DescribeClassicLoadBalancersCommand({ LoadBalancerNames: [loadBalancerName] }),
      )
    ).LoadBalancerDescriptions?.[0];
    expect(lb?.ListenerDescriptions?.map((l) => l.Listener)).toEqual([
      { Protocol: 'TCP', LoadBalancerPort: 443, InstanceProtocol: 'TCP', InstancePort: 443 },
    ]);
    expect(lb?.Subnets?.sort()).toEqual(Object.values(subnetIds).sort());
    const group = await autoScalingGroup(controlPlane.ControllerAutoScalingGroup ?? '');
    expect([group.MinSize, group.MaxSize, group.DesiredCapacity]).toEqual([3, 3, 3]);
    expect(group.LoadBalancerNames).toEqual([loadBalancerName]);
    const [version] = await launchTemplateVersions(group.LaunchTemplate?.LaunchTemplateId ?? '');
    expect(version?.LaunchTemplateData?.InstanceType).toBe('m5.large');

    const endpoint = spec.apiEndpoints[0];
    const records = await recordSets(endpoint?.loadBalancer.hostedZone.id ?? '');
    const record = records.find((r) => r.Name === endpoint?.dnsName);
    expect(record).toMatchObject({ Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: lb?.DNSName }] });
  });

  it('gives every node pool its group, size and instance type', async () => {
    for (const pool of spec.worker.nodePools) {
      const outputs = outputsOf(
        await describeStack(clients.cloudformation, stackOf(rendered, 'nodepool', pool.name).name),
      );
      const group = await autoScalingGroup(outputs.WorkerAutoScalingGroupName ?? '');
      expect([group.MinSize, group.MaxSize, group.DesiredCapacity], pool.name).toEqual([
        pool.autoScalingGroup.minSize,
        pool.autoScalingGroup.maxSize,
        pool.count,
      ]);
      expect(group.VPCZoneIdentifier?.split(',').sort()).toEqual(
        pool.subnets.map((s) => subnetIds[s]).sort(),
      );
      const versions = await launchTemplateVersions(group.LaunchTemplate?.LaunchTemplateId ?? '');
      const data = versions.at(-1)?.LaunchTemplateData;
      expect(data?.InstanceType, pool.name).toBe(pool.instanceType);
      expect(data?.InstanceMarketOptions?.SpotOptions?.MaxPrice, pool.name).toBe(pool.spotPrice);
      expect(group.Instances?.length, `${pool.name}: instances launched`).toBe(pool.count);
    }
  });

  it('rolls only the pool whose instance type changed: a new launch template version, other stacks untouched', async () => {
    const changed = copy(spec);
    const general = changed.worker.nodePools.find((p) => p.name === 'general');
    if (!general) throw new Error('no general pool');
    general.instanceType = 'm5.2xlarge';
    const next = render(changed);
    const differing = next.stacks.filter((s, i) => s.fingerprint !== rendered.stacks[i]?.fingerprint);
    expect(differing.map((s) => s.nodePool)).toEqual(['general']);

    await uploadArtifacts(clients.s3, next, cloud.resources.bucketName);
    const updated = await updateStack(
      clients.cloudformation,
      stackOf(next, 'nodepool', 'general'),
      region,
      imageId,
    );
    expect(updated.StackStatus).toBe('UPDATE_COMPLETE');

    const outputs = outputsOf(updated);
    const group = await autoScalingGroup(outputs.WorkerAutoScalingGroupName ?? '');
    const versions = await launchTemplateVersions(group.LaunchTemplate?.LaunchTemplateId ?? '');
    expect(versions.map((v) => [v.VersionNumber, v.LaunchTemplateData?.InstanceType])).toEqual([
      [1, 'm5.xlarge'],
      [2, 'm5.2xlarge'],
    ]);
    expect(group.LaunchTemplate?.Version).toBe('2');
    for (const stack of rendered.stacks.filter((s) => s.nodePool !== 'general')) {
      expect(
        (await describeStack(clients.cloudformation, stack.name)).LastUpdatedTime,
        stack.name,
      ).toBeUndefined();
    }
    for (const pool of ['spot', 'gpu']) {
      const other = outputsOf(
        await describeStack(clients.cloudformation, stackOf(rendered, 'nodepool', pool).name),
      );
      const otherGroup = await autoScalingGroup(other.WorkerAutoScalingGroupName ?? '');
      expect(
        await launchTemplateVersions(otherGroup.LaunchTemplate?.LaunchTemplateId ?? ''),
        pool,
      ).toHaveLength(1);
    }
  });
});

describe('private subnets, a network load balancer and an internal classic one, deployed', () => {
  let spec: ClusterSpec;
  let rendered: RenderedCluster;

  beforeAll(async () => {
    spec = await deployable(privateNetworkSpec(), `pn-${unique()}`);
    // The variant keeps its artifacts in the team's own bucket (spec s3URI).
    await clients.s3.send(new CreateBucketCommand({ Bucket: 'team-bucket' })).catch(() => undefined);
    rendered = renderCluster({
      spec,
      assets: fakeAssets(),
      artifacts: { bucket: 'team-bucket', rootPrefix: 'kaws/' },
    });
    await uploadArtifacts(clients.s3, rendered, 'team-bucket');
    for (const stack of rendered.stacks) {
      expect(
        (await createStack(clients.cloudformation, stack, region, imageId)).StackStatus,
        stack.name,
      ).toBe('CREATE_COMPLETE');
    }
  });

  it('routes each private subnet through a NAT gateway in a public subnet', async () => {
    const network = await resourcesOf(clients.cloudformation, stackOf(rendered, 'network').name);
    const nat = await clients.ec2.send(
      new DescribeNatGatewaysCommand({
        NatGatewayIds: ['UsEast1a', 'UsEast1b', 'UsEast1c'].map((z) => network[`NatGateway${z}`] ?? ''),
      }),
    );
    // us-east-1c has no public subnet: its NAT gateway lives in the first public one.
    expect(nat.NatGateways?.map((n) => n.SubnetId).sort()).toEqual(
      [network.SubnetPublicA, network.SubnetPublicB, network.SubnetPublicA].sort(),
    );
    const tables = await clients.ec2.send(
      new DescribeRouteTablesCommand({ RouteTableIds: [network.PrivateRouteTableUsEast1b ?? ''] }),
    );
    const table = tables.RouteTables?.[0];
    expect(table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')?.NatGatewayId).toBe(
      network.NatGatewayUsEast1b,
    );
    expect(table?.Associations?.map((a) => a.SubnetId)).toEqual([network.SubnetPrivateB]);
  });

  it('serves the API on TCP 443 through the network load balancer, and internally through the classic one', async () => {
    const controlPlane = await resourcesOf(clients.cloudformation, stackOf(rendered, 'control-plane').name);
    const nlb = (
      await clients.elbv2.send(
        new DescribeLoadBalancersCommand({
          LoadBalancerArns: [controlPlane.ApiEndpointPublicLoadBalancer ?? ''],
        }),
      )
    ).LoadBalancers?.[0];
    expect(nlb).toMatchObject({ Type: 'network', Scheme: 'internet-facing' });
    const listeners = await clients.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: nlb?.LoadBalancerArn }),
    );
    expect(
      listeners.Listeners?.map((l) => [l.Port, l.Protocol, l.DefaultActions?.[0]?.TargetGroupArn]),
    ).toEqual([[443, 'TCP', controlPlane.ApiEndpointPublicTargetGroup]]);
    const targetGroup = (
      await clients.elbv2.send(
        new DescribeTargetGroupsCommand({
          TargetGroupArns: [controlPlane.ApiEndpointPublicTargetGroup ?? ''],
        }),
      )
    ).TargetGroups?.[0];
    expect(targetGroup).toMatchObject({
      Protocol: 'TCP',
      Port: 443,
      HealthCheckProtocol: 'HTTPS',
      HealthCheckPath: '/healthz',
    });
    const internal = (
      await clients.elb.send(
        new DescribeClassicLoadBalancersCommand({
          LoadBalancerNames: [controlPlane.ApiEndpointInternalLoadBalancer ?? ''],
        }),
      )
    ).LoadBalancerDescriptions?.[0];
    expect(internal?.Scheme).toBe('internal');
    const group = await autoScalingGroup(controlPlane.ControllerAutoScalingGroup ?? '');
    expect(group.TargetGroupARNs).toEqual([controlPlane.ApiEndpointPublicTargetGroup]);
    expect(group.LoadBalancerNames).toEqual([controlPlane.ApiEndpointInternalLoadBalancer]);
    // Only the public endpoint has a managed record; it points at the network load balancer.
    const endpoint = spec.apiEndpoints[0];
    const record = (await recordSets(endpoint?.loadBalancer.hostedZone.id ?? '')).find(
      (r) => r.Type === 'CNAME',
    );
    expect(record).toMatchObject({
      Name: endpoint?.dnsName,
      ResourceRecords: [{ Value: nlb?.DNSName }],
    });
    expect(controlPlane.ApiEndpointInternalRecordSet).toBeUndefined();
  });
});

it('deploys a template over 51,200 bytes from S3 (TemplateURL)', async () => {
  const spec = await deployable(exampleSpec('ha-cluster'), `big-${unique()}`);
  spec.subnets = Array.from({ length: 48 }, (_, i) => ({
    name: `s${i}`,
    availabilityZone: `us-east-1${'abc'[i % 3]}`,
    instanceCIDR: `10.0.${i}.0/24`,
    private: false,
  }));
  for (const endpoint of spec.apiEndpoints) endpoint.loadBalancer.subnets = ['s0', 's1', 's2'];
  spec.controller.subnets = ['s0'];
  spec.etcd.subnets = ['s0'];
  for (const pool of spec.worker.nodePools) pool.subnets = ['s0'];
  const rendered = render(spec);
  const network = stackOf(rendered, 'network');
  expect(network.templateLocation.kind).toBe('s3');
  await uploadArtifacts(clients.s3, rendered, cloud.resources.bucketName);
  expect((await createStack(clients.cloudformation, network, region, imageId)).StackStatus).toBe(
    'CREATE_COMPLETE',
  );
  const vpcId = outputsOf(await describeStack(clients.cloudformation, network.name)).VpcId;
  const subnets = await clients.ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId ?? ''] }] }),
  );
  expect(subnets.Subnets).toHaveLength(48);
});

/**
 * Each named fix in local/moto/fixes.py, shown on the smallest template that needs it: deployed into
 * the local cloud, the resource looks as AWS documents it. Without the fix, each test fails.
 */
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateStackCommand,
  DescribeStackResourcesCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeImagesCommand,
  DescribeRouteTablesCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand as DescribeClassicLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { localCloud } from '../support/local-cloud.ts';

const { clients, region } = localCloud();
const unique = () => Math.random().toString(36).slice(2, 8);

/** A VPC with one subnet (and a security group): what most fixes need around them. */
const network = (zone = `${region}a`) => ({
  Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.90.0.0/16' } },
  Subnet: {
    Type: 'AWS::EC2::Subnet',
    Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.90.1.0/24', AvailabilityZone: zone },
  },
  Group: {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: { GroupDescription: 'fix test', VpcId: { Ref: 'Vpc' } },
  },
});

async function deploy(resources: Record<string, unknown>, name = `fix-${unique()}`) {
  await clients.cloudformation.send(
    new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify({ Resources: resources }) }),
  );
  const result = await clients.cloudformation.send(new DescribeStackResourcesCommand({ StackName: name }));
  const ids = Object.fromEntries(
    (result.StackResources ?? []).map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '']),
  );
  return { name, ids };
}

describe('moto fixes (local/moto/fixes.py)', () => {
  it('elbv2_load_balancer_type_from_cloudformation: a network load balancer with a TCP listener', async () => {
    const { ids } = await deploy({
      ...network(),
      SecondSubnet: {
        Type: 'AWS::EC2::Subnet',
        Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.90.2.0/24', AvailabilityZone: `${region}b` },
      },
      Nlb: {
        Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        Properties: { Type: 'network', Subnets: [{ Ref: 'Subnet' }, { Ref: 'SecondSubnet' }] },
      },
      Targets: {
        Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        Properties: { Protocol: 'TCP', Port: 443, VpcId: { Ref: 'Vpc' } },
      },
      Listener: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: {
          LoadBalancerArn: { Ref: 'Nlb' },
          Port: 443,
          Protocol: 'TCP',
          DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Targets' } }],
        },
      },
    });
    const lb = (
      await clients.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [ids.Nlb ?? ''] }))
    ).LoadBalancers?.[0];
    expect(lb?.Type).toBe('network');
    const listeners = await clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: ids.Nlb }));
    expect(listeners.Listeners?.map((l) => [l.Port, l.Protocol])).toEqual([[443, 'TCP']]);
  });

  it('route53_private_hosted_zone_from_cloudformation: a zone with VPCs is private and associated', async () => {
    const zoneName = `fix-${unique()}.kaws.internal`;
    const { ids } = await deploy({
      ...network(),
      Zone: {
        Type: 'AWS::Route53::HostedZone',
        Properties: {
          Name: zoneName,
          HostedZoneConfig: { Comment: 'private names' },
          VPCs: [{ VPCId: { Ref: 'Vpc' }, VPCRegion: region }],
        },
      },
    });
    const zone = await clients.route53.send(new GetHostedZoneCommand({ Id: ids.Zone }));
    expect(zone.HostedZone?.Config).toMatchObject({ PrivateZone: true, Comment: 'private names' });
    expect(zone.VPCs).toEqual([{ VPCId: ids.Vpc, VPCRegion: region }]);
  });

  it('ec2_volume_properties_from_cloudformation: encryption, type, IOPS and tags of a volume', async () => {
    const { ids } = await deploy({
      Volume: {
        Type: 'AWS::EC2::Volume',
        Properties: {
          AvailabilityZone: `${region}a`,
          Size: 20,
          Encrypted: true,
          VolumeType: 'io1',
          Iops: 1000,
          Tags: [{ Key: 'kaws:etcd-member', Value: '0' }],
        },
      },
    });
    const volume = (await clients.ec2.send(new DescribeVolumesCommand({ VolumeIds: [ids.Volume ?? ''] })))
      .Volumes?.[0];
    expect(volume).toMatchObject({ Size: 20, Encrypted: true, VolumeType: 'io1', Iops: 1000 });
    expect(volume?.Tags).toContainEqual({ Key: 'kaws:etcd-member', Value: '0' });
  });

  it('elb_subnets_and_security_groups_from_cloudformation: a classic load balancer in a VPC', async () => {
    const { ids } = await deploy({
      ...network(),
      Elb: {
        Type: 'AWS::ElasticLoadBalancing::LoadBalancer',
        Properties: {
          Subnets: [{ Ref: 'Subnet' }],
          SecurityGroups: [{ 'Fn::GetAtt': ['Group', 'GroupId'] }],
          Listeners: [{ LoadBalancerPort: '443', Protocol: 'TCP', InstancePort: '443' }],
        },
      },
    });
    const lb = (
      await clients.elb.send(new DescribeClassicLoadBalancersCommand({ LoadBalancerNames: [ids.Elb ?? ''] }))
    ).LoadBalancerDescriptions?.[0];
    expect(lb).toMatchObject({ Subnets: [ids.Subnet], SecurityGroups: [ids.Group], VPCId: ids.Vpc });
  });

  it('subnet_route_table_association_from_cloudformation: the association shows on the route table', async () => {
    const { ids } = await deploy({
      ...network(),
      Table: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { Ref: 'Vpc' } } },
      Association: {
        Type: 'AWS::EC2::SubnetRouteTableAssociation',
        Properties: { SubnetId: { Ref: 'Subnet' }, RouteTableId: { Ref: 'Table' } },
      },
    });
    const table = (
      await clients.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [ids.Table ?? ''] }))
    ).RouteTables?.[0];
    expect(table?.Associations?.map((a) => a.SubnetId)).toEqual([ids.Subnet]);
  });

  it('cloudformation_update_reaches_dependents: a group follows its launch template to the new version', async () => {
    const imageId = (await clients.ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
    const template = (instanceType: string) => ({
      Resources: {
        ...network(),
        Launch: {
          Type: 'AWS::EC2::LaunchTemplate',
          Properties: { LaunchTemplateData: { ImageId: imageId, InstanceType: instanceType } },
        },
        Group: {
          Type: 'AWS::AutoScaling::AutoScalingGroup',
          Properties: {
            MinSize: '1',
            MaxSize: '1',
            VPCZoneIdentifier: [{ Ref: 'Subnet' }],
            LaunchTemplate: {
              LaunchTemplateId: { Ref: 'Launch' },
              Version: { 'Fn::GetAtt': ['Launch', 'LatestVersionNumber'] },
            },
          },
        },
      },
    });
    const name = `fix-${unique()}`;
    await clients.cloudformation.send(
      new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template('t3.small')) }),
    );
    await clients.cloudformation.send(
      new UpdateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template('t3.large')) }),
    );
    const resources = await clients.cloudformation.send(
      new DescribeStackResourcesCommand({ StackName: name }),
    );
    const groupName = resources.StackResources?.find(
      (r) => r.LogicalResourceId === 'Group',
    )?.PhysicalResourceId;
    const group = (
      await clients.autoscaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName ?? ''] }),
      )
    ).AutoScalingGroups?.[0];
    expect(group?.LaunchTemplate?.Version).toBe('2');
  });
});

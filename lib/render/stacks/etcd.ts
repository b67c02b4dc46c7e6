/**
 * The etcd stack: one member per instance, each with a stable identity that outlives its instance,
 * as kube-aws 0.9.5+ did: its own Auto Scaling group of one, a fixed network interface whose
 * address the member's DNS name (`etcd<i>.<cluster>.kaws.internal`, a private zone in the VPC)
 * points at, and an encrypted EBS data volume. A replacement instance attaches both at boot
 * (templates/userdata/etcd/kaws-etcd-member) and rejoins with its data.
 *
 * Members roll one at a time: each group depends on the previous one, so CloudFormation updates
 * them in order and waits for each member's health signal.
 */
import type { ClusterSpec, Subnet } from '../../spec/types.ts';
import {
  cfnLintIgnore,
  getAtt,
  type Json,
  type Resource,
  ref,
  SPEC_AVAILABILITY_ZONE,
  type Template,
  tagList,
} from '../cfn.ts';
import type { RenderInput } from '../input.ts';
import { etcdIds, nodeIds, roleIds, securityGroups } from '../logical-ids.ts';
import { etcdMemberDnsName, privateZoneName, tagKeys } from '../naming.ts';
import type { NodeConfig } from '../userdata/roles.ts';
import {
  iamStatement,
  imageIdParameter,
  importSecurityGroupId,
  importSubnetIds,
  importVpcId,
  launchTemplateReference,
  launchTemplateResource,
  nodeIamResources,
  rollingPolicies,
} from './shared.ts';

/** The subnet of member `index`: the spec's etcd subnets, round-robin. */
export function etcdMemberSubnet(spec: ClusterSpec, index: number): Subnet {
  const names = spec.etcd.subnets.length > 0 ? spec.etcd.subnets : spec.subnets.map((s) => s.name);
  const name = names[index % names.length];
  const subnet = spec.subnets.find((s) => s.name === name);
  if (!subnet) throw new Error(`etcd subnet ${name} is not among the spec's subnets`);
  return subnet;
}

export function etcdTemplate(input: RenderInput, userdata: NodeConfig): Template {
  const { spec } = input;
  const cluster = spec.clusterName;
  const role = roleIds.etcd;
  const resources: Record<string, Resource> = {
    ...nodeIamResources(input, { roleId: role, role: 'etcd', configName: userdata.name }, [
      // Find and attach this member's interface and volume; only the cluster's own.
      iamStatement('FindMemberIdentity', ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVolumes'], '*'),
      iamStatement('AttachMemberIdentity', ['ec2:AttachNetworkInterface', 'ec2:AttachVolume'], '*', {
        StringEquals: { [`aws:ResourceTag/${tagKeys.cluster}`]: cluster },
      }),
    ]),
    [nodeIds.launchTemplate(role)]: launchTemplateResource(spec, {
      roleId: role,
      role: 'etcd',
      instanceType: spec.etcd.instanceType,
      rootVolume: spec.etcd.rootVolume,
      securityGroupIds: [importSecurityGroupId(spec, securityGroups.etcd)],
      userdata: userdata.bootstrap,
    }),
    [etcdIds.privateHostedZone]: {
      Type: 'AWS::Route53::HostedZone',
      Properties: {
        Name: privateZoneName(cluster),
        HostedZoneConfig: { Comment: `kaws ${cluster}: stable names of etcd members` },
        VPCs: [{ VPCId: importVpcId(spec), VPCRegion: ref('AWS::Region') }],
        HostedZoneTags: tagList({ [tagKeys.cluster]: cluster }),
      },
    },
  };

  const recordSets: string[] = [];
  for (let index = 0; index < spec.etcd.count; index++) {
    const subnet = etcdMemberSubnet(spec, index);
    const memberTags = { [tagKeys.cluster]: cluster, [tagKeys.etcdMember]: String(index) };
    resources[etcdIds.memberNetworkInterface(index)] = {
      Type: 'AWS::EC2::NetworkInterface',
      Properties: {
        Description: `${cluster} etcd member ${index}`,
        SubnetId: importSubnetIds(spec, [subnet.name])[0] as Json,
        GroupSet: [importSecurityGroupId(spec, securityGroups.etcd)],
        Tags: tagList({ Name: `${cluster}-etcd${index}`, ...memberTags }),
      },
    };
    const { dataVolume } = spec.etcd;
    resources[etcdIds.memberDataVolume(index)] = {
      Type: 'AWS::EC2::Volume',
      Metadata: cfnLintIgnore(SPEC_AVAILABILITY_ZONE),
      // The member's data: snapshot it rather than lose it when the stack deletes or replaces it.
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: {
        AvailabilityZone: subnet.availabilityZone,
        Encrypted: dataVolume.encrypted,
        Size: dataVolume.size,
        VolumeType: dataVolume.type,
        ...(dataVolume.iops !== undefined ? { Iops: dataVolume.iops } : {}),
        Tags: tagList({ Name: `${cluster}-etcd${index}-data`, ...memberTags }),
      },
    };
    resources[etcdIds.memberRecordSet(index)] = {
      Type: 'AWS::Route53::RecordSet',
      Properties: {
        HostedZoneId: ref(etcdIds.privateHostedZone),
        Name: etcdMemberDnsName(cluster, index),
        Type: 'A',
        TTL: '60',
        ResourceRecords: [getAtt(etcdIds.memberNetworkInterface(index), 'PrimaryPrivateIpAddress')],
      },
    };
    recordSets.push(etcdIds.memberRecordSet(index));
  }

  for (let index = 0; index < spec.etcd.count; index++) {
    const subnet = etcdMemberSubnet(spec, index);
    resources[etcdIds.memberAutoScalingGroup(index)] = {
      Type: 'AWS::AutoScaling::AutoScalingGroup',
      // Every member resolves every peer's name at boot; member i rolls after member i-1.
      DependsOn: [...recordSets, ...(index > 0 ? [etcdIds.memberAutoScalingGroup(index - 1)] : [])],
      // A group of one: the old member stops before the new one takes its volume and interface.
      ...rollingPolicies(1, 0),
      Properties: {
        MinSize: '1',
        MaxSize: '1',
        DesiredCapacity: '1',
        VPCZoneIdentifier: importSubnetIds(spec, [subnet.name]),
        LaunchTemplate: launchTemplateReference(role),
        HealthCheckType: 'EC2',
        Tags: tagList(
          {
            Name: `${cluster}-etcd${index}`,
            [tagKeys.etcdMember]: String(index),
            [tagKeys.signalResource]: etcdIds.memberAutoScalingGroup(index),
          },
          { PropagateAtLaunch: true },
        ),
      },
    };
  }

  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `kaws ${cluster}: etcd (${spec.etcd.count} members, each with a fixed interface, name and data volume)`,
    Parameters: { [nodeIds.imageIdParameter]: imageIdParameter(spec, spec.etcd.instanceType) },
    Resources: resources,
    Outputs: {
      [etcdIds.outputPrivateHostedZoneId]: {
        Description: `The private zone ${privateZoneName(cluster)}`,
        Value: ref(etcdIds.privateHostedZone),
      },
    },
  };
}

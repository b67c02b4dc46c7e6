/**
 * A node pool's stack (one per pool, so a pool rolls, scales or goes away on its own): a launch
 * template (on-demand or spot, the pool's labels and taints in its userdata) and an Auto Scaling
 * group that rolls one node at a time, each new node signalling once its kubelet is healthy.
 */
import type { NodePoolSpec } from '../../spec/types.ts';
import { ref, type Template, tagList } from '../cfn.ts';
import type { RenderInput } from '../input.ts';
import { nodeIds, nodePoolIds, roleIds, securityGroups } from '../logical-ids.ts';
import { tagKeys } from '../naming.ts';
import type { NodeConfig } from '../userdata/roles.ts';
import {
  imageIdParameter,
  importSecurityGroupId,
  importSubnetIds,
  launchTemplateReference,
  launchTemplateResource,
  nodeIamResources,
  rollingPolicies,
} from './shared.ts';

export function nodePoolTemplate(input: RenderInput, pool: NodePoolSpec, userdata: NodeConfig): Template {
  const { spec } = input;
  const role = roleIds.worker;
  const subnetNames = pool.subnets.length > 0 ? pool.subnets : spec.subnets.map((s) => s.name);
  const asg = pool.autoScalingGroup;
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `kaws ${spec.clusterName}: node pool ${pool.name} (${pool.instanceType}${pool.spotPrice ? ', spot' : ''})`,
    Parameters: { [nodeIds.imageIdParameter]: imageIdParameter(spec, pool.instanceType) },
    Resources: {
      ...nodeIamResources(input, { roleId: role, role: 'worker', configName: userdata.name }, []),
      [nodeIds.launchTemplate(role)]: launchTemplateResource(spec, {
        roleId: role,
        role: 'worker',
        instanceType: pool.instanceType,
        rootVolume: pool.rootVolume,
        securityGroupIds: [importSecurityGroupId(spec, securityGroups.worker)],
        userdata: userdata.bootstrap,
        ...(pool.spotPrice ? { spotPrice: pool.spotPrice } : {}),
        extraTags: { [tagKeys.nodePool]: pool.name },
      }),
      [nodePoolIds.autoScalingGroup]: {
        Type: 'AWS::AutoScaling::AutoScalingGroup',
        ...rollingPolicies(pool.count, asg.rollingUpdateMinInstancesInService),
        Properties: {
          MinSize: String(asg.minSize),
          MaxSize: String(asg.maxSize),
          DesiredCapacity: String(pool.count),
          VPCZoneIdentifier: importSubnetIds(spec, subnetNames),
          LaunchTemplate: launchTemplateReference(role),
          HealthCheckType: 'EC2',
          Tags: tagList(
            {
              Name: `${spec.clusterName}-${pool.name}`,
              [tagKeys.nodePool]: pool.name,
              [tagKeys.signalResource]: nodePoolIds.autoScalingGroup,
            },
            { PropagateAtLaunch: true },
          ),
        },
      },
    },
    Outputs: {
      [nodePoolIds.outputAutoScalingGroupName]: {
        Description: `The Auto Scaling group of node pool ${pool.name}`,
        Value: ref(nodePoolIds.autoScalingGroup),
      },
    },
  };
}

/**
 * The control-plane stack: controllers (kubelet + API server, controller manager and scheduler as
 * static pods) in one Auto Scaling group behind each API endpoint's load balancer (classic or
 * network, TCP 443 passed through to the API servers, which terminate TLS), and a Route 53 record
 * per endpoint when the spec lets kaws manage it.
 */
import type { ApiEndpoint, ClusterSpec } from '../../spec/types.ts';
import { getAtt, type Json, type Resource, ref, type Template, tagList } from '../cfn.ts';
import type { RenderInput } from '../input.ts';
import { controlPlaneIds, nodeIds, roleIds, securityGroups } from '../logical-ids.ts';
import { tagKeys } from '../naming.ts';
import type { NodeConfig } from '../userdata/roles.ts';
import {
  imageIdParameter,
  importSecurityGroupId,
  importSubnetIds,
  importVpcId,
  launchTemplateReference,
  launchTemplateResource,
  nodeIamResources,
  rollingPolicies,
} from './shared.ts';

/**
 * The subnets of an endpoint's load balancer: the spec's list, else every public subnet (every
 * private one for an internal load balancer), one per availability zone at most (AWS's rule).
 */
export function loadBalancerSubnets(spec: ClusterSpec, endpoint: ApiEndpoint): string[] {
  if (endpoint.loadBalancer.subnets.length > 0) return endpoint.loadBalancer.subnets;
  const zones = new Set<string>();
  return spec.subnets
    .filter((s) => s.private === endpoint.loadBalancer.private)
    .filter((s) => !zones.has(s.availabilityZone) && zones.add(s.availabilityZone))
    .map((s) => s.name);
}

function loadBalancerResources(spec: ClusterSpec, endpoint: ApiEndpoint): Record<string, Resource> {
  const lb = endpoint.loadBalancer;
  const name = endpoint.name;
  const subnets = importSubnetIds(spec, loadBalancerSubnets(spec, endpoint));
  const securityGroupIds = [importSecurityGroupId(spec, securityGroups.apiLoadBalancer(name))];
  const tags = tagList({ Name: `${spec.clusterName}-api-${name}`, [tagKeys.cluster]: spec.clusterName });
  const resources: Record<string, Resource> = {};
  if (lb.type === 'classic') {
    resources[controlPlaneIds.loadBalancer(name)] = {
      Type: 'AWS::ElasticLoadBalancing::LoadBalancer',
      Properties: {
        Scheme: lb.private ? 'internal' : 'internet-facing',
        Subnets: subnets,
        SecurityGroups: securityGroupIds,
        CrossZone: true,
        ConnectionDrainingPolicy: { Enabled: true, Timeout: 30 },
        // TCP pass-through: the API servers terminate TLS and see the client certificates.
        Listeners: [
          { LoadBalancerPort: '443', Protocol: 'TCP', InstancePort: '443', InstanceProtocol: 'TCP' },
        ],
        HealthCheck: {
          Target: 'TCP:443',
          HealthyThreshold: '3',
          UnhealthyThreshold: '3',
          Interval: '10',
          Timeout: '5',
        },
        Tags: tags,
      },
    };
  } else {
    resources[controlPlaneIds.loadBalancer(name)] = {
      Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      Properties: {
        Type: 'network',
        Scheme: lb.private ? 'internal' : 'internet-facing',
        Subnets: subnets,
        SecurityGroups: securityGroupIds,
        LoadBalancerAttributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }],
        Tags: tags,
      },
    };
    resources[controlPlaneIds.targetGroup(name)] = {
      Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
      Properties: {
        Protocol: 'TCP',
        Port: 443,
        TargetType: 'instance',
        VpcId: importVpcId(spec),
        // /healthz is open to anonymous clients: a controller whose API server is down gets no traffic.
        HealthCheckProtocol: 'HTTPS',
        HealthCheckPath: '/healthz',
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 3,
        UnhealthyThresholdCount: 3,
        TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
        Tags: tags,
      },
    };
    resources[controlPlaneIds.listener(name)] = {
      Type: 'AWS::ElasticLoadBalancingV2::Listener',
      Properties: {
        LoadBalancerArn: ref(controlPlaneIds.loadBalancer(name)),
        Port: 443,
        Protocol: 'TCP',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: ref(controlPlaneIds.targetGroup(name)) }],
      },
    };
  }
  // The zone by id, or by name (kube-aws 0.9's `hostedZone`), which CloudFormation wants fully qualified.
  const zone: Record<string, string> | undefined = lb.hostedZone.id
    ? { HostedZoneId: lb.hostedZone.id }
    : lb.hostedZone.name
      ? { HostedZoneName: `${lb.hostedZone.name}.` }
      : undefined;
  if (lb.recordSetManaged && zone) {
    // A CNAME, as kube-aws made: the record keeps the spec's TTL (an alias record has none).
    resources[controlPlaneIds.recordSet(name)] = {
      Type: 'AWS::Route53::RecordSet',
      Properties: {
        ...zone,
        Name: endpoint.dnsName,
        Type: 'CNAME',
        TTL: String(lb.recordSetTTL),
        ResourceRecords: [getAtt(controlPlaneIds.loadBalancer(name), 'DNSName')],
      },
    };
  }
  return resources;
}

export function controlPlaneTemplate(input: RenderInput, userdata: NodeConfig): Template {
  const { spec } = input;
  const role = roleIds.controller;
  const controller = spec.controller;
  const resources: Record<string, Resource> = {
    // Nothing beyond every node's own: no cloud provider runs on the controllers (see templates/README.md).
    ...nodeIamResources(input, { roleId: role, role: 'controller', configName: userdata.name }, []),
    [nodeIds.launchTemplate(role)]: launchTemplateResource(spec, {
      roleId: role,
      role: 'controller',
      instanceType: controller.instanceType,
      rootVolume: controller.rootVolume,
      securityGroupIds: [importSecurityGroupId(spec, securityGroups.controller)],
      userdata: userdata.bootstrap,
    }),
  };
  for (const endpoint of spec.apiEndpoints) Object.assign(resources, loadBalancerResources(spec, endpoint));

  const classic = spec.apiEndpoints.filter((e) => e.loadBalancer.type === 'classic');
  const network = spec.apiEndpoints.filter((e) => e.loadBalancer.type === 'network');
  const subnetNames = controller.subnets.length > 0 ? controller.subnets : spec.subnets.map((s) => s.name);
  resources[controlPlaneIds.autoScalingGroup] = {
    Type: 'AWS::AutoScaling::AutoScalingGroup',
    ...rollingPolicies(controller.count, controller.autoScalingGroup.rollingUpdateMinInstancesInService),
    Properties: {
      MinSize: String(controller.autoScalingGroup.minSize),
      MaxSize: String(controller.autoScalingGroup.maxSize),
      DesiredCapacity: String(controller.count),
      VPCZoneIdentifier: importSubnetIds(spec, subnetNames),
      LaunchTemplate: launchTemplateReference(role),
      HealthCheckType: 'EC2',
      ...(classic.length > 0
        ? { LoadBalancerNames: classic.map((e): Json => ref(controlPlaneIds.loadBalancer(e.name))) }
        : {}),
      ...(network.length > 0
        ? { TargetGroupARNs: network.map((e): Json => ref(controlPlaneIds.targetGroup(e.name))) }
        : {}),
      Tags: tagList(
        {
          Name: `${spec.clusterName}-controller`,
          [tagKeys.signalResource]: controlPlaneIds.autoScalingGroup,
        },
        { PropagateAtLaunch: true },
      ),
    },
  };

  const outputs: Template['Outputs'] = {};
  for (const endpoint of spec.apiEndpoints) {
    outputs[controlPlaneIds.outputLoadBalancerDnsName(endpoint.name)] = {
      Description: `DNS name of the load balancer of API endpoint ${endpoint.name} (${endpoint.dnsName})`,
      Value: getAtt(controlPlaneIds.loadBalancer(endpoint.name), 'DNSName'),
    };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `kaws ${spec.clusterName}: control plane (controllers, API load balancers, DNS records)`,
    Parameters: { [nodeIds.imageIdParameter]: imageIdParameter(spec, controller.instanceType) },
    Resources: resources,
    Outputs: outputs,
  };
}

/**
 * The network stack: the VPC (new, or the spec's existing one), one subnet per spec subnet, routing
 * (internet gateway for public subnets, one NAT gateway per availability zone for private ones, or
 * the spec's existing route table), and the security groups of every role. Everything later stacks
 * need is exported and read there with Fn::ImportValue (see exportNames in naming.ts).
 */
import type { ClusterSpec, Subnet } from '../../spec/types.ts';
import {
  cfnLintIgnore,
  getAtt,
  type Json,
  type Output,
  type Resource,
  ref,
  SPEC_AVAILABILITY_ZONE,
  type Template,
  tagList,
} from '../cfn.ts';
import { logicalName, networkIds, securityGroups } from '../logical-ids.ts';
import { exportNames, tagKeys } from '../naming.ts';

/** One ingress rule between peers: `to` accepts `protocol/ports` from `from`. */
interface PeerRule {
  to: string;
  from: string;
  protocol: 'tcp' | 'udp';
  fromPort: number;
  toPort: number;
  /** Suffix of the rule's logical ID; says what the rule is for. */
  name: string;
  description: string;
}

const HTTPS = 443;
const KUBELET = 10250;
const FLANNEL_VXLAN = 8472;
const ETCD_CLIENT = 2379;
const ETCD_PEER = 2380;

/** Every peer-to-peer port the cluster needs; nothing else is open between roles. */
function peerRules(spec: ClusterSpec): PeerRule[] {
  const { controller, worker, etcd } = securityGroups;
  const rule = (
    to: string,
    from: string,
    protocol: 'tcp' | 'udp',
    port: number | [number, number],
    name: string,
    description: string,
  ): PeerRule => {
    const [fromPort, toPort] = typeof port === 'number' ? [port, port] : port;
    return { to, from, protocol, fromPort, toPort, name, description };
  };
  return [
    ...spec.apiEndpoints.map((endpoint) =>
      rule(
        controller,
        securityGroups.apiLoadBalancer(endpoint.name),
        'tcp',
        HTTPS,
        `ApiFrom${securityGroups.apiLoadBalancer(endpoint.name)}`,
        `Kubernetes API from the ${endpoint.name} endpoint's load balancer`,
      ),
    ),
    rule(controller, controller, 'tcp', HTTPS, 'ApiFromController', 'Kubernetes API from controllers'),
    rule(controller, worker, 'tcp', HTTPS, 'ApiFromWorker', 'Kubernetes API from workers and their pods'),
    rule(controller, controller, 'tcp', KUBELET, 'KubeletFromController', 'kubelet API from API servers'),
    rule(controller, controller, 'udp', FLANNEL_VXLAN, 'VxlanFromController', 'pod network (VXLAN)'),
    rule(controller, worker, 'udp', FLANNEL_VXLAN, 'VxlanFromWorker', 'pod network (VXLAN)'),
    rule(worker, controller, 'tcp', KUBELET, 'KubeletFromController', 'kubelet API from API servers'),
    rule(worker, controller, 'udp', FLANNEL_VXLAN, 'VxlanFromController', 'pod network (VXLAN)'),
    rule(worker, worker, 'udp', FLANNEL_VXLAN, 'VxlanFromWorker', 'pod network (VXLAN)'),
    rule(etcd, controller, 'tcp', ETCD_CLIENT, 'ClientFromController', 'etcd clients (API servers)'),
    rule(etcd, etcd, 'tcp', [ETCD_CLIENT, ETCD_PEER], 'PeerFromEtcd', 'etcd peers and member health'),
  ];
}

/** The availability zones of the spec's private subnets, in spec order, each once. */
function privateZones(spec: ClusterSpec): string[] {
  return [...new Set(spec.subnets.filter((s) => s.private).map((s) => s.availabilityZone))];
}

/** The public subnet a zone's NAT gateway lives in: one in the same zone if any, else the first public one. */
export function natSubnetFor(spec: ClusterSpec, zone: string): Subnet | undefined {
  const publicSubnets = spec.subnets.filter((s) => !s.private);
  return publicSubnets.find((s) => s.availabilityZone === zone) ?? publicSubnets[0];
}

/** How the network stack refers to a subnet: the one it creates, or the spec's existing id. */
function subnetIdValue(subnet: Subnet): Json {
  return subnet.id ?? ref(networkIds.subnet(subnet.name));
}

export function networkTemplate(spec: ClusterSpec): Template {
  const cluster = spec.clusterName;
  const ownVpc = !spec.vpc.id;
  const vpcId: Json = spec.vpc.id ?? ref(networkIds.vpc);
  const resources: Record<string, Resource> = {};
  const nameTag = (name: string) => ({ Name: `${cluster}-${name}`, [tagKeys.cluster]: cluster });
  const clusterOwnership = { [tagKeys.kubernetesCluster(cluster)]: ownVpc ? 'owned' : 'shared' };

  if (ownVpc) {
    resources[networkIds.vpc] = {
      Type: 'AWS::EC2::VPC',
      Properties: {
        CidrBlock: spec.vpc.cidr,
        EnableDnsHostnames: true,
        EnableDnsSupport: true,
        Tags: tagList({ ...nameTag('vpc'), ...clusterOwnership }),
      },
    };
  }

  // The internet gateway: kaws creates one for its own VPC, unless the spec names one to attach.
  const internetGatewayId: Json | undefined =
    spec.internetGateway.id ?? (ownVpc ? ref(networkIds.internetGateway) : undefined);
  if (ownVpc && !spec.internetGateway.id) {
    resources[networkIds.internetGateway] = {
      Type: 'AWS::EC2::InternetGateway',
      Properties: { Tags: tagList(nameTag('igw')) },
    };
  }
  if (ownVpc && internetGatewayId) {
    resources[networkIds.vpcGatewayAttachment] = {
      Type: 'AWS::EC2::VPCGatewayAttachment',
      Properties: { InternetGatewayId: internetGatewayId, VpcId: vpcId },
    };
  }
  // A route table of kaws's own for public subnets, when kaws knows the gateway and the spec names no table.
  const ownPublicRouteTable = !spec.routeTableId && internetGatewayId !== undefined;
  if (ownPublicRouteTable) {
    resources[networkIds.publicRouteTable] = {
      Type: 'AWS::EC2::RouteTable',
      Properties: { VpcId: vpcId, Tags: tagList(nameTag('public')) },
    };
    resources[networkIds.publicRouteToInternet] = {
      Type: 'AWS::EC2::Route',
      ...(ownVpc ? { DependsOn: [networkIds.vpcGatewayAttachment] } : {}),
      Properties: {
        RouteTableId: ref(networkIds.publicRouteTable),
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: internetGatewayId,
      },
    };
  }

  // One NAT gateway and route table per zone with private subnets (a zone's outage stays in the zone).
  if (!spec.routeTableId) {
    for (const zone of privateZones(spec)) {
      const natSubnet = natSubnetFor(spec, zone);
      if (!natSubnet) continue; // checkRenderLimits reports it
      resources[networkIds.natGatewayAddress(zone)] = {
        Type: 'AWS::EC2::EIP',
        ...(ownVpc ? { DependsOn: [networkIds.vpcGatewayAttachment] } : {}),
        Properties: { Domain: 'vpc', Tags: tagList(nameTag(`nat-${zone}`)) },
      };
      resources[networkIds.natGateway(zone)] = {
        Type: 'AWS::EC2::NatGateway',
        Properties: {
          AllocationId: getAtt(networkIds.natGatewayAddress(zone), 'AllocationId'),
          SubnetId: subnetIdValue(natSubnet),
          Tags: tagList(nameTag(`nat-${zone}`)),
        },
      };
      resources[networkIds.privateRouteTable(zone)] = {
        Type: 'AWS::EC2::RouteTable',
        Properties: { VpcId: vpcId, Tags: tagList(nameTag(`private-${zone}`)) },
      };
      resources[networkIds.privateRouteToNat(zone)] = {
        Type: 'AWS::EC2::Route',
        Properties: {
          RouteTableId: ref(networkIds.privateRouteTable(zone)),
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: ref(networkIds.natGateway(zone)),
        },
      };
    }
  }

  for (const subnet of spec.subnets) {
    if (subnet.id) continue; // an existing subnet keeps its own routing
    resources[networkIds.subnet(subnet.name)] = {
      Type: 'AWS::EC2::Subnet',
      Metadata: cfnLintIgnore(SPEC_AVAILABILITY_ZONE),
      Properties: {
        VpcId: vpcId,
        AvailabilityZone: subnet.availabilityZone,
        CidrBlock: subnet.instanceCIDR,
        MapPublicIpOnLaunch: !subnet.private && spec.mapPublicIPs,
        Tags: tagList({
          ...nameTag(subnet.name),
          ...clusterOwnership,
          // Where the Kubernetes cloud provider puts Service load balancers.
          [subnet.private ? 'kubernetes.io/role/internal-elb' : 'kubernetes.io/role/elb']: '1',
        }),
      },
    };
    const routeTableId: Json | undefined = spec.routeTableId
      ? spec.routeTableId
      : subnet.private
        ? ref(networkIds.privateRouteTable(subnet.availabilityZone))
        : ownPublicRouteTable
          ? ref(networkIds.publicRouteTable)
          : undefined; // existing VPC, no table named: the VPC's main route table applies
    if (routeTableId !== undefined) {
      resources[networkIds.subnetRouteTableAssociation(subnet.name)] = {
        Type: 'AWS::EC2::SubnetRouteTableAssociation',
        Properties: { SubnetId: ref(networkIds.subnet(subnet.name)), RouteTableId: routeTableId },
      };
    }
  }

  // Security groups. Peer rules are separate resources: inline ones that reference each other
  // (controller <-> worker) would be a dependency cycle.
  const groupDescriptions: Array<[string, string, Record<string, string>]> = [
    ...spec.apiEndpoints.map((e): [string, string, Record<string, string>] => [
      securityGroups.apiLoadBalancer(e.name),
      `${cluster} API load balancer of endpoint ${e.name}`,
      {},
    ]),
    [securityGroups.controller, `${cluster} controllers`, clusterOwnership],
    [securityGroups.etcd, `${cluster} etcd members`, {}],
    // The cloud provider adds Service load balancer rules to the group tagged with the cluster.
    [securityGroups.worker, `${cluster} workers`, clusterOwnership],
  ];
  for (const [group, description, extraTags] of groupDescriptions) {
    resources[networkIds.securityGroup(group)] = {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: description,
        VpcId: vpcId,
        Tags: tagList({ ...nameTag(group.toLowerCase()), ...extraTags }),
      },
    };
  }
  for (const endpoint of spec.apiEndpoints) {
    const group = securityGroups.apiLoadBalancer(endpoint.name);
    const ingress = endpoint.loadBalancer.apiAccessAllowedSourceCIDRs.map((cidr) => ({
      CidrIp: cidr,
      Description: 'Kubernetes API clients (apiAccessAllowedSourceCIDRs)',
      FromPort: HTTPS,
      IpProtocol: 'tcp',
      ToPort: HTTPS,
    }));
    const groupResource = resources[networkIds.securityGroup(group)];
    if (groupResource?.Properties) groupResource.Properties.SecurityGroupIngress = ingress;
  }
  for (const rule of peerRules(spec)) {
    resources[networkIds.ingress(rule.to, rule.name)] = {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: getAtt(networkIds.securityGroup(rule.to), 'GroupId'),
        SourceSecurityGroupId: getAtt(networkIds.securityGroup(rule.from), 'GroupId'),
        IpProtocol: rule.protocol,
        FromPort: rule.fromPort,
        ToPort: rule.toPort,
        Description: rule.description,
      },
    };
  }

  const outputs: Record<string, Output> = {
    [networkIds.outputVpcId]: {
      Description: 'The cluster VPC',
      Value: vpcId,
      Export: { Name: exportNames.vpcId(cluster) },
    },
  };
  for (const subnet of spec.subnets) {
    outputs[networkIds.outputSubnetId(subnet.name)] = {
      Description: `Subnet ${subnet.name} (${subnet.availabilityZone})`,
      Value: subnetIdValue(subnet),
      Export: { Name: exportNames.subnetId(cluster, logicalName(subnet.name)) },
    };
  }
  for (const [group, description] of groupDescriptions) {
    outputs[networkIds.outputSecurityGroupId(group)] = {
      Description: description,
      Value: getAtt(networkIds.securityGroup(group), 'GroupId'),
      Export: { Name: exportNames.securityGroupId(cluster, group) },
    };
  }

  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `kaws ${cluster}: network (VPC, subnets, routing, security groups)`,
    Resources: resources,
    Outputs: outputs,
  };
}

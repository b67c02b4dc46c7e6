/**
 * CloudFormation logical IDs, as named constants and functions. Logical IDs are an update contract:
 * renaming one makes CloudFormation replace the resource, so they live here, derived only from names
 * the user chose (subnet, endpoint, pool names), never from positions in a list, except for etcd
 * members, whose index is their identity (etcd0, etcd1, ...).
 */

/**
 * `public-a` -> `PublicA`, `us-east-1a` -> `UsEast1a`: what a user-chosen name contributes to a logical
 * ID (alphanumeric only). Two names that map to the same ID are reported by checkRenderLimits.
 */
export function logicalName(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export const networkIds = {
  vpc: 'VPC',
  internetGateway: 'InternetGateway',
  vpcGatewayAttachment: 'VPCGatewayAttachment',
  publicRouteTable: 'PublicRouteTable',
  publicRouteToInternet: 'PublicRouteToInternet',
  subnet: (subnetName: string) => `Subnet${logicalName(subnetName)}`,
  subnetRouteTableAssociation: (subnetName: string) =>
    `Subnet${logicalName(subnetName)}RouteTableAssociation`,
  natGatewayAddress: (zone: string) => `NatGateway${logicalName(zone)}Address`,
  natGateway: (zone: string) => `NatGateway${logicalName(zone)}`,
  privateRouteTable: (zone: string) => `PrivateRouteTable${logicalName(zone)}`,
  privateRouteToNat: (zone: string) => `PrivateRouteTable${logicalName(zone)}RouteToNat`,
  securityGroup: (group: string) => `${group}SecurityGroup`,
  ingress: (group: string, rule: string) => `${group}SecurityGroupIngress${rule}`,
  outputVpcId: 'VpcId',
  outputSubnetId: (subnetName: string) => `Subnet${logicalName(subnetName)}Id`,
  outputSecurityGroupId: (group: string) => `${group}SecurityGroupId`,
} as const;

/** Security group short names: the `group` argument above and the export name suffix. */
export const securityGroups = {
  controller: 'Controller',
  etcd: 'Etcd',
  worker: 'Worker',
  apiLoadBalancer: (endpointName: string) => `ApiEndpoint${logicalName(endpointName)}LoadBalancer`,
} as const;

/** IAM and launch resources every node stack has, named after the role. */
export const nodeIds = {
  role: (role: string) => `${role}Role`,
  instanceProfile: (role: string) => `${role}InstanceProfile`,
  launchTemplate: (role: string) => `${role}LaunchTemplate`,
  imageIdParameter: 'ImageId',
} as const;

export const etcdIds = {
  privateHostedZone: 'PrivateHostedZone',
  memberNetworkInterface: (index: number) => `Etcd${index}NetworkInterface`,
  memberDataVolume: (index: number) => `Etcd${index}DataVolume`,
  memberAutoScalingGroup: (index: number) => `Etcd${index}AutoScalingGroup`,
  memberRecordSet: (index: number) => `Etcd${index}RecordSet`,
  outputPrivateHostedZoneId: 'PrivateHostedZoneId',
} as const;

export const controlPlaneIds = {
  autoScalingGroup: 'ControllerAutoScalingGroup',
  loadBalancer: (endpointName: string) => `ApiEndpoint${logicalName(endpointName)}LoadBalancer`,
  targetGroup: (endpointName: string) => `ApiEndpoint${logicalName(endpointName)}TargetGroup`,
  listener: (endpointName: string) => `ApiEndpoint${logicalName(endpointName)}Listener`,
  recordSet: (endpointName: string) => `ApiEndpoint${logicalName(endpointName)}RecordSet`,
  outputLoadBalancerDnsName: (endpointName: string) => `ApiEndpoint${logicalName(endpointName)}DNSName`,
} as const;

export const nodePoolIds = {
  autoScalingGroup: 'WorkerAutoScalingGroup',
  outputAutoScalingGroupName: 'WorkerAutoScalingGroupName',
} as const;

/** Role names used in logical IDs (`ControllerRole`, `WorkerLaunchTemplate`, ...). */
export const roleIds = { etcd: 'Etcd', controller: 'Controller', worker: 'Worker' } as const;

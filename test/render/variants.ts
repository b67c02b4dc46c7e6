/**
 * Specs that between them take every branch of the stack builders: the two examples, plus a
 * cluster with private subnets behind NAT gateways, a network and an internal classic load
 * balancer, spot and Graviton pools with labels and taints, and one in an existing VPC whose
 * internet gateway kaws routes to, with its API record in a hosted zone named, not identified.
 */
import type { ClusterSpec } from '../../lib/spec/types.ts';
import { exampleSpec } from './fixtures.ts';

export function privateNetworkSpec(): ClusterSpec {
  const spec = exampleSpec('ha-cluster');
  spec.clusterName = 'private-net';
  spec.s3URI = 's3://team-bucket/kaws';
  spec.sshAuthorizedKeys = [
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExampleExample ops',
  ];
  spec.subnets = [
    { name: 'public-a', availabilityZone: 'us-east-1a', instanceCIDR: '10.0.0.0/24', private: false },
    { name: 'public-b', availabilityZone: 'us-east-1b', instanceCIDR: '10.0.1.0/24', private: false },
    { name: 'private-a', availabilityZone: 'us-east-1a', instanceCIDR: '10.0.16.0/20', private: true },
    { name: 'private-b', availabilityZone: 'us-east-1b', instanceCIDR: '10.0.32.0/20', private: true },
    { name: 'private-c', availabilityZone: 'us-east-1c', instanceCIDR: '10.0.48.0/20', private: true },
  ];
  const base = spec.apiEndpoints[0] as ClusterSpec['apiEndpoints'][number];
  spec.apiEndpoints = [
    {
      ...base,
      name: 'public',
      loadBalancer: {
        ...base.loadBalancer,
        type: 'network',
        subnets: [],
        apiAccessAllowedSourceCIDRs: ['203.0.113.0/24', '198.51.100.7/32'],
      },
    },
    {
      name: 'internal',
      dnsName: 'api.private-net.internal.example.com',
      loadBalancer: {
        ...base.loadBalancer,
        type: 'classic',
        private: true,
        subnets: [],
        hostedZone: {},
        recordSetManaged: false,
        apiAccessAllowedSourceCIDRs: ['10.0.0.0/16'],
      },
    },
  ];
  const privateSubnets = ['private-a', 'private-b', 'private-c'];
  spec.controller.subnets = privateSubnets;
  spec.etcd.subnets = privateSubnets;
  spec.etcd.dataVolume = { size: 100, type: 'io1', iops: 3000, encrypted: true };
  spec.worker.nodePools = spec.worker.nodePools.map((pool) => ({ ...pool, subnets: privateSubnets }));
  const [general, spot] = spec.worker.nodePools as [
    ClusterSpec['worker']['nodePools'][number],
    ClusterSpec['worker']['nodePools'][number],
  ];
  general.nodeLabels = { 'example.com/tier': 'web' };
  general.taints = [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }];
  general.rootVolume = { size: 80, type: 'gp3', iops: 4000 };
  spot.instanceType = 'm7g.large';
  return spec;
}

export function existingVpcSpec(): ClusterSpec {
  const spec = exampleSpec('seed-cluster-valid');
  spec.clusterName = 'existing-vpc';
  delete spec.routeTableId;
  spec.internetGateway = { id: 'igw-0a1b2c3d4e5f60718' };
  // kube-aws 0.9's hostedZone: the zone by name.
  (spec.apiEndpoints[0] as ClusterSpec['apiEndpoints'][number]).loadBalancer.hostedZone = {
    name: 'my.domain',
  };
  spec.subnets.push({
    name: 'Imported',
    availabilityZone: 'ap-northeast-1a',
    instanceCIDR: '10.0.1.0/24',
    id: 'subnet-0a1b2c3d4e5f60718',
    private: false,
  });
  return spec;
}

export const VARIANTS: Array<[string, () => ClusterSpec]> = [
  ['seed-cluster-valid', () => exampleSpec('seed-cluster-valid')],
  ['ha-cluster', () => exampleSpec('ha-cluster')],
  ['private-network', privateNetworkSpec],
  ['existing-vpc', existingVpcSpec],
];

/**
 * Network topology rules: existing VPC / route table / internet gateway combinations (as kube-aws
 * enforced them), subnet names, zones, and every subnet reference resolving.
 */
import type { PathSegment } from '../paths.ts';
import type { Rule } from './rule.ts';

const routeTableNeedsVpc: Rule = {
  inputs: [['vpc', 'id'], ['routeTableId']],
  check({ spec, user }, report) {
    if (spec.routeTableId !== undefined && spec.vpc.id === undefined) {
      report.error(
        ['routeTableId'],
        'route_table_requires_vpc',
        `${user(['routeTableId'])} refers to an existing route table, so ${user(['vpc', 'id'])} (its existing VPC) is required`,
      );
    }
  },
};

const internetGatewayNeedsVpc: Rule = {
  inputs: [
    ['vpc', 'id'],
    ['internetGateway', 'id'],
  ],
  check({ spec, user }, report) {
    if (spec.internetGateway.id !== undefined && spec.vpc.id === undefined) {
      report.error(
        ['internetGateway', 'id'],
        'internet_gateway_requires_vpc',
        `${user(['internetGateway', 'id'])} refers to an existing internet gateway, so ${user(['vpc', 'id'])} (its existing VPC) is required`,
      );
    }
  },
};

/** kube-aws: public subnets kaws creates in an existing VPC need a route to the VPC's internet gateway. */
const existingVpcNeedsGateway: Rule = {
  inputs: [['vpc', 'id'], ['internetGateway', 'id'], ['routeTableId'], ['subnets'], ['mapPublicIPs']],
  check({ spec, user }, report) {
    if (spec.vpc.id === undefined || spec.routeTableId !== undefined || spec.internetGateway.id !== undefined)
      return;
    const managedPublic = spec.subnets.filter((subnet) => subnet.id === undefined && !subnet.private);
    if (managedPublic.length > 0 && spec.mapPublicIPs) {
      report.error(
        ['internetGateway', 'id'],
        'internet_gateway_required',
        `kaws creates public subnet ${managedPublic[0]!.name} in the existing VPC ${spec.vpc.id}: set ${user(['internetGateway', 'id'])} (the VPC's internet gateway) or ${user(['routeTableId'])}`,
      );
    }
  },
};

const gatewayNeedsPublicSubnet: Rule = {
  inputs: [['internetGateway', 'id'], ['subnets'], ['mapPublicIPs']],
  check({ spec, user }, report) {
    if (spec.internetGateway.id === undefined || spec.subnets.length === 0) return;
    if (spec.subnets.every((subnet) => subnet.private) || !spec.mapPublicIPs) {
      report.error(
        ['internetGateway', 'id'],
        'internet_gateway_unused',
        `${user(['internetGateway', 'id'])} is set but every subnet is private; remove it or add a public subnet`,
      );
    }
  },
};

const routeTableSingleTopology: Rule = {
  inputs: [['routeTableId'], ['subnets']],
  check({ spec, user }, report) {
    if (spec.routeTableId === undefined) return;
    const privateCount = spec.subnets.filter((subnet) => subnet.private).length;
    if (privateCount > 0 && privateCount < spec.subnets.length) {
      report.error(
        ['routeTableId'],
        'route_table_mixed_topology',
        `one ${user(['routeTableId'])} cannot serve both private and public subnets; list only one kind of subnet or remove it`,
      );
    }
  },
};

/** kaws puts each private subnet's NAT gateway in a public subnet of the same zone. */
const privateSubnetsNeedNat: Rule = {
  inputs: [['routeTableId'], ['subnets']],
  check({ spec }, report) {
    if (spec.routeTableId !== undefined) return; // the existing route table already routes out
    spec.subnets.forEach((subnet, index) => {
      if (!subnet.private || subnet.id !== undefined) return;
      const natHome = spec.subnets.some((s) => !s.private && s.availabilityZone === subnet.availabilityZone);
      if (!natHome) {
        report.error(
          ['subnets', index, 'private'],
          'nat_requires_public_subnet',
          `private subnet ${subnet.name} needs a public subnet in ${subnet.availabilityZone} for its NAT gateway`,
        );
      }
    });
  },
};

const subnetNamesUnique: Rule = {
  inputs: [
    ['subnets', '*', 'name'],
    ['subnets', '*', 'id'],
  ],
  check({ spec, user }, report) {
    const names = new Map<string, number>();
    const ids = new Map<string, number>();
    spec.subnets.forEach((subnet, index) => {
      const first = names.get(subnet.name);
      if (first !== undefined) {
        report.error(
          ['subnets', index, 'name'],
          'duplicate_subnet_name',
          `subnet name ${subnet.name} is already used by ${user(['subnets', first])}${subnet.name.startsWith('Subnet') ? ' (unnamed subnets are named Subnet<index>)' : ''}`,
        );
      } else names.set(subnet.name, index);
      if (subnet.id === undefined) return;
      const firstId = ids.get(subnet.id);
      if (firstId !== undefined) {
        report.error(
          ['subnets', index, 'id'],
          'duplicate_subnet_id',
          `subnet ${subnet.id} is already listed as ${user(['subnets', firstId])}`,
        );
      } else ids.set(subnet.id, index);
    });
  },
};

const zonesInRegion: Rule = {
  inputs: [['region'], ['subnets', '*', 'availabilityZone']],
  check({ spec, user }, report) {
    spec.subnets.forEach((subnet, index) => {
      const zone = subnet.availabilityZone;
      const rest = zone.startsWith(spec.region) ? zone.slice(spec.region.length) : undefined;
      if (rest === undefined || !/^(?:-[a-z]+-\d+)?[a-z]$/.test(rest)) {
        const path = ['subnets', index, 'availabilityZone'];
        report.error(
          path,
          'availability_zone_not_in_region',
          `${user(path)} ${zone} is not in ${user(['region'])} ${spec.region}`,
        );
      }
    });
  },
};

/** Every subnet named by the controller, etcd, node pools and load balancers exists. */
const subnetReferencesResolve: Rule = {
  inputs: [
    ['subnets', '*', 'name'],
    ['controller', 'subnets'],
    ['etcd', 'subnets'],
    ['worker', 'nodePools', '*', 'subnets'],
    ['apiEndpoints', '*', 'loadBalancer', 'subnets'],
  ],
  check({ spec }, report) {
    const known = new Set(spec.subnets.map((subnet) => subnet.name));
    const check = (owner: PathSegment[], refs: string[], what: string) => {
      if (refs.length === 0 && spec.subnets.length > 0) {
        report.error([...owner, 'subnets'], 'no_subnets', `${what} has no subnet to run in`);
      }
      refs.forEach((ref, index) => {
        if (!known.has(ref)) {
          const names = [...known].join(', ') || 'none';
          report.error(
            [...owner, 'subnets', index],
            'unknown_subnet',
            `no subnet named ${JSON.stringify(ref)} (subnets: ${names})`,
          );
        }
      });
    };
    check(['controller'], spec.controller.subnets, 'the controller');
    check(['etcd'], spec.etcd.subnets, 'etcd');
    spec.worker.nodePools.forEach((pool, i) => {
      check(['worker', 'nodePools', i], pool.subnets, `node pool ${pool.name}`);
    });
    spec.apiEndpoints.forEach((endpoint, i) => {
      check(
        ['apiEndpoints', i, 'loadBalancer'],
        endpoint.loadBalancer.subnets,
        `the load balancer of ${endpoint.name}`,
      );
    });
  },
};

/** An internet-facing load balancer needs public subnets; an internal one, private subnets. */
const loadBalancerSubnetKinds: Rule = {
  inputs: [['subnets'], ['apiEndpoints', '*', 'loadBalancer']],
  check({ spec, user }, report) {
    spec.apiEndpoints.forEach((endpoint, i) => {
      const lb = endpoint.loadBalancer;
      lb.subnets.forEach((ref, j) => {
        const subnet = spec.subnets.find((s) => s.name === ref);
        if (subnet && subnet.private !== lb.private) {
          report.error(
            ['apiEndpoints', i, 'loadBalancer', 'subnets', j],
            'load_balancer_subnet_mismatch',
            `${lb.private ? 'an internal' : 'an internet-facing'} load balancer cannot use ${subnet.private ? 'private' : 'public'} subnet ${ref}${lb.private ? '' : ` (set ${user(['apiEndpoints', i, 'loadBalancer', 'private'])}: true for an internal one)`}`,
          );
        }
      });
    });
  },
};

export const topologyRules: readonly Rule[] = [
  routeTableNeedsVpc,
  internetGatewayNeedsVpc,
  existingVpcNeedsGateway,
  gatewayNeedsPublicSubnet,
  routeTableSingleTopology,
  privateSubnetsNeedNat,
  subnetNamesUnique,
  zonesInRegion,
  subnetReferencesResolve,
  loadBalancerSubnetKinds,
];

/**
 * Address-space rules: VPC, subnet, pod and service CIDRs, and the service IPs kube-aws derived
 * from them. CIDR math by cidr-tools.
 */
import { containsCidr, normalizeCidr, overlapCidr, parseCidr } from 'cidr-tools';
import { kubernetesServiceIP } from '../derived.ts';
import type { PathSegment } from '../paths.ts';
import type { Subnet } from '../types.ts';
import type { Rule } from './rule.ts';

const prefixOf = (cidr: string) => Number(parseCidr(cidr).prefix);

/** Subnets with a CIDR (an existing subnet may be listed without one). */
const withCidr = (subnets: readonly Subnet[]) =>
  subnets.flatMap((subnet, index) => (subnet.instanceCIDR === '' ? [] : [{ subnet, index }]));

/** EC2 rejects VPC and subnet CIDRs with host bits set, so they must be network addresses. */
const networkAddresses: Rule = {
  inputs: [
    ['vpc', 'cidr'],
    ['subnets', '*', 'instanceCIDR'],
  ],
  check({ spec }, report) {
    const cidrs: Array<[PathSegment[], string]> = [
      [['vpc', 'cidr'], spec.vpc.cidr],
      ...withCidr(spec.subnets).map(({ subnet, index }): [PathSegment[], string] => [
        ['subnets', index, 'instanceCIDR'],
        subnet.instanceCIDR,
      ]),
    ];
    for (const [path, cidr] of cidrs) {
      const normal = normalizeCidr(cidr);
      if (normal !== cidr) {
        report.error(path, 'cidr_not_network_address', `${cidr} has host bits set; did you mean ${normal}?`);
      }
    }
  },
};

/** kube-aws accepted host bits in podCIDR/serviceCIDR and used the network; kaws does too, with a warning. */
const rangesWithHostBits: Rule = {
  inputs: [['podCIDR'], ['serviceCIDR']],
  check({ spec, input }, report) {
    for (const key of ['podCIDR', 'serviceCIDR'] as const) {
      const given = input[key];
      if (given !== undefined && given !== spec[key]) {
        report.warning(
          [key],
          'cidr_not_network_address',
          `${given} has host bits set; kaws uses ${spec[key]}`,
        );
      }
    }
  },
};

/** AWS accepts VPC and subnet blocks from /16 to /28. */
const awsBlockSizes: Rule = {
  inputs: [
    ['vpc', 'cidr'],
    ['subnets', '*', 'instanceCIDR'],
  ],
  check({ spec }, report) {
    const vpcPrefix = prefixOf(spec.vpc.cidr);
    if (vpcPrefix < 16 || vpcPrefix > 28) {
      report.error(
        ['vpc', 'cidr'],
        'invalid_vpc_cidr_size',
        `a VPC CIDR must be between /16 and /28; got /${vpcPrefix}`,
      );
    }
    withCidr(spec.subnets).forEach(({ subnet, index }) => {
      const prefix = prefixOf(subnet.instanceCIDR);
      if (prefix < 16 || prefix > 28) {
        report.error(
          ['subnets', index, 'instanceCIDR'],
          'invalid_subnet_cidr_size',
          `a subnet CIDR must be between /16 and /28; got /${prefix}`,
        );
      }
    });
  },
};

const subnetsInsideVpc: Rule = {
  inputs: [
    ['vpc', 'cidr'],
    ['subnets', '*', 'instanceCIDR'],
  ],
  check({ spec, user }, report) {
    withCidr(spec.subnets).forEach(({ subnet, index }) => {
      const path = ['subnets', index, 'instanceCIDR'];
      if (!containsCidr(spec.vpc.cidr, subnet.instanceCIDR)) {
        report.error(
          path,
          'subnet_outside_vpc',
          `${user(path)} ${subnet.instanceCIDR} is not inside ${user(['vpc', 'cidr'])} ${spec.vpc.cidr}`,
        );
      }
    });
  },
};

const subnetsDisjoint: Rule = {
  inputs: [['subnets', '*', 'instanceCIDR']],
  check({ spec, user }, report) {
    const subnets = withCidr(spec.subnets);
    subnets.forEach(({ subnet, index }, position) => {
      for (const { subnet: other, index: earlier } of subnets.slice(0, position)) {
        if (overlapCidr(other.instanceCIDR, subnet.instanceCIDR)) {
          const path = ['subnets', index, 'instanceCIDR'];
          report.error(
            path,
            'subnet_cidr_overlap',
            `${user(path)} ${subnet.instanceCIDR} overlaps ${user(['subnets', earlier, 'instanceCIDR'])} ${other.instanceCIDR}`,
          );
        }
      }
    });
  },
};

/** VPC, pod and service ranges must be pairwise disjoint (kube-aws reported the later of each pair). */
const rangesDisjoint: Rule = {
  inputs: [['vpc', 'cidr'], ['podCIDR'], ['serviceCIDR']],
  check({ spec, user }, report) {
    const pairs: Array<[PathSegment[], string, PathSegment[], string]> = [
      [['podCIDR'], spec.podCIDR, ['vpc', 'cidr'], spec.vpc.cidr],
      [['serviceCIDR'], spec.serviceCIDR, ['vpc', 'cidr'], spec.vpc.cidr],
      [['serviceCIDR'], spec.serviceCIDR, ['podCIDR'], spec.podCIDR],
    ];
    for (const [path, cidr, otherPath, other] of pairs) {
      if (overlapCidr(cidr, other)) {
        report.error(path, 'cidr_overlap', `${user(path)} ${cidr} overlaps ${user(otherPath)} ${other}`);
      }
    }
  },
};

/** kube-apiserver refuses IPv4 service ranges larger than /12. */
const serviceRangeSize: Rule = {
  inputs: [['serviceCIDR']],
  check({ spec, user }, report) {
    const prefix = prefixOf(spec.serviceCIDR);
    if (prefix < 12) {
      report.error(
        ['serviceCIDR'],
        'service_cidr_too_large',
        `${user(['serviceCIDR'])} must be /12 or smaller for kube-apiserver; got /${prefix}`,
      );
    }
  },
};

/** The kubernetes service IP (first address + 1) and the DNS service IP, as kube-aws checked them. */
const serviceIPs: Rule = {
  inputs: [['serviceCIDR'], ['dnsServiceIP']],
  check({ spec, user }, report) {
    const apiIP = kubernetesServiceIP(spec);
    if (apiIP === undefined || !containsCidr(spec.serviceCIDR, apiIP)) {
      report.error(
        ['serviceCIDR'],
        'no_kubernetes_service_ip',
        `${user(['serviceCIDR'])} ${spec.serviceCIDR} has no room for the kubernetes service IP (its first address + 1)`,
      );
      return;
    }
    const dns = spec.dnsServiceIP;
    if (!containsCidr(spec.serviceCIDR, dns)) {
      report.error(
        ['dnsServiceIP'],
        'dns_service_ip_outside_service_cidr',
        `${user(['dnsServiceIP'])} ${dns} is not inside ${user(['serviceCIDR'])} ${spec.serviceCIDR}`,
      );
    } else if (dns === apiIP) {
      report.error(
        ['dnsServiceIP'],
        'dns_service_ip_conflict',
        `${user(['dnsServiceIP'])} ${dns} is the kubernetes service IP (first address of ${user(['serviceCIDR'])} + 1); pick another`,
      );
    } else {
      const { start, end } = parseCidr(spec.serviceCIDR);
      const address = parseCidr(dns).start;
      if (address === start || address === end) {
        report.error(
          ['dnsServiceIP'],
          'dns_service_ip_reserved',
          `${user(['dnsServiceIP'])} ${dns} is the ${address === start ? 'network' : 'broadcast'} address of ${spec.serviceCIDR}`,
        );
      }
    }
  },
};

export const networkRules: readonly Rule[] = [
  networkAddresses,
  rangesWithHostBits,
  awsBlockSizes,
  subnetsInsideVpc,
  subnetsDisjoint,
  rangesDisjoint,
  serviceRangeSize,
  serviceIPs,
];

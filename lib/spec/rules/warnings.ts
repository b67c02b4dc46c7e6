/** Risky but legal choices: reported as warnings, never as errors. */
import { availabilityZones } from '../derived.ts';
import type { Rule } from './rule.ts';

const TOO_SMALL_INSTANCE_TYPES = new Set([
  't2.nano',
  't2.micro',
  't3.nano',
  't3.micro',
  't3a.nano',
  't3a.micro',
  't4g.nano',
  't4g.micro',
]);

const etcdQuorum: Rule = {
  inputs: [['etcd', 'count']],
  check({ spec, user }, report) {
    const { count } = spec.etcd;
    if (count > 0 && count % 2 === 0) {
      report.warning(
        ['etcd', 'count'],
        'even_etcd_count',
        `${user(['etcd', 'count'])} ${count} is even: it tolerates no more failures than ${count - 1} members; use an odd count`,
      );
    } else if (count === 1) {
      report.warning(
        ['etcd', 'count'],
        'single_etcd_member',
        'a single etcd member is a single point of failure',
      );
    }
  },
};

const singleController: Rule = {
  inputs: [['controller', 'count']],
  check({ spec }, report) {
    if (spec.controller.count === 1) {
      report.warning(
        ['controller', 'count'],
        'single_controller',
        'a single controller: the API is down whenever it is replaced',
      );
    }
  },
};

const singleZone: Rule = {
  inputs: [['subnets']],
  check({ spec }, report) {
    const zones = availabilityZones(spec);
    if (zones.length === 1) {
      report.warning(
        ['subnets'],
        'single_availability_zone',
        `every subnet is in ${zones[0]}: an outage of that zone takes the cluster down`,
      );
    }
  },
};

const smallInstances: Rule = {
  inputs: [
    ['controller', 'instanceType'],
    ['etcd', 'instanceType'],
  ],
  check({ spec }, report) {
    for (const role of ['controller', 'etcd'] as const) {
      const type = spec[role].instanceType;
      if (TOO_SMALL_INSTANCE_TYPES.has(type)) {
        report.warning(
          [role, 'instanceType'],
          'instance_type_too_small',
          `${type} has too little memory for ${role === 'etcd' ? 'etcd' : 'a controller'}`,
        );
      }
    }
  },
};

const noWorkers: Rule = {
  inputs: [['worker']],
  check({ spec }, report) {
    if (spec.worker.nodePools.length === 0) {
      report.warning(
        ['worker', 'nodePools'],
        'no_node_pools',
        'no node pools: workloads can only run on controllers',
      );
    }
  },
};

export const warningRules: readonly Rule[] = [
  etcdQuorum,
  singleController,
  singleZone,
  smallInstances,
  noWorkers,
];

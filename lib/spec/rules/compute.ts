/**
 * Instance group rules: EBS volume types, sizes and IOPS; Auto Scaling group bounds; node pool
 * names, labels and taints.
 */
import { isQualifiedName, patterns } from '../formats.ts';
import type { PathSegment } from '../paths.ts';
import type { AutoScalingGroupSpec, ClusterSpec, Volume, VolumeType } from '../types.ts';
import type { Rule } from './rule.ts';

/**
 * EBS limits per volume type (AWS EBS volume types page): size in GiB, IOPS range, IOPS per GiB.
 * gp3 reflects the 2025 limits (64 TiB, 80,000 IOPS).
 */
const EBS: Record<
  VolumeType,
  { size: [number, number]; iops?: [number, number]; iopsPerGiB?: number; boot: boolean }
> = {
  gp2: { size: [1, 16_384], boot: true },
  gp3: { size: [1, 65_536], iops: [3_000, 80_000], iopsPerGiB: 500, boot: true },
  io1: { size: [4, 16_384], iops: [100, 64_000], iopsPerGiB: 50, boot: true },
  io2: { size: [4, 65_536], iops: [100, 256_000], iopsPerGiB: 1_000, boot: true },
  st1: { size: [125, 16_384], boot: false },
  sc1: { size: [125, 16_384], boot: false },
  standard: { size: [1, 1_024], boot: true },
};

function volumes(spec: ClusterSpec): Array<{ path: PathSegment[]; volume: Volume; root: boolean }> {
  return [
    { path: ['controller', 'rootVolume'], volume: spec.controller.rootVolume, root: true },
    { path: ['etcd', 'rootVolume'], volume: spec.etcd.rootVolume, root: true },
    { path: ['etcd', 'dataVolume'], volume: spec.etcd.dataVolume, root: false },
    ...spec.worker.nodePools.map((pool, i) => ({
      path: ['worker', 'nodePools', i, 'rootVolume'] as PathSegment[],
      volume: pool.rootVolume,
      root: true,
    })),
  ];
}

const volumeLimits: Rule = {
  inputs: [
    ['controller', 'rootVolume'],
    ['etcd', 'rootVolume'],
    ['etcd', 'dataVolume'],
    ['worker', 'nodePools', '*', 'rootVolume'],
  ],
  check({ spec, user }, report) {
    for (const { path, volume, root } of volumes(spec)) {
      const limits = EBS[volume.type];
      const typePath = [...path, 'type'];
      const iopsPath = [...path, 'iops'];
      if (root && !limits.boot) {
        report.error(
          typePath,
          'volume_type_not_bootable',
          `${volume.type} volumes cannot be root volumes; use gp3, gp2, io1 or io2`,
        );
      }
      const [minSize, maxSize] = limits.size;
      if (volume.size < minSize || volume.size > maxSize) {
        report.error(
          [...path, 'size'],
          'volume_size_out_of_range',
          `a ${volume.type} volume must be ${minSize}-${maxSize} GiB; got ${volume.size}`,
        );
      }
      if (!limits.iops) {
        if (volume.iops !== undefined) {
          report.error(
            iopsPath,
            'iops_not_supported',
            `${user(iopsPath)} can only be set for gp3, io1 and io2 volumes, not ${volume.type}`,
          );
        }
        continue;
      }
      if (volume.iops === undefined) {
        if (volume.type === 'io1' || volume.type === 'io2') {
          report.error(iopsPath, 'iops_required', `${user(iopsPath)} is required for ${volume.type} volumes`);
        }
        continue;
      }
      const [minIops, maxIops] = limits.iops;
      if (volume.iops < minIops || volume.iops > maxIops) {
        report.error(
          iopsPath,
          'iops_out_of_range',
          `${volume.type} IOPS must be ${minIops}-${maxIops}; got ${volume.iops}`,
        );
      } else if (limits.iopsPerGiB && volume.iops > volume.size * limits.iopsPerGiB) {
        report.error(
          iopsPath,
          'iops_out_of_range',
          `${volume.type} allows at most ${limits.iopsPerGiB} IOPS per GiB: ${volume.iops} IOPS needs at least ${Math.ceil(volume.iops / limits.iopsPerGiB)} GiB (size is ${volume.size})`,
        );
      }
    }
  },
};

function checkGroup(
  owner: PathSegment[],
  count: number,
  asg: AutoScalingGroupSpec,
  user: (path: readonly PathSegment[]) => string,
  report: Parameters<Rule['check']>[1],
): void {
  const minPath = [...owner, 'autoScalingGroup', 'minSize'];
  const maxPath = [...owner, 'autoScalingGroup', 'maxSize'];
  const rollingPath = [...owner, 'autoScalingGroup', 'rollingUpdateMinInstancesInService'];
  if (asg.minSize > asg.maxSize) {
    report.error(
      minPath,
      'asg_min_greater_than_max',
      `${user(minPath)} ${asg.minSize} is greater than ${user(maxPath)} ${asg.maxSize}`,
    );
    return;
  }
  if (count < asg.minSize || count > asg.maxSize) {
    report.error(
      [...owner, 'count'],
      'count_outside_asg_bounds',
      `${user([...owner, 'count'])} ${count} must be between ${user(minPath)} ${asg.minSize} and ${user(maxPath)} ${asg.maxSize}`,
    );
  }
  // CloudFormation: MinInstancesInService must be less than the group's MaxSize.
  if (asg.rollingUpdateMinInstancesInService > 0 && asg.rollingUpdateMinInstancesInService >= asg.maxSize) {
    report.error(
      rollingPath,
      'rolling_update_min_too_large',
      `${user(rollingPath)} ${asg.rollingUpdateMinInstancesInService} must be less than ${user(maxPath)} ${asg.maxSize}`,
    );
  }
}

const groupSizes: Rule = {
  inputs: [
    ['controller', 'count'],
    ['controller', 'autoScalingGroup'],
    ['etcd', 'count'],
    ['worker', 'nodePools', '*', 'count'],
    ['worker', 'nodePools', '*', 'autoScalingGroup'],
  ],
  check({ spec, user }, report) {
    if (spec.controller.count < 1) {
      report.error(
        ['controller', 'count'],
        'controller_count_too_small',
        'a cluster needs at least one controller',
      );
    }
    if (spec.etcd.count < 1) {
      report.error(['etcd', 'count'], 'etcd_count_too_small', 'a cluster needs at least one etcd member');
    }
    checkGroup(['controller'], spec.controller.count, spec.controller.autoScalingGroup, user, report);
    spec.worker.nodePools.forEach((pool, i) => {
      checkGroup(['worker', 'nodePools', i], pool.count, pool.autoScalingGroup, user, report);
    });
  },
};

const etcdVersion: Rule = {
  inputs: [['etcd', 'version']],
  check({ spec, user }, report) {
    if (!spec.etcd.version.startsWith('3.')) {
      report.error(
        ['etcd', 'version'],
        'unsupported_etcd_version',
        `kaws runs etcd 3.x; ${user(['etcd', 'version'])} is ${spec.etcd.version}`,
      );
    }
  },
};

/** Oldest Kubernetes minor version kaws installs (older ones lack the flags and APIs its userdata uses). */
export const MIN_KUBERNETES_MINOR = 28;

const kubernetesVersion: Rule = {
  inputs: [['kubernetesVersion']],
  check({ spec, user }, report) {
    const [major, minor] = spec.kubernetesVersion.slice(1).split('.').map(Number);
    if (major !== 1 || (minor ?? 0) < MIN_KUBERNETES_MINOR) {
      report.error(
        ['kubernetesVersion'],
        'unsupported_kubernetes_version',
        `kaws installs Kubernetes v1.${MIN_KUBERNETES_MINOR} or later; ${user(['kubernetesVersion'])} is ${spec.kubernetesVersion}`,
      );
    }
  },
};

const nodePoolNames: Rule = {
  inputs: [['worker', 'nodePools', '*', 'name']],
  check({ spec, user }, report) {
    const seen = new Map<string, number>();
    spec.worker.nodePools.forEach((pool, index) => {
      const path = ['worker', 'nodePools', index, 'name'];
      if (!patterns.dns1123Label.test(pool.name)) {
        report.error(
          path,
          'invalid_node_pool_name',
          `${JSON.stringify(pool.name)} is not a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters, starting and ending alphanumeric)`,
        );
      }
      const first = seen.get(pool.name);
      if (first !== undefined) {
        report.error(
          path,
          'duplicate_node_pool_name',
          `node pool name ${pool.name} is already used by ${user(['worker', 'nodePools', first])}`,
        );
      } else seen.set(pool.name, index);
    });
  },
};

const labelsAndTaints: Rule = {
  inputs: [
    ['worker', 'nodePools', '*', 'nodeLabels'],
    ['worker', 'nodePools', '*', 'taints'],
  ],
  check({ spec }, report) {
    spec.worker.nodePools.forEach((pool, i) => {
      for (const [key, value] of Object.entries(pool.nodeLabels)) {
        const path = ['worker', 'nodePools', i, 'nodeLabels', key];
        if (!isQualifiedName(key)) {
          report.error(
            path,
            'invalid_label_key',
            `${JSON.stringify(key)} is not a valid Kubernetes label key`,
          );
        } else if (!patterns.labelValue.test(value)) {
          report.error(
            path,
            'invalid_label_value',
            `${JSON.stringify(value)} is not a valid Kubernetes label value`,
          );
        }
      }
      const seen = new Set<string>();
      pool.taints.forEach((taint, j) => {
        const path = ['worker', 'nodePools', i, 'taints', j];
        if (!isQualifiedName(taint.key)) {
          report.error(
            [...path, 'key'],
            'invalid_taint_key',
            `${JSON.stringify(taint.key)} is not a valid taint key`,
          );
        }
        if (!patterns.labelValue.test(taint.value)) {
          report.error(
            [...path, 'value'],
            'invalid_taint_value',
            `${JSON.stringify(taint.value)} is not a valid taint value`,
          );
        }
        const identity = `${taint.key}:${taint.effect}`;
        if (seen.has(identity)) {
          report.error(
            path,
            'duplicate_taint',
            `taint ${taint.key} with effect ${taint.effect} is listed twice`,
          );
        }
        seen.add(identity);
      });
    });
  },
};

export const computeRules: readonly Rule[] = [
  volumeLimits,
  groupSizes,
  etcdVersion,
  kubernetesVersion,
  nodePoolNames,
  labelsAndTaints,
];

/** Volumes, Auto Scaling groups, counts, versions, node pool names, labels and taints. */
import { describe, expect, it } from 'vitest';
import { check, expectErrors, expectValid } from './fixtures.ts';

const pool = (fields: object) => ({ worker: { nodePools: [{ name: 'a', ...fields }] } });

describe('EBS volumes', () => {
  it.each([
    [
      { controller: { count: 2, rootVolume: { type: 'st1', size: 500 } } },
      'controller.rootVolume.type',
      'volume_type_not_bootable',
    ],
    [
      { etcd: { count: 3, dataVolume: { type: 'sc1', size: 100 } } },
      'etcd.dataVolume.size',
      'volume_size_out_of_range',
    ],
    [
      { etcd: { count: 3, rootVolume: { type: 'standard', size: 2000 } } },
      'etcd.rootVolume.size',
      'volume_size_out_of_range',
    ],
    [
      pool({ rootVolume: { type: 'gp2', iops: 3000 } }),
      'worker.nodePools[0].rootVolume.iops',
      'iops_not_supported',
    ],
    [pool({ rootVolume: { type: 'io1' } }), 'worker.nodePools[0].rootVolume.iops', 'iops_required'],
    [
      pool({ rootVolume: { type: 'io2', size: 100 } }),
      'worker.nodePools[0].rootVolume.iops',
      'iops_required',
    ],
    [
      pool({ rootVolume: { type: 'io1', iops: 99 } }),
      'worker.nodePools[0].rootVolume.iops',
      'iops_out_of_range',
    ],
    [
      pool({ rootVolume: { type: 'io1', size: 30, iops: 2000 } }),
      'worker.nodePools[0].rootVolume.iops',
      'iops_out_of_range',
    ],
    [
      pool({ rootVolume: { type: 'gp3', iops: 2000 } }),
      'worker.nodePools[0].rootVolume.iops',
      'iops_out_of_range',
    ],
    [
      pool({ rootVolume: { type: 'gp3', size: 8, iops: 5000 } }),
      'worker.nodePools[0].rootVolume.iops',
      'iops_out_of_range',
    ],
  ])('%o -> %s %s', (patch, path, code) => {
    expectErrors(check(patch), { path, code });
  });

  it('accepts volumes within EBS limits', () => {
    expectValid(
      check({
        controller: { count: 2, rootVolume: { type: 'io1', size: 40, iops: 2000 } },
        etcd: {
          count: 3,
          dataVolume: { type: 'st1', size: 125 },
          rootVolume: { type: 'standard', size: 1024 },
        },
        worker: {
          nodePools: [
            { name: 'a', rootVolume: { type: 'gp3', size: 100, iops: 16000 } },
            { name: 'b', rootVolume: { type: 'io2', size: 10, iops: 10000 } },
          ],
        },
      }),
    );
  });

  it('says how large an io1 volume must be for its IOPS', () => {
    const result = check(pool({ rootVolume: { type: 'io1', size: 30, iops: 2000 } }));
    expect(result.errors[0]!.message).toBe(
      'io1 allows at most 50 IOPS per GiB: 2000 IOPS needs at least 40 GiB (size is 30)',
    );
  });
});

describe('Auto Scaling groups and counts', () => {
  it('minSize <= maxSize', () => {
    expectErrors(check(pool({ autoScalingGroup: { minSize: 5, maxSize: 2 } })), {
      path: 'worker.nodePools[0].autoScalingGroup.minSize',
      code: 'asg_min_greater_than_max',
    });
  });

  it('minSize <= count <= maxSize', () => {
    expectErrors(check(pool({ count: 7, autoScalingGroup: { minSize: 1, maxSize: 5 } })), {
      path: 'worker.nodePools[0].count',
      code: 'count_outside_asg_bounds',
    });
    expectErrors(check({ controller: { count: 1, autoScalingGroup: { minSize: 2, maxSize: 3 } } }), {
      path: 'controller.count',
      code: 'count_outside_asg_bounds',
    });
    expectValid(check(pool({ count: 5, autoScalingGroup: { minSize: 1, maxSize: 5 } })));
  });

  it('count defaults to 1 within the group bounds (a minSize 0 pool starts one node); bounds default to the count', () => {
    const pools = check({
      worker: {
        nodePools: [
          { name: 'spot', autoScalingGroup: { minSize: 0, maxSize: 10 } },
          { name: 'parked', autoScalingGroup: { minSize: 0, maxSize: 0 } },
          { name: 'plain' },
        ],
      },
    });
    expectValid(pools);
    expect(pools.spec!.worker.nodePools.map((p) => [p.name, p.count])).toEqual([
      ['spot', 1],
      ['parked', 0],
      ['plain', 1],
    ]);
  });

  it('count defaults to minSize when that is above 1; bounds default to the count', () => {
    const result = check({
      controller: { autoScalingGroup: { minSize: 2, maxSize: 4 } },
      worker: { nodePools: [{ name: 'a', count: 3 }] },
    });
    expectValid(result);
    expect(result.spec!.controller).toMatchObject({
      count: 2,
      autoScalingGroup: { minSize: 2, maxSize: 4, rollingUpdateMinInstancesInService: 1 },
    });
    expect(result.spec!.worker.nodePools[0]!.autoScalingGroup).toEqual({
      minSize: 3,
      maxSize: 3,
      rollingUpdateMinInstancesInService: 2,
    });
  });

  it('rollingUpdateMinInstancesInService < maxSize (CloudFormation)', () => {
    expectErrors(check(pool({ count: 3, autoScalingGroup: { rollingUpdateMinInstancesInService: 3 } })), {
      path: 'worker.nodePools[0].autoScalingGroup.rollingUpdateMinInstancesInService',
      code: 'rolling_update_min_too_large',
    });
    expectValid(check(pool({ count: 3, autoScalingGroup: { rollingUpdateMinInstancesInService: 2 } })));
  });

  it('at least one controller and one etcd member', () => {
    expectErrors(check({ controller: { count: 0 } }), {
      path: 'controller.count',
      code: 'controller_count_too_small',
    });
    expectErrors(check({ etcd: { count: 0 } }), { path: 'etcd.count', code: 'etcd_count_too_small' });
  });
});

describe('versions', () => {
  it('etcd 3.x only; kube-aws major-only "3" means the default 3.x', () => {
    expectErrors(check({ etcd: { count: 3, version: 2 } }), {
      path: 'etcd.version',
      code: 'unsupported_etcd_version',
    });
    expectErrors(check({ etcd: { count: 3, version: '2.3.8' } }), {
      path: 'etcd.version',
      code: 'unsupported_etcd_version',
    });
    const result = check({ etcd: { count: 3, version: 3 } });
    expectValid(result);
    expect(result.spec!.etcd.version).toBe('3.5.16');
  });

  it('Kubernetes v1.28 or later', () => {
    expectErrors(check({ kubernetesVersion: 'v1.7.1' }), {
      path: 'kubernetesVersion',
      code: 'unsupported_kubernetes_version',
    });
    expectValid(check({ kubernetesVersion: 'v1.28.0' }));
  });
});

describe('node pools', () => {
  it('names are DNS-1123 labels', () => {
    expectErrors(check(pool({ name: 'General_Pool' })), {
      path: 'worker.nodePools[0].name',
      code: 'invalid_node_pool_name',
    });
    expectValid(check(pool({ name: 'general-2' })));
  });

  it('names are unique', () => {
    expectErrors(check({ worker: { nodePools: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] } }), {
      path: 'worker.nodePools[2].name',
      code: 'duplicate_node_pool_name',
    });
  });

  it('node labels are valid Kubernetes labels', () => {
    expectErrors(check(pool({ nodeLabels: { 'bad key!': 'x' } })), {
      path: 'worker.nodePools[0].nodeLabels["bad key!"]',
      code: 'invalid_label_key',
    });
    expectErrors(check(pool({ nodeLabels: { role: 'has space' } })), {
      path: 'worker.nodePools[0].nodeLabels.role',
      code: 'invalid_label_value',
    });
    expectValid(check(pool({ nodeLabels: { 'node.kubernetes.io/role': 'gpu', tier: '' } })));
  });

  it('taints have valid keys and values, and each key/effect once', () => {
    expectErrors(check(pool({ taints: [{ key: '-bad', effect: 'NoSchedule' }] })), {
      path: 'worker.nodePools[0].taints[0].key',
      code: 'invalid_taint_key',
    });
    expectErrors(check(pool({ taints: [{ key: 'k', value: 'a b', effect: 'NoSchedule' }] })), {
      path: 'worker.nodePools[0].taints[0].value',
      code: 'invalid_taint_value',
    });
    expectErrors(
      check(
        pool({
          taints: [
            { key: 'k', effect: 'NoSchedule' },
            { key: 'k', value: 'v', effect: 'NoSchedule' },
          ],
        }),
      ),
      {
        path: 'worker.nodePools[0].taints[1]',
        code: 'duplicate_taint',
      },
    );
    expectValid(
      check(
        pool({
          taints: [
            { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
            { key: 'dedicated', effect: 'NoExecute' },
          ],
        }),
      ),
    );
  });
});

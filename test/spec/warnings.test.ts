/** Risky but legal: warnings, never errors. */
import { describe, expect, it } from 'vitest';
import { check, expectValid, warningCodes } from './fixtures.ts';

describe('warnings', () => {
  it.each([
    [{ etcd: { count: 4 } }, 'etcd.count:even_etcd_count'],
    [{ etcd: { count: 1 } }, 'etcd.count:single_etcd_member'],
    [{ controller: { count: 1 } }, 'controller.count:single_controller'],
    [
      {
        subnets: [
          { name: 'a', availabilityZone: 'us-east-1a', instanceCIDR: '10.0.0.0/24' },
          { name: 'b', availabilityZone: 'us-east-1a', instanceCIDR: '10.0.1.0/24' },
        ],
      },
      'subnets:single_availability_zone',
    ],
    [
      { controller: { count: 2, instanceType: 't2.micro' } },
      'controller.instanceType:instance_type_too_small',
    ],
    [{ worker: { nodePools: [] } }, 'worker.nodePools:no_node_pools'],
  ])('%o -> %s', (patch, warning) => {
    const result = check(patch);
    expectValid(result);
    expect(warningCodes(result)).toEqual([warning]);
  });

  it('an odd etcd count, several controllers and zones: no warning', () => {
    const result = check({ etcd: { count: 5 }, controller: { count: 3 } });
    expectValid(result);
    expect(result.warnings).toEqual([]);
  });
});

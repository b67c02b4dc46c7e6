/** The shipped examples, as the "done when" states them, and the normalized output they produce. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  loadClusterSpec,
  SpecValidationError,
  serializeClusterSpec,
  validateClusterSpec,
} from '../../lib/spec/index.ts';
import { BASE, check, expectValid, warningCodes } from './fixtures.ts';

const example = (name: string) => readFileSync(new URL(`../../examples/${name}`, import.meta.url));

describe('examples', () => {
  it('rejects seed-cluster.yaml with errors at exactly kmsKeyArn and vpcId', () => {
    const result = validateClusterSpec(example('seed-cluster.yaml'));
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.path)).toEqual(['kmsKeyArn', 'vpcId']);
    expect(result.errors.map((e) => e.code)).toEqual(['invalid_kms_key_arn', 'invalid_vpc_id']);
    // The messages quote the bad values, so the user sees which placeholder is wrong.
    expect(result.errors[0]!.message).toContain('0w123456789');
    expect(result.errors[1]!.message).toContain('vpc-xxxccc45');
  });

  it('accepts seed-cluster-valid.yaml and folds its flat keys into the nested form', () => {
    const result = validateClusterSpec(example('seed-cluster-valid.yaml'));
    expectValid(result);
    const spec = result.spec!;
    expect(spec.vpc).toEqual({ id: 'vpc-0a1b2c3d', cidr: '10.0.0.0/16' });
    expect(spec.routeTableId).toBe('rtb-aaabbb12');
    expect(spec.subnets).toEqual([
      { name: 'Subnet0', availabilityZone: 'ap-northeast-1c', instanceCIDR: '10.0.0.0/24', private: false },
    ]);
    expect(spec.controller).toMatchObject({
      count: 1,
      instanceType: 'm3.medium',
      rootVolume: { size: 30, type: 'gp2' },
    });
    expect(spec.etcd).toMatchObject({
      count: 1,
      instanceType: 'm3.medium',
      rootVolume: { size: 30 },
      dataVolume: { size: 30 },
    });
    expect(spec.worker.nodePools).toEqual([
      expect.objectContaining({
        name: 'workers',
        count: 1,
        instanceType: 'm3.medium',
        rootVolume: { size: 30, type: 'gp2' },
      }),
    ]);
    expect(spec.apiEndpoints).toEqual([
      expect.objectContaining({
        name: 'default',
        dnsName: 'my-cluster-name-api.my.domain',
        loadBalancer: expect.objectContaining({
          recordSetManaged: true,
          recordSetTTL: 300,
          hostedZone: { id: 'XASDASDASD' },
        }),
      }),
    ]);
    // Empty strings mean "default", as in kube-aws.
    expect([spec.podCIDR, spec.serviceCIDR, spec.dnsServiceIP]).toEqual([
      '10.2.0.0/16',
      '10.3.0.0/24',
      '10.3.0.10',
    ]);
    expect(spec.stackTags).toEqual({ Name: 'my-cluster-name', Environment: 'development' });
    // Risky but legal: warnings name the flat keys the user wrote.
    expect(warningCodes(result)).toEqual([
      'etcdCount:single_etcd_member',
      'controllerCount:single_controller',
      'availabilityZone:single_availability_zone',
    ]);
  });

  it('accepts ha-cluster.yaml without warnings', () => {
    const result = validateClusterSpec(example('ha-cluster.yaml'));
    expectValid(result);
    expect(result.warnings).toEqual([]);
    const pools = result.spec!.worker.nodePools;
    expect(pools.map((p) => [p.name, p.count, p.autoScalingGroup])).toEqual([
      ['general', 3, { minSize: 3, maxSize: 6, rollingUpdateMinInstancesInService: 2 }],
      ['spot', 1, { minSize: 0, maxSize: 10, rollingUpdateMinInstancesInService: 0 }],
      ['gpu', 1, { minSize: 1, maxSize: 1, rollingUpdateMinInstancesInService: 0 }],
    ]);
    expect(pools[1]!.spotPrice).toBe('0.10');
    expect(pools[2]!.subnets).toEqual(['public-a']);
    expect(pools[0]!.subnets).toEqual(['public-a', 'public-b', 'public-c']);
  });

  it('rejects invalid-overlapping-cidrs.yaml at podCIDR, naming podCIDR and vpc.cidr', () => {
    const result = validateClusterSpec(example('invalid-overlapping-cidrs.yaml'));
    expect(result.errors).toEqual([
      {
        path: 'podCIDR',
        code: 'cidr_overlap',
        message: 'podCIDR 10.0.128.0/17 overlaps vpc.cidr 10.0.0.0/16',
      },
    ]);
  });

  it('loadClusterSpec returns the spec or throws SpecValidationError carrying every error', () => {
    expect(loadClusterSpec(example('ha-cluster.yaml')).clusterName).toBe('prod-east');
    let thrown: unknown;
    try {
      loadClusterSpec(example('seed-cluster.yaml'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SpecValidationError);
    expect((thrown as SpecValidationError).errors.map((e) => e.path)).toEqual(['kmsKeyArn', 'vpcId']);
    expect((thrown as SpecValidationError).message).toContain('vpcId:');
  });
});

describe('stable output', () => {
  it('normalizes the same input to the same bytes, every time', () => {
    const text = example('ha-cluster.yaml');
    const first = serializeClusterSpec(loadClusterSpec(text));
    const second = serializeClusterSpec(loadClusterSpec(Buffer.from(text)));
    expect(second).toBe(first);
  });

  it('serializes with sorted keys regardless of the order the keys were written in', () => {
    const reordered = check({ stackTags: { zeta: '1', alpha: '2' } });
    const ordered = check({ stackTags: { alpha: '2', zeta: '1' } });
    expect(serializeClusterSpec(reordered.spec!)).toBe(serializeClusterSpec(ordered.spec!));
    const keys = Object.keys(JSON.parse(serializeClusterSpec(ordered.spec!)));
    expect(keys).toEqual([...keys].sort());
  });

  it('a normalized spec validates again unchanged (what a stored spec goes through on update)', () => {
    for (const name of ['ha-cluster.yaml', 'seed-cluster-valid.yaml']) {
      const text = serializeClusterSpec(loadClusterSpec(example(name)));
      expect(serializeClusterSpec(loadClusterSpec(text))).toBe(text);
    }
  });

  it('the nested and the flat form of the same cluster normalize identically', () => {
    const flat = loadClusterSpec(example('seed-cluster-valid.yaml'));
    const nested = loadClusterSpec(`
clusterName: my-cluster-name
region: ap-northeast-1
keyName: my-ssh-keypair
kmsKeyArn: "arn:aws:kms:ap-northeast-1:012345678901:key/d345fcd1-c77c-4fca-acdc-0a1b2c3d4e5f"
releaseChannel: stable
vpc: { id: vpc-0a1b2c3d }
routeTableId: rtb-aaabbb12
subnets: [{ availabilityZone: ap-northeast-1c, instanceCIDR: 10.0.0.0/24 }]
apiEndpoints:
  - name: default
    dnsName: my-cluster-name-api.my.domain
    loadBalancer: { hostedZone: { id: XASDASDASD }, recordSetTTL: 300 }
controller: { count: 1, instanceType: m3.medium, rootVolume: { size: 30, type: gp2 } }
etcd: { count: 1, instanceType: m3.medium, rootVolume: { size: 30 }, dataVolume: { size: 30 } }
worker:
  nodePools: [{ name: workers, count: 1, instanceType: m3.medium, rootVolume: { size: 30, type: gp2 } }]
stackTags: { Name: my-cluster-name, Environment: development }
`);
    expect(serializeClusterSpec(nested)).toBe(serializeClusterSpec(flat));
  });

  it('the test base spec is valid and warning-free (so each rule test shows only its own problem)', () => {
    const result = check();
    expectValid(result);
    expect(result.warnings).toEqual([]);
    expect(BASE.clusterName).toBe('demo');
  });
});

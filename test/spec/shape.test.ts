/** Shape: unknown keys, required fields, types, enums, identifier formats; every problem at once. */
import { describe, expect, it } from 'vitest';
import { validateClusterSpec } from '../../lib/spec/index.ts';
import { check, expectErrors, expectValid } from './fixtures.ts';

describe('unknown keys', () => {
  it('names the key and suggests the closest known one', () => {
    const result = check({ clusterNmae: 'x', etcd: { count: 3, dataVolum: {} } });
    expect(result.errors).toEqual([
      {
        path: 'etcd.dataVolum',
        code: 'unknown_key',
        message: 'unknown key "dataVolum" (did you mean "dataVolume"?)',
      },
      {
        path: 'clusterNmae',
        code: 'unknown_key',
        message: 'unknown key "clusterNmae" (did you mean "clusterName"?)',
      },
    ]);
  });

  it('says when the key is a kube-aws feature kaws does not support', () => {
    const result = check({
      experimental: { nodeDrainer: { enabled: true } },
      controllerIP: '10.0.0.50',
      etcd: { count: 3, snapshot: { automated: true } },
      subnets: [
        { name: 'a', availabilityZone: 'us-east-1a', instanceCIDR: '10.0.0.0/24', natGateway: { id: 'x' } },
      ],
      worker: { nodePools: [{ name: 'a', spotFleet: {} }] },
    });
    expect(result.errors.map((e) => e.path).sort()).toEqual([
      'controllerIP',
      'etcd.snapshot',
      'experimental',
      'subnets[0].natGateway',
      'worker.nodePools[0].spotFleet',
    ]);
    for (const error of result.errors) {
      expect(error.code).toBe('unknown_key');
      expect(error.message).toContain('a kube-aws feature kaws does not support');
    }
  });

  it('a subnet reference has only a name', () => {
    expectErrors(check({ controller: { subnets: [{ name: 'public-a', id: 'subnet-0a1b2c3d' }] } }), {
      path: 'controller.subnets[0].id',
      code: 'unknown_key',
    });
  });

  it('free-form maps (stackTags, nodeLabels) take any key', () => {
    expectValid(check({ stackTags: { 'cost-center': '42', 'a.b/c': 'd' } }));
  });
});

describe('required fields', () => {
  it.each([
    [{ clusterName: undefined }, 'clusterName'],
    [{ region: undefined }, 'region'],
    [{ kmsKeyArn: undefined }, 'kmsKeyArn'],
    [{ subnets: [{ name: 'a', instanceCIDR: '10.0.0.0/24' }] }, 'subnets[0].availabilityZone'],
    [{ subnets: [{ name: 'a', availabilityZone: 'us-east-1a' }] }, 'subnets[0].instanceCIDR'],
    [{ apiEndpoints: [{ name: 'x', loadBalancer: { recordSetManaged: false } }] }, 'apiEndpoints[0].dnsName'],
    [
      { apiEndpoints: [{ dnsName: 'x.example.com', loadBalancer: { recordSetManaged: false } }] },
      'apiEndpoints[0].name',
    ],
    [{ worker: { nodePools: [{ count: 1 }] } }, 'worker.nodePools[0].name'],
    [
      { worker: { nodePools: [{ name: 'a', taints: [{ key: 'k' }] }] } },
      'worker.nodePools[0].taints[0].effect',
    ],
  ])('%o -> required at %s', (patch, path) => {
    expectErrors(check(patch), { path, code: 'required' });
  });

  it('an existing subnet may omit its CIDR; one kaws creates may not', () => {
    const existing = check({
      vpc: { id: 'vpc-0a1b2c3d' },
      internetGateway: { id: 'igw-0a1b2c3d' },
      subnets: [
        { name: 'public-a', availabilityZone: 'us-east-1a', instanceCIDR: '10.0.0.0/24' },
        { name: 'old', availabilityZone: 'us-east-1b', id: 'subnet-0a1b2c3d' },
      ],
    });
    expectValid(existing);
    expect(existing.spec!.subnets[1]).toEqual({
      name: 'old',
      availabilityZone: 'us-east-1b',
      instanceCIDR: '',
      id: 'subnet-0a1b2c3d',
      private: false,
    });
  });
});

describe('types and formats', () => {
  it.each([
    [{ clusterName: 'my.cluster' }, 'clusterName', 'invalid_cluster_name'],
    [{ clusterName: 'ends-with-' }, 'clusterName', 'invalid_cluster_name'],
    [{ region: 'us-east' }, 'region', 'invalid_region'],
    [{ kmsKeyArn: 'arn:aws:kms:us-east-1:123:key/abc' }, 'kmsKeyArn', 'invalid_kms_key_arn'],
    [{ keyName: 'tab\there' }, 'keyName', 'invalid_key_name'],
    [{ sshAuthorizedKeys: ['not a key'] }, 'sshAuthorizedKeys[0]', 'invalid_ssh_key'],
    [{ s3URI: 'https://bucket' }, 's3URI', 'invalid_s3_uri'],
    [{ amiId: 'ami-xyz' }, 'amiId', 'invalid_ami_id'],
    [{ releaseChannel: 'nightly' }, 'releaseChannel', 'invalid_value'],
    [{ kubernetesVersion: 'v1.7.1_coreos.0' }, 'kubernetesVersion', 'invalid_kubernetes_version'],
    [{ vpc: { id: 'vpc-12345' } }, 'vpc.id', 'invalid_vpc_id'],
    [{ vpc: { cidr: '1o.0.0.0/16' } }, 'vpc.cidr', 'invalid_cidr'],
    [{ routeTableId: 'rtb-1234567' }, 'routeTableId', 'invalid_route_table_id'],
    [{ internetGateway: { id: 'igw-ABCDEF12' } }, 'internetGateway.id', 'invalid_internet_gateway_id'],
    [{ mapPublicIPs: 'yes' }, 'mapPublicIPs', 'invalid_type'],
    [
      { subnets: [{ name: 'bad name', availabilityZone: 'us-east-1a', instanceCIDR: '10.0.0.0/24' }] },
      'subnets[0].name',
      'invalid_subnet_name',
    ],
    [
      {
        subnets: [
          { name: 'a', availabilityZone: 'us-east-1a', instanceCIDR: '10.0.0.0/24', id: 'subnet-zz' },
        ],
      },
      'subnets[0].id',
      'invalid_subnet_id',
    ],
    [{ podCIDR: '10.2.0.0' }, 'podCIDR', 'invalid_cidr'],
    [{ dnsServiceIP: '10.3.0.256' }, 'dnsServiceIP', 'invalid_ip'],
    [
      {
        apiEndpoints: [
          { name: 'Default', dnsName: 'a.example.com', loadBalancer: { recordSetManaged: false } },
        ],
      },
      'apiEndpoints[0].name',
      'invalid_endpoint_name',
    ],
    [
      {
        apiEndpoints: [
          { name: 'x', dnsName: 'a.example.com', loadBalancer: { type: 'alb', recordSetManaged: false } },
        ],
      },
      'apiEndpoints[0].loadBalancer.type',
      'invalid_value',
    ],
    [
      {
        apiEndpoints: [
          { name: 'x', dnsName: 'a.example.com', loadBalancer: { hostedZone: { id: 'z1234' } } },
        ],
      },
      'apiEndpoints[0].loadBalancer.hostedZone.id',
      'invalid_hosted_zone_id',
    ],
    [
      {
        apiEndpoints: [
          {
            name: 'x',
            dnsName: 'a.example.com',
            loadBalancer: { apiAccessAllowedSourceCIDRs: [], recordSetManaged: false },
          },
        ],
      },
      'apiEndpoints[0].loadBalancer.apiAccessAllowedSourceCIDRs',
      'empty_list',
    ],
    [{ controller: { count: -1 } }, 'controller.count', 'out_of_range'],
    [{ controller: { count: 1.5 } }, 'controller.count', 'invalid_type'],
    [{ etcd: { count: 3, version: '3.5' } }, 'etcd.version', 'invalid_etcd_version'],
    [{ etcd: { count: 3, dataVolume: { encrypted: 'true' } } }, 'etcd.dataVolume.encrypted', 'invalid_type'],
    [
      { worker: { nodePools: [{ name: 'a', spotPrice: '-1' }] } },
      'worker.nodePools[0].spotPrice',
      'invalid_spot_price',
    ],
    [
      { worker: { nodePools: [{ name: 'a', taints: [{ key: 'k', effect: 'Sometimes' }] }] } },
      'worker.nodePools[0].taints[0].effect',
      'invalid_value',
    ],
    [{ tlsCADurationDays: 0 }, 'tlsCADurationDays', 'out_of_range'],
    [{ tlsCADurationDays: 40_000 }, 'tlsCADurationDays', 'out_of_range'],
    [{ stackTags: { team: { name: 'x' } } }, 'stackTags.team', 'invalid_type'],
    [
      {
        apiEndpoints: [
          { name: 'x', dnsName: 'a.example.com', loadBalancer: { hostedZone: { name: 'bad zone' } } },
        ],
      },
      'apiEndpoints[0].loadBalancer.hostedZone.name',
      'invalid_hosted_zone_name',
    ],
    [{ stackTags: ['a'] }, 'stackTags', 'invalid_type'],
  ])('%o -> %s %s', (patch, path, code) => {
    expectErrors(check(patch), { path, code });
  });

  it('accepts every identifier in its long and short AWS form', () => {
    expectValid(
      check({
        vpc: { id: 'vpc-0a1b2c3d4e5f67890' },
        routeTableId: 'rtb-0a1b2c3d',
        amiId: 'ami-0a1b2c3d4e5f67890',
        s3URI: 's3://my-bucket/kaws/',
        sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx ops@laptop'],
        kubernetesVersion: '1.31.2',
        etcd: { count: 3, version: 'v3.5.17' },
        apiEndpoints: [
          {
            name: 'default',
            dnsName: 'api.demo.example.com',
            loadBalancer: { hostedZone: { id: '/hostedzone/Z0123456789ABC' } },
          },
        ],
      }),
    );
  });

  it('reports every problem at once, and rules still run on the valid parts', () => {
    const result = check({
      vpc: { id: 'vpc-bad' },
      region: 'nowhere',
      podCIDR: '10.0.0.0/16',
      clusterNmae: 'x',
    });
    expect(result.errors.map((e) => `${e.path}:${e.code}`).sort()).toEqual([
      'clusterNmae:unknown_key',
      'podCIDR:cidr_overlap',
      'region:invalid_region',
      'vpc.id:invalid_vpc_id',
    ]);
  });

  it('coerces scalar stack tag and label values to strings, as kube-aws (go-yaml) did', () => {
    const result = validateClusterSpec(`${'clusterName: demo\n'}region: us-east-1
kmsKeyArn: arn:aws:kms:us-east-1:123456789012:key/0d2b7c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e
keyName: ops
availabilityZone: us-east-1a
externalDNSName: api.demo.example.com
stackTags: { version: 2, enabled: true }
worker:
  nodePools: [{ name: gpu, nodeLabels: { gpu: true } }]
`);
    expectValid(result);
    expect(result.spec!.stackTags).toEqual({ version: '2', enabled: 'true' });
    expect(result.spec!.worker.nodePools[0]!.nodeLabels).toEqual({ gpu: 'true' });
  });
});

/** Existing VPC / route table / internet gateway, subnet names and zones, subnet references. */
import { describe, expect, it } from 'vitest';
import { check, expectErrors, expectValid } from './fixtures.ts';

const pub = (name: string, zone: string, cidr: string) => ({
  name,
  availabilityZone: zone,
  instanceCIDR: cidr,
});
const priv = (name: string, zone: string, cidr: string) => ({ ...pub(name, zone, cidr), private: true });
const existingVpc = { vpc: { id: 'vpc-0a1b2c3d' } };

describe('existing VPC, route table and internet gateway', () => {
  it('routeTableId needs vpc.id', () => {
    expectErrors(check({ routeTableId: 'rtb-0a1b2c3d' }), {
      path: 'routeTableId',
      code: 'route_table_requires_vpc',
    });
    expectValid(check({ ...existingVpc, routeTableId: 'rtb-0a1b2c3d' }));
  });

  it('internetGateway.id needs vpc.id', () => {
    expectErrors(check({ internetGateway: { id: 'igw-0a1b2c3d' } }), {
      path: 'internetGateway.id',
      code: 'internet_gateway_requires_vpc',
    });
    expectValid(check({ ...existingVpc, internetGateway: { id: 'igw-0a1b2c3d' } }));
  });

  it('public subnets kaws creates in an existing VPC need its internet gateway (or a route table)', () => {
    const result = check(existingVpc);
    expectErrors(result, { path: 'internetGateway.id', code: 'internet_gateway_required' });
    expect(result.errors[0]!.message).toContain('public-a');
    expectValid(check({ ...existingVpc, internetGateway: { id: 'igw-0a1b2c3d' } }));
    // Existing subnets need no gateway from kaws.
    expectValid(
      check({
        ...existingVpc,
        subnets: [
          { name: 'a', availabilityZone: 'us-east-1a', id: 'subnet-0a1b2c3d' },
          { name: 'b', availabilityZone: 'us-east-1b', id: 'subnet-1a1b2c3d' },
        ],
      }),
    );
  });

  it('an internet gateway is pointless when no subnet is public', () => {
    expectErrors(check({ ...existingVpc, internetGateway: { id: 'igw-0a1b2c3d' }, mapPublicIPs: false }), {
      path: 'internetGateway.id',
      code: 'internet_gateway_unused',
    });
  });

  it('one routeTableId cannot serve both private and public subnets', () => {
    const mixed = {
      ...existingVpc,
      routeTableId: 'rtb-0a1b2c3d',
      subnets: [pub('public-a', 'us-east-1a', '10.0.0.0/24'), priv('private-a', 'us-east-1a', '10.0.1.0/24')],
      controller: { count: 2, subnets: ['public-a'] },
    };
    expectErrors(check(mixed), { path: 'routeTableId', code: 'route_table_mixed_topology' });
  });

  it('with routeTableId and mapPublicIPs false, every subnet is private (kube-aws topology)', () => {
    const result = check({
      ...existingVpc,
      routeTableId: 'rtb-0a1b2c3d',
      mapPublicIPs: false,
      apiEndpoints: [
        {
          name: 'default',
          dnsName: 'api.demo.example.com',
          loadBalancer: { private: true, hostedZone: { id: 'Z0123456789ABC' } },
        },
      ],
    });
    expectValid(result);
    expect(result.spec!.subnets.map((s) => s.private)).toEqual([true, true]);
  });

  it('a private subnet kaws creates needs a public subnet in its zone for the NAT gateway', () => {
    const subnets = [
      pub('public-a', 'us-east-1a', '10.0.0.0/24'),
      pub('public-b', 'us-east-1b', '10.0.1.0/24'),
      priv('private-c', 'us-east-1c', '10.0.2.0/24'),
    ];
    expectErrors(check({ subnets }), { path: 'subnets[2].private', code: 'nat_requires_public_subnet' });
    subnets[2] = priv('private-a', 'us-east-1a', '10.0.2.0/24');
    const ok = check({ subnets });
    expectValid(ok);
    // Defaults: controllers, etcd and pools go to the public subnets; an internal LB would take the private ones.
    expect(ok.spec!.controller.subnets).toEqual(['public-a', 'public-b']);
  });
});

describe('subnets', () => {
  it('names are unique (unnamed subnets are Subnet<index>)', () => {
    expectErrors(
      check({ subnets: [pub('a', 'us-east-1a', '10.0.0.0/24'), pub('a', 'us-east-1b', '10.0.1.0/24')] }),
      {
        path: 'subnets[1].name',
        code: 'duplicate_subnet_name',
      },
    );
    const result = check({
      subnets: [
        pub('Subnet1', 'us-east-1a', '10.0.0.0/24'),
        { availabilityZone: 'us-east-1b', instanceCIDR: '10.0.1.0/24' },
      ],
    });
    expectErrors(result, { path: 'subnets[1].name', code: 'duplicate_subnet_name' });
    expect(result.errors[0]!.message).toContain('unnamed subnets are named Subnet<index>');
    const unnamed = check({
      subnets: [
        { availabilityZone: 'us-east-1a', instanceCIDR: '10.0.0.0/24' },
        { availabilityZone: 'us-east-1b', instanceCIDR: '10.0.1.0/24' },
      ],
    });
    expectValid(unnamed);
    expect(unnamed.spec!.subnets.map((s) => s.name)).toEqual(['Subnet0', 'Subnet1']);
  });

  it('existing subnet ids are listed once', () => {
    expectErrors(
      check({
        ...existingVpc,
        subnets: [
          { name: 'a', availabilityZone: 'us-east-1a', id: 'subnet-0a1b2c3d' },
          { name: 'b', availabilityZone: 'us-east-1b', id: 'subnet-0a1b2c3d' },
        ],
      }),
      { path: 'subnets[1].id', code: 'duplicate_subnet_id' },
    );
  });

  it('availability zones are in the spec region', () => {
    const result = check({
      subnets: [pub('a', 'us-east-1a', '10.0.0.0/24'), pub('b', 'us-west-2b', '10.0.1.0/24')],
    });
    expectErrors(result, { path: 'subnets[1].availabilityZone', code: 'availability_zone_not_in_region' });
    expect(result.errors[0]!.message).toBe(
      'subnets[1].availabilityZone us-west-2b is not in region us-east-1',
    );
    expectErrors(
      check({ subnets: [pub('a', 'us-east-1a', '10.0.0.0/24'), pub('b', 'us-east-11a', '10.0.1.0/24')] }),
      {
        path: 'subnets[1].availabilityZone',
        code: 'availability_zone_not_in_region',
      },
    );
    expectValid(
      check({
        subnets: [pub('a', 'us-east-1a', '10.0.0.0/24'), pub('lax', 'us-east-1-bos-1a', '10.0.1.0/24')],
      }),
    );
  });
});

describe('subnet references', () => {
  it.each([
    [{ controller: { count: 2, subnets: ['public-z'] } }, 'controller.subnets[0]'],
    [{ etcd: { count: 3, subnets: ['public-a', { name: 'nope' }] } }, 'etcd.subnets[1].name'],
    [
      { worker: { nodePools: [{ name: 'a', subnets: [{ name: 'missing' }] }] } },
      'worker.nodePools[0].subnets[0].name',
    ],
    [
      {
        apiEndpoints: [
          {
            name: 'default',
            dnsName: 'api.demo.example.com',
            loadBalancer: { subnets: ['x'], recordSetManaged: false },
          },
        ],
      },
      'apiEndpoints[0].loadBalancer.subnets[0]',
    ],
  ])('%o -> unknown_subnet at %s', (patch, path) => {
    const result = check(patch);
    expectErrors(result, { path, code: 'unknown_subnet' });
    expect(result.errors[0]!.message).toContain('subnets: public-a, public-b');
  });

  it('resolving references pass', () => {
    expectValid(
      check({
        controller: { count: 2, subnets: ['public-a', 'public-b'] },
        worker: { nodePools: [{ name: 'a', subnets: [{ name: 'public-b' }] }] },
      }),
    );
  });

  it('an internal load balancer needs private subnets to run in', () => {
    const result = check({
      apiEndpoints: [
        {
          name: 'default',
          dnsName: 'api.demo.example.com',
          loadBalancer: { private: true, recordSetManaged: false },
        },
      ],
    });
    expectErrors(result, { path: 'apiEndpoints[0].loadBalancer.subnets', code: 'no_subnets' });
  });

  it('an internet-facing load balancer cannot use a private subnet, and an internal one a public subnet', () => {
    const subnets = [
      pub('public-a', 'us-east-1a', '10.0.0.0/24'),
      priv('private-a', 'us-east-1a', '10.0.1.0/24'),
    ];
    const endpoint = (loadBalancer: object) => [
      {
        name: 'default',
        dnsName: 'api.demo.example.com',
        loadBalancer: { recordSetManaged: false, ...loadBalancer },
      },
    ];
    expectErrors(check({ subnets, apiEndpoints: endpoint({ subnets: ['private-a'] }) }), {
      path: 'apiEndpoints[0].loadBalancer.subnets[0]',
      code: 'load_balancer_subnet_mismatch',
    });
    expectErrors(check({ subnets, apiEndpoints: endpoint({ private: true, subnets: ['public-a'] }) }), {
      path: 'apiEndpoints[0].loadBalancer.subnets[0]',
      code: 'load_balancer_subnet_mismatch',
    });
    const internal = check({ subnets, apiEndpoints: endpoint({ private: true }) });
    expectValid(internal);
    expect(internal.spec!.apiEndpoints[0]!.loadBalancer.subnets).toEqual(['private-a']);
  });
});

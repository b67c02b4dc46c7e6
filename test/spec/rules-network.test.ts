/** Address-space rules: each with a failing and a passing case. */
import { describe, expect, it } from 'vitest';
import { check, expectErrors, expectValid, warningCodes } from './fixtures.ts';

const subnets = (...cidrs: string[]) =>
  cidrs.map((instanceCIDR, i) => ({
    name: `s${i}`,
    availabilityZone: i % 2 ? 'us-east-1b' : 'us-east-1a',
    instanceCIDR,
  }));

describe('VPC and subnet CIDRs', () => {
  it('VPC CIDR must be a network address', () => {
    expectErrors(check({ vpc: { cidr: '10.0.0.1/16' } }), {
      path: 'vpc.cidr',
      code: 'cidr_not_network_address',
    });
    expect(check({ vpc: { cidr: '10.0.0.1/16' } }).errors[0]!.message).toContain('did you mean 10.0.0.0/16');
    expectValid(check({ vpc: { cidr: '10.0.0.0/16' } }));
  });

  it('subnet CIDRs must be network addresses', () => {
    expectErrors(check({ subnets: subnets('10.0.0.0/24', '10.0.1.9/24') }), {
      path: 'subnets[1].instanceCIDR',
      code: 'cidr_not_network_address',
    });
  });

  it('VPC CIDR between /16 and /28', () => {
    expectErrors(check({ vpc: { cidr: '10.0.0.0/15' } }), {
      path: 'vpc.cidr',
      code: 'invalid_vpc_cidr_size',
    });
    expectValid(check({ vpc: { cidr: '10.0.0.0/22' }, subnets: subnets('10.0.0.0/24', '10.0.1.0/24') }));
  });

  it('subnet CIDR between /16 and /28', () => {
    expectErrors(check({ subnets: subnets('10.0.0.0/24', '10.0.1.0/29') }), {
      path: 'subnets[1].instanceCIDR',
      code: 'invalid_subnet_cidr_size',
    });
    expectValid(check({ subnets: subnets('10.0.0.0/24', '10.0.1.0/28') }));
  });

  it('VPC CIDR contains every subnet CIDR', () => {
    const result = check({ subnets: subnets('10.0.0.0/24', '10.1.0.0/24') });
    expectErrors(result, { path: 'subnets[1].instanceCIDR', code: 'subnet_outside_vpc' });
    expect(result.errors[0]!.message).toBe(
      'subnets[1].instanceCIDR 10.1.0.0/24 is not inside vpc.cidr 10.0.0.0/16',
    );
    expectValid(check({ subnets: subnets('10.0.0.0/24', '10.0.255.0/24') }));
  });

  it('subnet CIDRs do not overlap', () => {
    const result = check({ subnets: subnets('10.0.0.0/23', '10.0.1.0/24') });
    expectErrors(result, { path: 'subnets[1].instanceCIDR', code: 'subnet_cidr_overlap' });
    expect(result.errors[0]!.message).toContain('overlaps subnets[0].instanceCIDR 10.0.0.0/23');
    expectValid(check({ subnets: subnets('10.0.0.0/23', '10.0.2.0/24') }));
  });
});

describe('VPC, pod and service ranges', () => {
  it.each([
    [{ podCIDR: '10.0.128.0/17' }, 'podCIDR', 'podCIDR 10.0.128.0/17 overlaps vpc.cidr 10.0.0.0/16'],
    [
      { serviceCIDR: '10.0.200.0/24', dnsServiceIP: '10.0.200.10' },
      'serviceCIDR',
      'serviceCIDR 10.0.200.0/24 overlaps vpc.cidr 10.0.0.0/16',
    ],
    [
      { serviceCIDR: '10.2.3.0/24', dnsServiceIP: '10.2.3.10' },
      'serviceCIDR',
      'serviceCIDR 10.2.3.0/24 overlaps podCIDR 10.2.0.0/16',
    ],
  ])('%o overlaps -> error at %s', (patch, path, message) => {
    const result = check(patch);
    expectErrors(result, { path, code: 'cidr_overlap' });
    expect(result.errors[0]!.message).toBe(message);
  });

  it('disjoint ranges pass, written flat or nested', () => {
    expectValid(
      check({
        vpc: { cidr: '10.0.0.0/16' },
        podCIDR: '172.16.0.0/16',
        serviceCIDR: '172.17.0.0/24',
        dnsServiceIP: '172.17.0.10',
      }),
    );
  });

  it('host bits in podCIDR/serviceCIDR are tolerated as kube-aws did: the network is used, with a warning', () => {
    const result = check({ serviceCIDR: '10.3.0.10/22', dnsServiceIP: '10.3.0.10' });
    expectValid(result);
    expect(result.spec!.serviceCIDR).toBe('10.3.0.0/22');
    expect(warningCodes(result)).toEqual(['serviceCIDR:cidr_not_network_address']);
  });

  it('serviceCIDR must be /12 or smaller', () => {
    expectErrors(check({ serviceCIDR: '172.0.0.0/11', dnsServiceIP: '172.0.0.10' }), {
      path: 'serviceCIDR',
      code: 'service_cidr_too_large',
    });
    expectValid(check({ serviceCIDR: '172.16.0.0/12', dnsServiceIP: '172.16.0.10' }));
  });
});

describe('service IPs', () => {
  it('serviceCIDR must have room for the kubernetes service IP (first address + 1)', () => {
    expectErrors(check({ serviceCIDR: '10.3.0.0/32', dnsServiceIP: '10.3.0.0' }), {
      path: 'serviceCIDR',
      code: 'no_kubernetes_service_ip',
    });
  });

  it('dnsServiceIP must be inside serviceCIDR', () => {
    const result = check({ dnsServiceIP: '10.4.0.10' });
    expectErrors(result, { path: 'dnsServiceIP', code: 'dns_service_ip_outside_service_cidr' });
    expect(result.errors[0]!.message).toBe('dnsServiceIP 10.4.0.10 is not inside serviceCIDR 10.3.0.0/24');
    expectValid(check({ dnsServiceIP: '10.3.0.254' }));
  });

  it('dnsServiceIP must differ from the kubernetes service IP', () => {
    expectErrors(check({ dnsServiceIP: '10.3.0.1' }), {
      path: 'dnsServiceIP',
      code: 'dns_service_ip_conflict',
    });
    expectValid(check({ dnsServiceIP: '10.3.0.2' }));
  });

  it('dnsServiceIP must not be the network or broadcast address', () => {
    expectErrors(check({ dnsServiceIP: '10.3.0.0' }), {
      path: 'dnsServiceIP',
      code: 'dns_service_ip_reserved',
    });
    expectErrors(check({ dnsServiceIP: '10.3.0.255' }), {
      path: 'dnsServiceIP',
      code: 'dns_service_ip_reserved',
    });
  });
});

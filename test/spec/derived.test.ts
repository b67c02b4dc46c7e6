/** Values derived from a normalized spec, as TLS and render use them. */
import { describe, expect, it } from 'vitest';
import {
  apiDnsNames,
  availabilityZones,
  DEFAULTS,
  kubernetesServiceIP,
  primaryApiDnsName,
} from '../../lib/spec/index.ts';
import { check } from './fixtures.ts';

describe('derived values', () => {
  it('kubernetesServiceIP is the first address of serviceCIDR + 1 (kube-aws test values)', () => {
    expect(kubernetesServiceIP({ serviceCIDR: '10.3.0.0/24' })).toBe('10.3.0.1');
    expect(kubernetesServiceIP({ serviceCIDR: '10.5.64.0/18' })).toBe('10.5.64.1');
    expect(kubernetesServiceIP({ serviceCIDR: '172.4.155.96/27' })).toBe('172.4.155.97');
    expect(kubernetesServiceIP({ serviceCIDR: 'garbage' })).toBeUndefined();
  });

  it('a spec with host bits in serviceCIDR gets the kube-aws service IP', () => {
    const spec = check({ serviceCIDR: '172.5.10.10/22', dnsServiceIP: '172.5.10.10' }).spec!;
    expect(kubernetesServiceIP(spec)).toBe('172.5.8.1');
  });

  it('apiDnsNames are every endpoint name, sorted and unique; the primary is the first endpoint', () => {
    const spec = check({
      apiEndpoints: [
        {
          name: 'public',
          dnsName: 'z.demo.example.com',
          loadBalancer: { hostedZone: { id: 'Z0123456789ABC' } },
        },
        { name: 'internal', dnsName: 'a.demo.example.com', loadBalancer: { recordSetManaged: false } },
      ],
    }).spec!;
    expect(apiDnsNames(spec)).toEqual(['a.demo.example.com', 'z.demo.example.com']);
    expect(primaryApiDnsName(spec)).toBe('z.demo.example.com');
  });

  it('availabilityZones lists each zone once, in subnet order', () => {
    expect(availabilityZones(check().spec!)).toEqual(['us-east-1a', 'us-east-1b']);
  });

  it('documented defaults are the ones applied', () => {
    const spec = check({ controller: undefined, etcd: undefined }).spec!;
    expect(spec).toMatchObject({
      vpc: { cidr: DEFAULTS.vpcCIDR },
      podCIDR: '10.2.0.0/16',
      serviceCIDR: '10.3.0.0/24',
      dnsServiceIP: '10.3.0.10',
      tlsCADurationDays: 3650,
      tlsCertDurationDays: 365,
      releaseChannel: 'stable',
      controller: { count: 1, instanceType: 't3.medium', rootVolume: { size: 30, type: 'gp3' } },
      etcd: { count: 1, version: '3.5.16', dataVolume: { size: 30, type: 'gp3', encrypted: true } },
      worker: {
        nodePools: [expect.objectContaining({ name: 'workers', count: 1, instanceType: 't3.medium' })],
      },
    });
    expect(spec.apiEndpoints[0]!.loadBalancer).toMatchObject({
      type: 'classic',
      recordSetTTL: 300,
      apiAccessAllowedSourceCIDRs: ['0.0.0.0/0'],
    });
  });
});

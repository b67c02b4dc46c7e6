/** API endpoints and kube-aws's Route 53 record-set rules, nested form (the flat form is in legacy-keys.test.ts). */
import { describe, it } from 'vitest';
import { check, expectErrors, expectValid } from './fixtures.ts';

const endpoint = (loadBalancer: object, name = 'default', dnsName = 'api.demo.example.com') => ({
  name,
  dnsName,
  loadBalancer,
});
const withEndpoints = (...apiEndpoints: object[]) => check({ apiEndpoints: apiEndpoints as never });

describe('API endpoints', () => {
  it('names and DNS names are unique', () => {
    const zone = { hostedZone: { id: 'Z0123456789ABC' } };
    expectErrors(withEndpoints(endpoint(zone), endpoint(zone, 'default', 'other.demo.example.com')), {
      path: 'apiEndpoints[1].name',
      code: 'duplicate_endpoint_name',
    });
    expectErrors(withEndpoints(endpoint(zone), endpoint(zone, 'private', 'API.demo.example.com')), {
      path: 'apiEndpoints[1].dnsName',
      code: 'duplicate_dns_name',
    });
    expectValid(withEndpoints(endpoint(zone), endpoint(zone, 'versioned', 'v1.api.demo.example.com')));
  });

  it('hostedZone.id xor hostedZone.name', () => {
    expectErrors(withEndpoints(endpoint({ hostedZone: { id: 'Z0123456789ABC', name: 'example.com' } })), {
      path: 'apiEndpoints[0].loadBalancer.hostedZone.name',
      code: 'hosted_zone_conflict',
    });
    expectValid(withEndpoints(endpoint({ hostedZone: { name: 'example.com' } })));
  });

  it('a managed record set (the default) needs a hosted zone', () => {
    expectErrors(withEndpoints(endpoint({})), {
      path: 'apiEndpoints[0].loadBalancer.hostedZone.id',
      code: 'hosted_zone_required',
    });
    expectValid(withEndpoints(endpoint({ recordSetManaged: false })));
  });

  it('the DNS name must be inside the hosted zone named', () => {
    expectErrors(withEndpoints(endpoint({ hostedZone: { name: 'example.org' } })), {
      path: 'apiEndpoints[0].loadBalancer.hostedZone.name',
      code: 'dns_name_outside_hosted_zone',
    });
  });

  it('without a managed record set: no hosted zone, no TTL', () => {
    expectErrors(withEndpoints(endpoint({ recordSetManaged: false, hostedZone: { id: 'Z0123456789ABC' } })), {
      path: 'apiEndpoints[0].loadBalancer.hostedZone.id',
      code: 'hosted_zone_without_record_set',
    });
    expectErrors(withEndpoints(endpoint({ recordSetManaged: false, recordSetTTL: 60 })), {
      path: 'apiEndpoints[0].loadBalancer.recordSetTTL',
      code: 'ttl_without_record_set',
    });
    // kube-aws tolerated the default value; so does kaws (a normalized spec carries it).
    expectValid(withEndpoints(endpoint({ recordSetManaged: false, recordSetTTL: 300 })));
  });

  it('TTL must be at least 1 second', () => {
    expectErrors(withEndpoints(endpoint({ hostedZone: { id: 'Z0123456789ABC' }, recordSetTTL: 0 })), {
      path: 'apiEndpoints[0].loadBalancer.recordSetTTL',
      code: 'out_of_range',
    });
    expectValid(withEndpoints(endpoint({ hostedZone: { id: 'Z0123456789ABC' }, recordSetTTL: 1 })));
  });
});

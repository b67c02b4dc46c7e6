/**
 * API endpoint rules: unique names, and kube-aws's Route 53 record-set rules (hosted zone xor
 * hosted zone id, a zone when the record set is managed, TTL only with a managed record set).
 */
import { DEFAULTS } from '../defaults.ts';
import type { Rule } from './rule.ts';

const endpointsUnique: Rule = {
  inputs: [
    ['apiEndpoints', '*', 'name'],
    ['apiEndpoints', '*', 'dnsName'],
  ],
  check({ spec, user }, report) {
    const names = new Map<string, number>();
    const dnsNames = new Map<string, number>();
    spec.apiEndpoints.forEach((endpoint, index) => {
      const first = names.get(endpoint.name);
      if (first !== undefined) {
        report.error(
          ['apiEndpoints', index, 'name'],
          'duplicate_endpoint_name',
          `API endpoint name ${endpoint.name} is already used by ${user(['apiEndpoints', first])}`,
        );
      } else names.set(endpoint.name, index);
      const dns = endpoint.dnsName.toLowerCase();
      const firstDns = dnsNames.get(dns);
      if (firstDns !== undefined) {
        report.error(
          ['apiEndpoints', index, 'dnsName'],
          'duplicate_dns_name',
          `${endpoint.dnsName} is already the DNS name of ${user(['apiEndpoints', firstDns])}`,
        );
      } else dnsNames.set(dns, index);
    });
  },
};

const recordSets: Rule = {
  inputs: [
    ['apiEndpoints', '*', 'loadBalancer'],
    ['apiEndpoints', '*', 'dnsName'],
  ],
  check({ spec, user, provided }, report) {
    spec.apiEndpoints.forEach((endpoint, index) => {
      const lb = endpoint.loadBalancer;
      const at = (...rest: string[]) => ['apiEndpoints', index, 'loadBalancer', ...rest];
      const idPath = at('hostedZone', 'id');
      const namePath = at('hostedZone', 'name');
      const managedPath = at('recordSetManaged');
      const ttlPath = at('recordSetTTL');
      const { id, name } = lb.hostedZone;
      if (id !== undefined && name !== undefined) {
        report.error(
          namePath,
          'hosted_zone_conflict',
          `set either ${user(namePath)} or ${user(idPath)}, not both`,
        );
      }
      const managed = `${user(managedPath)} is true${provided(managedPath) ? '' : ' (the default)'}`;
      if (lb.recordSetManaged) {
        if (id === undefined && name === undefined) {
          report.error(
            idPath,
            'hosted_zone_required',
            `${user(idPath)} is required when ${managed}; or set ${user(managedPath)}: false to manage DNS yourself`,
          );
        }
        if (name !== undefined) {
          const dns = endpoint.dnsName.toLowerCase();
          const zone = name.toLowerCase();
          if (dns !== zone && !dns.endsWith(`.${zone}`)) {
            report.error(
              at('hostedZone', 'name'),
              'dns_name_outside_hosted_zone',
              `${endpoint.dnsName} (${user(['apiEndpoints', index, 'dnsName'])}) is not in hosted zone ${name}`,
            );
          }
        }
        return;
      }
      const notManaged = `${user(managedPath)} is false${provided(managedPath) ? '' : ' (the default)'}`;
      for (const [path, isSet] of [
        [idPath, id !== undefined],
        [namePath, name !== undefined],
      ] as const) {
        if (isSet) {
          report.error(
            path,
            'hosted_zone_without_record_set',
            `${user(path)} must not be set when ${notManaged}`,
          );
        }
      }
      // As kube-aws: the default TTL is tolerated, so a normalized spec validates again unchanged.
      if (provided(ttlPath) && lb.recordSetTTL !== DEFAULTS.recordSetTTL) {
        report.error(
          ttlPath,
          'ttl_without_record_set',
          `${user(ttlPath)} must not be set when ${notManaged}`,
        );
      }
    });
  },
};

export const endpointRules: readonly Rule[] = [endpointsUnique, recordSets];

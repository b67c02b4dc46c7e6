/**
 * Local mode's stand-in for the caller's AWS account: before a create runs, the emulator gets what the
 * spec refers to in its owner's real account: the Route 53 hosted zone of each API endpoint, with the
 * id the spec names (local/moto/local_account.py), or by the name it names.
 */
import {
  CreateHostedZoneCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { ClusterSpec } from '../lib/spec/types.ts';

/** The CallerReference prefix local/moto/local_account.py turns into a chosen zone id. */
export const ZONE_ID_REFERENCE_PREFIX = 'kaws-local-zone:';

/** `api.prod-east.example.com` -> `prod-east.example.com`. */
const parentDomain = (dnsName: string) => dnsName.split('.').slice(1).join('.') || dnsName;

/** Creates the hosted zones `spec` refers to that the local cloud does not have. Returns their ids. */
export async function ensureSpecHostedZones(route53: Route53Client, spec: ClusterSpec): Promise<string[]> {
  const created: string[] = [];
  for (const endpoint of spec.apiEndpoints) {
    const zone = endpoint.loadBalancer.hostedZone;
    if (!endpoint.loadBalancer.recordSetManaged) continue;
    if (zone.id) {
      const exists = await route53.send(new GetHostedZoneCommand({ Id: zone.id })).then(
        () => true,
        (error: Error) => {
          if (error.name === 'NoSuchHostedZone') return false;
          throw error;
        },
      );
      if (exists) continue;
      const result = await route53.send(
        new CreateHostedZoneCommand({
          Name: parentDomain(endpoint.dnsName),
          CallerReference: `${ZONE_ID_REFERENCE_PREFIX}${zone.id}`,
        }),
      );
      const id = result.HostedZone?.Id?.replace('/hostedzone/', '');
      if (id !== zone.id) {
        throw new Error(
          `the local cloud created hosted zone ${id} instead of ${zone.id}: is local/moto/local_account.py loaded?`,
        );
      }
      created.push(id);
    } else if (zone.name) {
      const listed = await route53.send(
        new ListHostedZonesByNameCommand({ DNSName: zone.name, MaxItems: 1 }),
      );
      const found = listed.HostedZones?.find((z) => z.Name?.replace(/\.$/, '') === zone.name);
      if (found) continue;
      const result = await route53.send(
        new CreateHostedZoneCommand({ Name: zone.name, CallerReference: `kaws-local-${zone.name}` }),
      );
      created.push(result.HostedZone?.Id?.replace('/hostedzone/', '') ?? '');
    }
  }
  return created;
}

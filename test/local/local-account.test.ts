/**
 * Local mode's stand-in for the caller's account (local/engine-account.ts with local/moto/local_account.py):
 * the hosted zone a spec names by id exists afterwards with exactly that id; by name, a zone of that name.
 * A zone that exists is left as it is.
 */
import { randomBytes } from 'node:crypto';
import { GetHostedZoneCommand, ListHostedZonesByNameCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { loadClusterSpec } from '../../lib/spec/index.ts';
import { ensureSpecHostedZones } from '../../local/engine-account.ts';
import { localCloud } from '../support/local-cloud.ts';
import { haYaml } from '../workflow/support.ts';

const { clients } = localCloud();

describe('hosted zones a spec names', () => {
  it('by id: created with that id, once', async () => {
    const id = `Z${randomBytes(10).toString('hex').toUpperCase()}`.slice(0, 21);
    const spec = loadClusterSpec(haYaml('zone-by-id').replace('Z0123456789ABCDEFGHIJ', id));
    expect(await ensureSpecHostedZones(clients.route53, spec)).toEqual([id]);
    const zone = await clients.route53.send(new GetHostedZoneCommand({ Id: id }));
    expect(zone.HostedZone?.Name).toBe('prod-east.example.com.');
    expect(await ensureSpecHostedZones(clients.route53, spec)).toEqual([]);
  });

  it('by name: a zone of that name', async () => {
    const domain = `z${randomBytes(4).toString('hex')}.example.org`;
    const spec = loadClusterSpec(
      haYaml('zone-by-name')
        .replace('        id: Z0123456789ABCDEFGHIJ', `        name: ${domain}`)
        .replace('dnsName: api.prod-east.example.com', `dnsName: api.${domain}`),
    );
    const [created] = await ensureSpecHostedZones(clients.route53, spec);
    const listed = await clients.route53.send(
      new ListHostedZonesByNameCommand({ DNSName: domain, MaxItems: 1 }),
    );
    expect(listed.HostedZones?.[0]?.Id?.replace('/hostedzone/', '')).toBe(created);
    expect(await ensureSpecHostedZones(clients.route53, spec)).toEqual([]);
  });
});

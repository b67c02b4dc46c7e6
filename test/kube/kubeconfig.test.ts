/** kubeconfig rendering: the clientcmd v1 shape kubectl reads, self-contained, deterministic. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderKubeconfig } from '../../lib/kube/kubeconfig.ts';

const input = {
  clusterName: 'prod-east',
  server: 'https://127.0.0.1:40123',
  tlsServerName: 'api.prod-east.example.com',
  caCertificatePem: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
  clientCertificatePem: '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n',
  clientKeyPem: 'KEY',
  issuedTo: 'arn:aws:iam::123456789012:user/alice',
  expiresAt: new Date('2026-01-01T01:00:00Z'),
};

interface Kubeconfig {
  apiVersion: string;
  kind: string;
  'current-context': string;
  clusters: Array<{ name: string; cluster: Record<string, string> }>;
  users: Array<{ name: string; user: Record<string, string> }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
}

const decode = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString('utf8');

describe('renderKubeconfig', () => {
  it('inlines the CA, certificate and key, with one context that is current', () => {
    const text = renderKubeconfig(input);
    const config = parse(text) as Kubeconfig;
    expect([config.apiVersion, config.kind, config['current-context']]).toEqual([
      'v1',
      'Config',
      'prod-east',
    ]);
    const cluster = config.clusters[0]?.cluster ?? {};
    expect(cluster.server).toBe(input.server);
    expect(cluster['tls-server-name']).toBe('api.prod-east.example.com');
    expect(decode(cluster['certificate-authority-data'])).toBe(input.caCertificatePem);
    const user = config.users[0];
    expect(decode(user?.user['client-certificate-data'])).toBe(input.clientCertificatePem);
    expect(decode(user?.user['client-key-data'])).toBe('KEY');
    expect(config.contexts).toEqual([
      { name: 'prod-east', context: { cluster: 'prod-east', user: user?.name } },
    ]);
    expect(text.split('\n').slice(0, 3)).toEqual([
      '# kubeconfig for cluster prod-east, issued by kaws',
      '# client certificate for arn:aws:iam::123456789012:user/alice',
      '# expires 2026-01-01T01:00:00Z',
    ]);
  });

  it('leaves out tls-server-name when it is the URL host, and renders the same bytes twice', () => {
    const direct = { ...input, server: 'https://api.prod-east.example.com' };
    const config = parse(renderKubeconfig(direct)) as Kubeconfig;
    expect(config.clusters[0]?.cluster['tls-server-name']).toBeUndefined();
    expect(renderKubeconfig(input)).toBe(renderKubeconfig(input));
  });
});

/**
 * The kubeconfig use case on the local cloud: the CA key opened from the cluster's KMS envelope for the
 * call, a short-lived client certificate for the caller (checked with openssl), the TTL rules, and every
 * refusal (unknown cluster, no CA yet, a CA without its key, a deleted cluster).
 */
import { createPrivateKey, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envelopeCaSource } from '../../lib/aws/cluster-ca-source.ts';
import { createLocalEndpointMap } from '../../lib/service/cluster-endpoints.ts';
import { ClusterNotFoundError } from '../../lib/service/errors.ts';
import { createKubeconfig, type KubeconfigDeps, kubeconfigTtlSeconds } from '../../lib/service/kubeconfig.ts';
import { ClusterHasNoCaError, InvalidKubeconfigTtlError } from '../../lib/service/kubeconfig-errors.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import { nodeKeyGenerator, type TlsAssets } from '../../lib/tls/index.ts';
import { localCloud } from '../support/local-cloud.ts';
import {
  clustersOf,
  haSpec,
  opensslX509,
  recordOf,
  renderCredentials,
  run,
  storeClusterEnvelope,
  uniqueName,
} from './support.ts';

const cloud = localCloud();
const HOUR = 3600;

interface Kubeconfig {
  clusters: Array<{ cluster: Record<string, string> }>;
  users: Array<{ user: Record<string, string> }>;
}

function credentialsOf(kubeconfig: string) {
  const config = parse(kubeconfig) as Kubeconfig;
  const decode = (v: string | undefined) => Buffer.from(v ?? '', 'base64').toString('utf8');
  return {
    server: config.clusters[0]?.cluster.server,
    tlsServerName: config.clusters[0]?.cluster['tls-server-name'],
    ca: decode(config.clusters[0]?.cluster['certificate-authority-data']),
    certificate: decode(config.users[0]?.user['client-certificate-data']),
    key: decode(config.users[0]?.user['client-key-data']),
  };
}

describe('POST /clusters/{name}/kubeconfig, the use case', () => {
  let spec: ClusterSpec;
  let assets: TlsAssets;
  let deps: KubeconfigDeps;
  let now = new Date();
  let dir: string;
  const endpoints = createLocalEndpointMap();
  const pending = haSpec(uniqueName('pending'));
  const byoCa = haSpec(uniqueName('byo'));
  const deleted = haSpec(uniqueName('deleted'));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kaws-kubeconfig-'));
    spec = haSpec(uniqueName('kc'));
    assets = await renderCredentials(spec);
    await storeClusterEnvelope(spec, assets);
    await storeClusterEnvelope(byoCa, assets, { withoutCaKey: true });
    await storeClusterEnvelope(deleted, assets);
    deps = {
      clusters: clustersOf([
        recordOf(spec),
        recordOf(pending, 'CREATE_IN_PROGRESS'),
        recordOf(byoCa),
        recordOf(deleted, 'DELETED'),
      ]),
      ca: envelopeCaSource({
        s3: cloud.clients.s3,
        kms: cloud.clients.kms,
        bucket: cloud.resources.bucketName,
      }),
      endpoints,
      clock: { now: () => now },
      generateKey: nodeKeyGenerator,
      randomBytes: (size) => new Uint8Array(randomBytes(size)),
    };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('issues a client certificate for the caller in system:masters, signed by the cluster CA, for 1 h', async () => {
    now = new Date();
    const issued = await createKubeconfig(deps, {
      clusterName: spec.clusterName,
      caller: 'arn:aws:iam::123456789012:user/alice',
    });
    expect(issued).toMatchObject({
      clusterName: spec.clusterName,
      user: 'arn:aws:iam::123456789012:user/alice',
      groups: ['system:masters'],
    });
    const { ca, certificate, key, server, tlsServerName } = credentialsOf(issued.kubeconfig);
    expect(ca).toBe(assets.ca.certificatePem);
    // No endpoint registered: the spec's API DNS name.
    expect([server, tlsServerName]).toEqual(['https://api.prod-east.example.com', undefined]);
    await writeFile(join(dir, 'ca.pem'), ca);
    await writeFile(join(dir, 'client.pem'), certificate);
    const verified = await run('openssl', [
      'verify',
      '-purpose',
      'sslclient',
      '-CAfile',
      join(dir, 'ca.pem'),
      join(dir, 'client.pem'),
    ]);
    expect(verified.stdout.trim()).toBe(`${join(dir, 'client.pem')}: OK`);
    const subject = await opensslX509(certificate, ['-subject', '-nameopt', 'RFC2253']);
    expect(subject.trim()).toBe('subject=CN=arn:aws:iam::123456789012:user/alice,O=system:masters');
    const usage = await opensslX509(certificate, ['-ext', 'extendedKeyUsage,basicConstraints']);
    expect(usage).toContain('TLS Web Client Authentication');
    expect(usage).not.toContain('TLS Web Server Authentication');
    expect(usage).toContain('CA:FALSE');
    const x509 = new X509Certificate(certificate);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    const lifetime = (Date.parse(x509.validTo) - Math.floor(now.getTime() / 1000) * 1000) / 1000;
    expect(lifetime).toBe(HOUR);
    expect(issued.expiresAt).toBe(new Date(Date.parse(x509.validTo)).toISOString().replace('.000Z', 'Z'));
  });

  it('never puts the CA key in the kubeconfig: its only private key is a new client key', async () => {
    const issued = await createKubeconfig(deps, { clusterName: spec.clusterName, caller: 'bob' });
    const { ca, certificate, key } = credentialsOf(issued.kubeconfig);
    expect(`${ca}${certificate}${key}`.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----/g)).toEqual([
      '-----BEGIN RSA PRIVATE KEY-----',
    ]);
    const publicKeyOf = (pem: string) =>
      createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('hex');
    expect(publicKeyOf(key)).not.toBe(publicKeyOf(assets.ca.privateKeyPem ?? ''));
    expect(publicKeyOf(key)).not.toBe(publicKeyOf(assets.leaves.admin.privateKeyPem));
    const again = await createKubeconfig(deps, { clusterName: spec.clusterName, caller: 'bob' });
    expect(publicKeyOf(credentialsOf(again.kubeconfig).key)).not.toBe(publicKeyOf(key));
    const serial = (pem: string) => new X509Certificate(pem).serialNumber;
    expect(serial(credentialsOf(again.kubeconfig).certificate)).not.toBe(serial(certificate));
  });

  it('points at the registered endpoint (the local stand-in), verifying the API DNS name', async () => {
    endpoints.register(spec.clusterName, {
      url: 'https://127.0.0.1:40123',
      serverName: 'api.prod-east.example.com',
    });
    try {
      const issued = await createKubeconfig(deps, { clusterName: spec.clusterName, caller: 'carol' });
      const { server, tlsServerName } = credentialsOf(issued.kubeconfig);
      expect([issued.server, server, tlsServerName]).toEqual([
        'https://127.0.0.1:40123',
        'https://127.0.0.1:40123',
        'api.prod-east.example.com',
      ]);
    } finally {
      endpoints.unregister(spec.clusterName);
    }
  });

  it('takes the lifetime from ttlSeconds or ttl, up to 24 h', async () => {
    now = new Date();
    const lifetime = async (request: { ttlSeconds?: number; ttl?: string }) => {
      const issued = await createKubeconfig(deps, {
        clusterName: spec.clusterName,
        caller: 'dave',
        ...request,
      });
      const notAfter = Date.parse(new X509Certificate(credentialsOf(issued.kubeconfig).certificate).validTo);
      return (notAfter - Math.floor(now.getTime() / 1000) * 1000) / 1000;
    };
    expect(await lifetime({ ttlSeconds: 2 * HOUR })).toBe(2 * HOUR);
    expect(await lifetime({ ttl: '90m' })).toBe(90 * 60);
    expect(await lifetime({ ttl: '24h' })).toBe(24 * HOUR);
    expect(await lifetime({ ttl: '600' })).toBe(600);
  });

  it.each([
    [
      { ttlSeconds: 24 * HOUR + 1 },
      /ttlSeconds is 86401 seconds; it must be between 60 seconds and 24 hours/,
    ],
    [{ ttlSeconds: 59 }, /ttlSeconds is 59 seconds/],
    [{ ttlSeconds: 0 }, /ttlSeconds is 0 seconds/],
    [{ ttlSeconds: 1.5 }, /whole number/],
    [{ ttl: '25h' }, /ttl is 90000 seconds/],
    [{ ttl: '1d' }, /not a duration/],
    [{ ttl: '-5' }, /not a duration/],
    [{ ttl: '' }, /not a duration/],
    [{ ttl: '2h', ttlSeconds: 7200 }, /not both/],
  ])('refuses the lifetime %j', (request, message) => {
    expect(() => kubeconfigTtlSeconds(request)).toThrow(InvalidKubeconfigTtlError);
    expect(() => kubeconfigTtlSeconds(request)).toThrow(message);
  });

  it('ends with the CA: a certificate never outlives its issuer', async () => {
    // A CA rendered so long ago that it expires in 30 minutes.
    const caDays = haSpec('x').tlsCADurationDays;
    const old = haSpec(uniqueName('old'));
    const soon = new Date(Date.now() - caDays * 24 * HOUR * 1000 + 30 * 60 * 1000);
    const oldAssets = await renderCredentials(old, soon);
    await storeClusterEnvelope(old, oldAssets);
    now = new Date();
    const issued = await createKubeconfig(
      { ...deps, clusters: clustersOf([recordOf(old)]) },
      { clusterName: old.clusterName, caller: 'erin' },
    );
    const cert = new X509Certificate(credentialsOf(issued.kubeconfig).certificate);
    expect(cert.validTo).toBe(new X509Certificate(oldAssets.ca.certificatePem).validTo);
  });

  it('refuses an unknown cluster (404), and a cluster without a usable CA (409), saying why', async () => {
    await expect(
      createKubeconfig(deps, { clusterName: 'no-such-cluster', caller: 'x' }),
    ).rejects.toBeInstanceOf(ClusterNotFoundError);
    const refusals = [
      [pending.clusterName, 'its credentials are not rendered yet'],
      [byoCa.clusterName, 'its CA was brought without its key, which kaws does not hold'],
      [deleted.clusterName, 'the cluster is deleted'],
    ] as const;
    for (const [clusterName, reason] of refusals) {
      const attempt = createKubeconfig(deps, { clusterName, caller: 'x' });
      await expect(attempt).rejects.toBeInstanceOf(ClusterHasNoCaError);
      await expect(attempt).rejects.toThrow(reason);
    }
  });
});

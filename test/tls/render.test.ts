import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLOCK_SKEW_ALLOWANCE_MS,
  credentialFilesOf,
  LEAF_NAMES,
  type PkiRequest,
  pkiRequestFromSpec,
  renderTlsAssets,
  type StoredTlsAssets,
  type TlsAssets,
  TlsRenderError,
} from '../../lib/tls/index.ts';
import { DAY_MS, exampleSpec, KeyPool, RENDER_TIME, testDependencies } from './fixtures.ts';

/** What a render stores, as the next render receives it. */
function stored(assets: TlsAssets): StoredTlsAssets {
  return {
    ca: { certificatePem: assets.ca.certificatePem, privateKeyPem: assets.ca.privateKeyPem as string },
    leaves: Object.fromEntries(
      LEAF_NAMES.map((name) => [
        name,
        {
          certificatePem: assets.leaves[name].certificatePem,
          privateKeyPem: assets.leaves[name].privateKeyPem,
        },
      ]),
    ),
    serviceAccountKeyPem: assets.serviceAccountKeyPem,
  };
}

const x509 = (pem: string) => new X509Certificate(pem);

describe('renderTlsAssets', () => {
  let request: PkiRequest;
  let pool: KeyPool;
  let first: Awaited<ReturnType<typeof renderTlsAssets>>;

  beforeAll(async () => {
    request = pkiRequestFromSpec(await exampleSpec('ha-cluster.yaml'));
    pool = new KeyPool();
    first = await renderTlsAssets({ request, generateCa: true }, testDependencies(pool, RENDER_TIME));
  });

  it('derives the request from the spec: service IP, endpoint names, etcd member names, durations', () => {
    expect(request).toMatchObject({
      clusterName: 'prod-east',
      caCommonName: 'kube-ca',
      apiDnsNames: ['api.prod-east.example.com'],
      kubernetesServiceIp: '10.3.0.1',
      etcdDnsNames: [
        'etcd0.prod-east.kaws.internal',
        'etcd1.prod-east.kaws.internal',
        'etcd2.prod-east.kaws.internal',
      ],
      workerDnsNames: ['*.ec2.internal'],
    });
  });

  it('derives the kube-aws seed cluster: legacy externalDNSName, one etcd member, regional EC2 names', async () => {
    const seed = pkiRequestFromSpec(await exampleSpec('seed-cluster-valid.yaml'));
    expect(seed).toMatchObject({
      apiDnsNames: ['my-cluster-name-api.my.domain'],
      etcdDnsNames: ['etcd0.my-cluster-name.kaws.internal'],
      workerDnsNames: ['*.ap-northeast-1.compute.internal'],
      // serviceCIDR: "" in the file takes kube-aws's default, 10.3.0.0/24.
      kubernetesServiceIp: '10.3.0.1',
    });
  });

  it('creates every asset on a first render, generating all keys at once', () => {
    expect(first.changes.map((c) => c.asset).sort()).toEqual(['ca', 'service-account', ...LEAF_NAMES].sort());
    expect(pool.requests).toHaveLength(2 + LEAF_NAMES.length);
    expect(new Set(pool.requests.map((r) => r.bits))).toEqual(new Set([2048]));
    expect(x509(first.assets.ca.certificatePem).subject).toBe('CN=kube-ca');
    expect(first.assets.ca.origin).toBe('generated');
  });

  it('is deterministic: same inputs, keys, clock and randomness give byte-identical assets', async () => {
    const again = await renderTlsAssets({ request, generateCa: true }, testDependencies(pool, RENDER_TIME));
    expect(credentialFilesOf(again.assets)).toEqual(credentialFilesOf(first.assets));
  });

  it('re-renders stored assets byte for byte when nothing changed, even much later', async () => {
    const before = pool.requests.length;
    const later = new Date(RENDER_TIME.getTime() + 100 * DAY_MS);
    const result = await renderTlsAssets(
      { request, previous: stored(first.assets), generateCa: true },
      testDependencies(pool, later, 'other-serials'),
    );
    expect(result.changes).toEqual([]);
    expect(credentialFilesOf(result.assets)).toEqual(credentialFilesOf(first.assets));
    expect(pool.requests.length).toBe(before);
  });

  it('a new API DNS name reissues the apiserver certificate and nothing else', async () => {
    pool.nextGeneration();
    const changed = { ...request, apiDnsNames: [...request.apiDnsNames, 'api2.prod-east.example.com'] };
    const result = await renderTlsAssets(
      { request: changed, previous: stored(first.assets) },
      testDependencies(pool, RENDER_TIME),
    );
    expect(result.changes).toEqual([
      { asset: 'apiserver', reason: 'DNS names changed (+api2.prod-east.example.com)' },
    ]);
    const before = credentialFilesOf(first.assets);
    const after = credentialFilesOf(result.assets);
    const differing = after.filter((file, i) => file.contents !== before[i]?.contents).map((f) => f.name);
    expect(differing).toEqual(['apiserver.pem', 'apiserver-key.pem']);
    expect(x509(result.assets.leaves.apiserver.certificatePem).subjectAltName).toContain(
      'DNS:api2.prod-east.example.com',
    );
    expect(result.assets.leaves.apiserver.issuedFor).not.toBe(first.assets.leaves.apiserver.issuedFor);
    expect(result.assets.leaves.admin.issuedFor).toBe(first.assets.leaves.admin.issuedFor);
  });

  it('more etcd members reissue only the etcd certificate', async () => {
    const changed = { ...request, etcdDnsNames: [...request.etcdDnsNames, 'etcd3.prod-east.kaws.internal'] };
    const result = await renderTlsAssets(
      { request: changed, previous: stored(first.assets) },
      testDependencies(pool, RENDER_TIME),
    );
    expect(result.changes.map((c) => c.asset)).toEqual(['etcd']);
  });

  it('a requested key size reissues the leaves but keeps the CA and the service-account key', async () => {
    const result = await renderTlsAssets(
      { request, previous: stored(first.assets), keyBits: 3072 },
      testDependencies(pool, RENDER_TIME),
    );
    expect(result.changes.map((c) => c.asset)).toEqual([...LEAF_NAMES]);
    expect(result.changes[0]?.reason).toBe('key size 2048 -> 3072');
    expect(
      x509(result.assets.leaves.admin.certificatePem).publicKey.asymmetricKeyDetails?.modulusLength,
    ).toBe(3072);
    expect(result.assets.ca.certificatePem).toBe(first.assets.ca.certificatePem);
    expect(result.assets.serviceAccountKeyPem).toBe(first.assets.serviceAccountKeyPem);
  });

  it('replaces a leaf whose stored key does not match its certificate, and only that leaf', async () => {
    const previous = stored(first.assets);
    previous.leaves = {
      ...previous.leaves,
      admin: { ...previous.leaves?.admin, privateKeyPem: first.assets.leaves.worker.privateKeyPem },
    };
    const result = await renderTlsAssets({ request, previous }, testDependencies(pool, RENDER_TIME));
    expect(result.changes).toEqual([
      { asset: 'admin', reason: 'the stored private key does not match the certificate' },
    ]);
  });

  it('fills in missing files without touching the rest', async () => {
    const previous = stored(first.assets);
    delete previous.leaves?.['kube-scheduler'];
    delete previous.serviceAccountKeyPem;
    const result = await renderTlsAssets({ request, previous }, testDependencies(pool, RENDER_TIME));
    expect(result.changes.map((c) => c.asset).sort()).toEqual(['kube-scheduler', 'service-account']);
  });

  it('never replaces a stored service-account key, whatever the key size asked for', async () => {
    const result = await renderTlsAssets(
      { request, previous: stored(first.assets), keyBits: 3072 },
      testDependencies(pool, RENDER_TIME),
    );
    expect(result.assets.serviceAccountKeyPem).toBe(first.assets.serviceAccountKeyPem);
    expect(result.changes.map((c) => c.asset)).not.toContain('service-account');
  });

  it('refuses to replace an unreadable service-account key', async () => {
    const previous = { ...stored(first.assets), serviceAccountKeyPem: 'garbage' };
    await expect(renderTlsAssets({ request, previous }, testDependencies(pool, RENDER_TIME))).rejects.toThrow(
      'the stored service-account key cannot be read; it is never replaced by a render',
    );
  });

  it('renews a leaf once a third of its lifetime is left, keeping the others', async () => {
    const renewalDay = new Date(RENDER_TIME.getTime() + (365 - 100) * DAY_MS);
    const result = await renderTlsAssets(
      { request, previous: stored(first.assets) },
      testDependencies(pool, renewalDay),
    );
    expect(result.changes.map((c) => c.asset)).toEqual([...LEAF_NAMES]);
    expect(result.changes[0]?.reason).toMatch(/^it expires on 2026-06-01T12:00:00Z, due for renewal$/);
    expect(result.assets.ca.certificatePem).toBe(first.assets.ca.certificatePem);
  });

  it('sets validity from the clock: NotBefore backdated, lifetimes from the spec, leaves capped by the CA', async () => {
    const ca = x509(first.assets.ca.certificatePem);
    const apiserver = x509(first.assets.leaves.apiserver.certificatePem);
    expect(new Date(ca.validFrom).getTime()).toBe(RENDER_TIME.getTime() - CLOCK_SKEW_ALLOWANCE_MS);
    expect(new Date(ca.validTo).getTime()).toBe(RENDER_TIME.getTime() + 3650 * DAY_MS);
    expect(new Date(apiserver.validTo).getTime()).toBe(RENDER_TIME.getTime() + 365 * DAY_MS);

    const longLeaves = { ...request, certDurationDays: 5000 };
    const capped = await renderTlsAssets(
      { request: longLeaves, generateCa: true },
      testDependencies(pool, RENDER_TIME),
    );
    const cappedCa = x509(capped.assets.ca.certificatePem);
    for (const name of LEAF_NAMES) {
      expect(x509(capped.assets.leaves[name].certificatePem).validTo).toBe(cappedCa.validTo);
    }
    expect(capped.warnings).toEqual([
      'the CA expires on 2035-05-30T12:00:00Z: certificates issued now end then, before their 5000-day lifetime',
    ]);
  });

  it('gives every certificate a distinct positive serial number of up to 128 bits', () => {
    const serials = [first.assets.ca, ...Object.values(first.assets.leaves)].map(
      (a) => x509(a.certificatePem).serialNumber,
    );
    expect(new Set(serials).size).toBe(serials.length);
    for (const serial of serials) {
      const value = BigInt(`0x${serial}`);
      expect(value > 0n).toBe(true);
      expect(value < 1n << 128n).toBe(true);
    }
  });

  it('fails without a CA, and without the CA key when a leaf must be issued', async () => {
    await expect(renderTlsAssets({ request }, testDependencies(pool, RENDER_TIME))).rejects.toThrow(
      new TlsRenderError('no CA: none is stored; generate one or provide a CA certificate and key'),
    );
    const withoutCaKey = stored(first.assets);
    withoutCaKey.ca = { certificatePem: first.assets.ca.certificatePem };
    // Nothing to issue: the CA key is not needed.
    const unchanged = await renderTlsAssets(
      { request, previous: withoutCaKey },
      testDependencies(pool, RENDER_TIME),
    );
    expect(unchanged.changes).toEqual([]);
    expect(unchanged.assets.ca.privateKeyPem).toBeUndefined();
    const changed = { ...request, apiDnsNames: ['api.other.example.com'] };
    await expect(
      renderTlsAssets({ request: changed, previous: withoutCaKey }, testDependencies(pool, RENDER_TIME)),
    ).rejects.toThrow(
      "the CA's private key is needed to issue apiserver (DNS names changed (+api.other.example.com, " +
        '-api.prod-east.example.com)); provide the CA key',
    );
  });

  it('a different CA reissues every leaf but keeps the service-account key', async () => {
    pool.nextGeneration();
    const other = await renderTlsAssets({ request, generateCa: true }, testDependencies(pool, RENDER_TIME));
    const providedCa = {
      certificatePem: other.assets.ca.certificatePem,
      privateKeyPem: other.assets.ca.privateKeyPem as string,
    };
    const result = await renderTlsAssets(
      { request, previous: stored(first.assets), providedCa },
      testDependencies(pool, RENDER_TIME),
    );
    expect(result.changes[0]).toEqual({ asset: 'ca', reason: 'a different CA was provided' });
    expect(result.changes.slice(1)).toEqual(
      LEAF_NAMES.map((asset) => ({ asset, reason: 'issued by another CA' })),
    );
    expect(result.assets.ca.origin).toBe('provided');
    const newCa = x509(providedCa.certificatePem);
    for (const name of LEAF_NAMES)
      expect(x509(result.assets.leaves[name].certificatePem).checkIssued(newCa)).toBe(true);
    expect(result.assets.serviceAccountKeyPem).toBe(first.assets.serviceAccountKeyPem);
    expect(credentialFilesOf(result.assets).map((f) => f.name)).not.toContain('ca-key.pem');
  });
});

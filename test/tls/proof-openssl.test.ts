/** Proof with openssl itself: every leaf verifies against ca.pem, with the names, usages and subjects kaws promises. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAF_NAMES } from '../../lib/tls/index.ts';
import { writeRealCredentials } from './fixtures.ts';
import { findBinary, openssl, run, tempDir } from './tools.ts';

const haveOpenssl = findBinary('openssl') !== undefined;
if (!haveOpenssl) console.warn('SKIPPED openssl proof: the openssl binary is not installed');

describe.skipIf(!haveOpenssl)('rendered credentials, checked by openssl', () => {
  let dir: string;
  const text = (name: string) => openssl(['x509', '-in', `${name}.pem`, '-noout', '-text'], dir);
  const verify = (name: string, ...options: string[]) =>
    run('openssl', ['verify', '-CAfile', 'ca.pem', ...options, `${name}.pem`], { cwd: dir });

  beforeAll(async () => {
    dir = await tempDir('openssl-proof');
    await writeRealCredentials(dir);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(LEAF_NAMES)('%s verifies against ca.pem', async (name) => {
    const result = await verify(name);
    expect(result.stdout.trim()).toBe(`${name}.pem: OK`);
    expect(result.code).toBe(0);
  });

  it('the CA is a self-signed CA named kube-ca that may sign certificates', async () => {
    const ca = await text('ca');
    expect(ca).toContain('Issuer: CN = kube-ca');
    expect(ca).toContain('Subject: CN = kube-ca');
    expect(ca).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(ca).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
    expect(ca).toContain('Public-Key: (2048 bit)');
  });

  it('apiserver: server and client auth, the in-cluster names, the API endpoint, 127.0.0.1 and 10.3.0.1', async () => {
    const apiserver = await text('apiserver');
    expect(apiserver).toContain('Subject: CN = kube-apiserver');
    expect(apiserver).toMatch(
      /Extended Key Usage: \s+TLS Web Client Authentication, TLS Web Server Authentication/,
    );
    expect(apiserver).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(apiserver).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(apiserver).toContain(
      'DNS:api.prod-east.example.com, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, ' +
        'DNS:kubernetes.default.svc.cluster.local, IP Address:10.3.0.1, IP Address:127.0.0.1',
    );
    for (const host of ['api.prod-east.example.com', 'kubernetes.default.svc.cluster.local']) {
      expect((await verify('apiserver', '-purpose', 'sslserver', '-verify_hostname', host)).code).toBe(0);
    }
    expect((await verify('apiserver', '-purpose', 'sslserver', '-verify_ip', '10.3.0.1')).code).toBe(0);
    expect((await verify('apiserver', '-verify_hostname', 'api.other.example.com')).code).not.toBe(0);
  });

  it('admin is a client in system:masters, and cannot serve TLS', async () => {
    const admin = await text('admin');
    expect(admin).toContain('Subject: O = system:masters, CN = kube-admin');
    expect(admin).toMatch(/Extended Key Usage: \s+TLS Web Client Authentication\n/);
    expect((await verify('admin', '-purpose', 'sslclient')).code).toBe(0);
    expect((await verify('admin', '-purpose', 'sslserver')).code).not.toBe(0);
  });

  it('worker is a kubelet in system:nodes, client and server for the EC2 private DNS names', async () => {
    const worker = await text('worker');
    expect(worker).toContain('Subject: O = system:nodes, CN = kube-worker');
    expect(worker).toMatch(
      /Extended Key Usage: \s+TLS Web Client Authentication, TLS Web Server Authentication/,
    );
    expect(worker).toContain('DNS:*.ec2.internal');
    const node = 'ip-10-0-1-23.ec2.internal';
    expect((await verify('worker', '-purpose', 'sslserver', '-verify_hostname', node)).code).toBe(0);
    expect((await verify('worker', '-purpose', 'sslclient')).code).toBe(0);
  });

  it('etcd serves and peers (server and client auth) as every member name and 127.0.0.1', async () => {
    const etcd = await text('etcd');
    expect(etcd).toContain('Subject: CN = kube-etcd');
    expect(etcd).toMatch(
      /Extended Key Usage: \s+TLS Web Client Authentication, TLS Web Server Authentication/,
    );
    expect(etcd).toContain(
      'DNS:etcd0.prod-east.kaws.internal, DNS:etcd1.prod-east.kaws.internal, DNS:etcd2.prod-east.kaws.internal, ' +
        'IP Address:127.0.0.1',
    );
    for (const member of ['etcd0', 'etcd1', 'etcd2']) {
      const host = `${member}.prod-east.kaws.internal`;
      expect((await verify('etcd', '-purpose', 'sslserver', '-verify_hostname', host)).code).toBe(0);
    }
    expect((await verify('etcd', '-purpose', 'sslclient')).code).toBe(0);
  });

  it.each([
    ['etcd-client', 'CN = kube-etcd-client'],
    ['kube-controller-manager', 'CN = system:kube-controller-manager'],
    ['kube-scheduler', 'CN = system:kube-scheduler'],
  ])('%s is a client only, subject %s', async (name, subject) => {
    const cert = await text(name);
    expect(cert).toContain(`Subject: ${subject}\n`);
    expect(cert).toMatch(/Extended Key Usage: \s+TLS Web Client Authentication\n/);
    expect(cert).not.toContain('Subject Alternative Name');
    expect((await verify(name, '-purpose', 'sslclient')).code).toBe(0);
  });

  it('every private key matches its certificate and is RSA 2048; the service-account key is readable', async () => {
    for (const name of LEAF_NAMES) {
      const certModulus = await openssl(['x509', '-in', `${name}.pem`, '-noout', '-modulus'], dir);
      const keyModulus = await openssl(['rsa', '-in', `${name}-key.pem`, '-noout', '-modulus'], dir);
      expect(keyModulus).toBe(certModulus);
    }
    const serviceAccount = await openssl(['rsa', '-in', 'service-account-key.pem', '-noout', '-text'], dir);
    expect(serviceAccount).toContain('Private-Key: (2048 bit, 2 primes)');
  });
});

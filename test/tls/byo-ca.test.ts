/**
 * Bring-your-own CA: CAs made by openssl (not by kaws) with each thing that can be wrong with them, and
 * the error kaws gives for each. The clock is injected, so "expired" needs no waiting.
 */
import { X509Certificate } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CaValidationError,
  caProblems,
  type PkiRequest,
  pkiRequestFromSpec,
  renderTlsAssets,
} from '../../lib/tls/index.ts';
import { DAY_MS, exampleSpec, KeyPool, testDependencies } from './fixtures.ts';
import { findBinary, openssl, opensslSelfSigned, tempDir } from './tools.ts';

const haveOpenssl = findBinary('openssl') !== undefined;
if (!haveOpenssl) console.warn('SKIPPED bring-your-own CA tests: the openssl binary is not installed');

const CA_EXTENSIONS = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];

describe.skipIf(!haveOpenssl)('a brought-your-own CA', () => {
  let dir: string;
  let key: string;
  let otherKey: string;
  let good: string;
  let request: PkiRequest;
  // Set after openssl made the CAs: a CA made a moment after `now` would not be valid yet.
  let now: Date;
  const read = (file: string) => readFile(join(dir, file), 'utf8');
  const problemsOf = (certificatePem: string, privateKeyPem: string, at?: Date) =>
    caProblems({ certificatePem, privateKeyPem }, { now: at ?? new Date(), minimumValidityDays: 30 });

  beforeAll(async () => {
    dir = await tempDir('byo-ca');
    request = pkiRequestFromSpec(await exampleSpec('ha-cluster.yaml'));
    await openssl(['genrsa', '-out', 'ca-key.pem', '2048'], dir);
    await openssl(['genrsa', '-out', 'other-key.pem', '2048'], dir);
    key = await read('ca-key.pem');
    otherKey = await read('other-key.pem');
    good = await opensslSelfSigned(dir, {
      keyFile: 'ca-key.pem',
      days: 3650,
      extensions: CA_EXTENSIONS,
      out: 'good.pem',
    });
    now = new Date();
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is accepted and issues leaves that chain to it', async () => {
    expect(problemsOf(good, key)).toEqual([]);
    const result = await renderTlsAssets(
      { request, providedCa: { certificatePem: good, privateKeyPem: key } },
      testDependencies(new KeyPool(), now),
    );
    const ca = new X509Certificate(good);
    expect(new X509Certificate(result.assets.leaves.etcd.certificatePem).checkIssued(ca)).toBe(true);
    expect(result.assets.ca).toEqual({ certificatePem: good, privateKeyPem: key, origin: 'provided' });
  });

  it('that is not a CA is rejected as such', async () => {
    const leaf = await opensslSelfSigned(dir, {
      keyFile: 'ca-key.pem',
      days: 3650,
      extensions: ['basicConstraints=critical,CA:FALSE'],
      out: 'not-ca.pem',
    });
    expect(problemsOf(leaf, key)).toEqual([
      { code: 'not-a-ca', message: 'it is not a CA certificate (basicConstraints CA:TRUE missing)' },
    ]);
  });

  it('whose key usage forbids signing certificates is rejected', async () => {
    const cert = await opensslSelfSigned(dir, {
      keyFile: 'ca-key.pem',
      days: 3650,
      extensions: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature'],
      out: 'no-certsign.pem',
    });
    expect(problemsOf(cert, key).map((p) => p.code)).toEqual(['cannot-sign-certificates']);
  });

  it('with a key that is not its own is rejected', () => {
    expect(problemsOf(good, otherKey)).toEqual([
      { code: 'key-mismatch', message: 'the private key does not match the certificate' },
    ]);
  });

  it('that has expired, or expires within 30 days, or is not valid yet, is rejected with the date', async () => {
    const notAfter = new Date(new X509Certificate(good).validTo);
    const expired = problemsOf(good, key, new Date(notAfter.getTime() + DAY_MS));
    expect(expired).toHaveLength(1);
    expect(expired[0]?.code).toBe('expired');
    expect(expired[0]?.message).toBe(`it expired on ${notAfter.toISOString().replace('.000Z', 'Z')}`);

    const expiring = problemsOf(good, key, new Date(notAfter.getTime() - 10 * DAY_MS));
    expect(expiring.map((p) => p.code)).toEqual(['expiring']);
    expect(expiring[0]?.message).toMatch(/^it expires on .*, in less than 30 days$/);

    expect(problemsOf(good, key, new Date('2001-01-01T00:00:00Z')).map((p) => p.code)).toEqual([
      'not-yet-valid',
    ]);
  });

  it('with an RSA key under 2048 bits is rejected, saying how many bits it has', async () => {
    await openssl(['genrsa', '-out', 'weak-key.pem', '1024'], dir);
    const weak = await opensslSelfSigned(dir, {
      keyFile: 'weak-key.pem',
      days: 3650,
      extensions: CA_EXTENSIONS,
      out: 'weak.pem',
    });
    expect(problemsOf(weak, await read('weak-key.pem'))).toEqual([
      { code: 'weak-key', message: 'its RSA key has 1024 bits; at least 2048 are required' },
    ]);
  });

  it('with an EC key, an encrypted key, or no certificate at all is rejected clearly', async () => {
    await openssl(
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec-key.pem'],
      dir,
    );
    const ec = await opensslSelfSigned(dir, {
      keyFile: 'ec-key.pem',
      days: 3650,
      extensions: CA_EXTENSIONS,
      out: 'ec.pem',
    });
    expect(problemsOf(ec, await read('ec-key.pem'))).toEqual([
      { code: 'unsupported-key-type', message: 'its key is ec; kaws issues from RSA CAs only' },
    ]);

    await openssl(
      ['rsa', '-in', 'ca-key.pem', '-aes256', '-passout', 'pass:secret', '-out', 'encrypted.pem'],
      dir,
    );
    const encrypted = problemsOf(good, await read('encrypted.pem'));
    expect(encrypted.map((p) => p.code)).toEqual(['unreadable-key']);
    expect(encrypted[0]?.message).toMatch(/an unencrypted PEM key is required$/);

    expect(problemsOf(key, key)).toEqual([
      { code: 'not-a-certificate', message: 'the certificate is not a PEM X.509 certificate' },
    ]);
  });

  it('with several problems names them all in one error, and nothing is issued', async () => {
    await openssl(['genrsa', '-out', 'weak2-key.pem', '1024'], dir);
    const bad = await opensslSelfSigned(dir, {
      keyFile: 'weak2-key.pem',
      days: 5,
      extensions: ['basicConstraints=critical,CA:FALSE'],
      out: 'bad.pem',
    });
    const pool = new KeyPool();
    now = new Date();
    const rendering = renderTlsAssets(
      { request, providedCa: { certificatePem: bad, privateKeyPem: key } },
      testDependencies(pool, now),
    );
    await expect(rendering).rejects.toBeInstanceOf(CaValidationError);
    const error = (await rendering.catch((e: unknown) => e)) as CaValidationError;
    expect(error.problems.map((p) => p.code)).toEqual(['not-a-ca', 'weak-key', 'expiring', 'key-mismatch']);
    expect(error.message).toMatch(
      /^the provided CA cannot be used: it is not a CA certificate .*; its RSA key has 1024 bits; at least 2048 are required; it expires on .*, in less than 30 days; the private key does not match the certificate$/,
    );
    expect(pool.requests).toEqual([]);
  });
});

import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, serialNumberHex } from '../../lib/tls/certificate.ts';
import { pkiRequestFromSpec, renderTlsAssets, type TlsAssets } from '../../lib/tls/index.ts';
import { exampleSpec, KeyPool, RENDER_TIME, testDependencies } from './fixtures.ts';

const bytes =
  (...values: number[]) =>
  () =>
    Uint8Array.from(values);
const sixteen = (first: number[], fill: number) => [...first, ...Array(16 - first.length).fill(fill)];

describe('serialNumberHex', () => {
  it('keeps 16 random bytes when the top bit is clear', () => {
    expect(serialNumberHex(bytes(...sixteen([0x12], 0xab)))).toBe(`12${'ab'.repeat(15)}`);
  });
  it('prepends 00 when the top bit is set, so the INTEGER stays positive', () => {
    expect(serialNumberHex(bytes(...sixteen([0xff], 0x01)))).toBe(`00ff${'01'.repeat(15)}`);
  });
  it('drops leading zero bytes (minimal DER) and never yields zero', () => {
    expect(serialNumberHex(bytes(...sixteen([0, 0, 0x05], 0x10)))).toBe(`05${'10'.repeat(13)}`);
    expect(serialNumberHex(bytes(...sixteen([0, 0x80], 0x10)))).toBe(`0080${'10'.repeat(14)}`);
    expect(serialNumberHex(bytes(...sixteen([], 0)))).toBe('01');
  });
});

describe('certificate signatures', () => {
  let assets: TlsAssets;
  beforeAll(async () => {
    const request = pkiRequestFromSpec(await exampleSpec('ha-cluster.yaml'));
    assets = (
      await renderTlsAssets({ request, generateCa: true }, testDependencies(new KeyPool(), RENDER_TIME))
    ).assets;
  });

  it("are exactly the bytes forge's own RSA would produce over the same TBSCertificate", () => {
    const caKey = forge.pki.privateKeyFromPem(assets.ca.privateKeyPem as string);
    for (const pem of [assets.ca.certificatePem, assets.leaves.apiserver.certificatePem]) {
      const cert = parseCertificate(pem);
      const md = forge.md.sha256.create();
      md.update(forge.asn1.toDer(cert.tbsCertificate).getBytes());
      expect(forge.util.bytesToHex(caKey.sign(md))).toBe(forge.util.bytesToHex(cert.signature as string));
    }
  });
});

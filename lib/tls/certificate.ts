/**
 * X.509 certificates: built with node-forge (subject, extensions, DER/PEM), signed with PKCS#1 v1.5 +
 * SHA-256 through forge's own `cert.sign`, whose RSA private-key operation is delegated to Node's native
 * crypto. forge's pure-JS RSA takes ~60 ms per signature on this class of machine, the native one
 * ~1 ms, and the signature bytes are identical (PKCS#1 v1.5 is deterministic; a test checks it).
 */
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  privateEncrypt,
} from 'node:crypto';
import { normalizeCidr } from 'cidr-tools';
import forge from 'node-forge';
import type { CertificateProfile, ExtendedKeyUsage, KeyUsage } from './types.ts';

/** Backdating of NotBefore, so a node whose clock runs a little behind accepts a fresh certificate. */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017 section 9.2, note 1). */
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const KEY_USAGES: readonly KeyUsage[] = ['digitalSignature', 'keyEncipherment', 'keyCertSign', 'cRLSign'];
const EXTENDED_KEY_USAGES: readonly ExtendedKeyUsage[] = ['serverAuth', 'clientAuth'];

/** A forge "private key" whose sign() is Node's native RSA: forge's cert.sign only calls key.sign(md). */
function nativeSigner(privateKey: KeyObject): forge.pki.rsa.PrivateKey {
  const signer = {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO_PREFIX, digest]);
      // RSA_PKCS1_PADDING on a private-key operation is EMSA-PKCS1-v1_5 signature padding (type 1).
      return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString(
        'binary',
      );
    },
  };
  return signer as unknown as forge.pki.rsa.PrivateKey;
}

/**
 * A positive 128-bit serial number in minimal DER form, as hex: random bytes with leading zero bytes
 * dropped and a 00 prepended when the top bit is set (else the INTEGER would be negative).
 */
export function serialNumberHex(randomBytes: (size: number) => Uint8Array): string {
  const bytes = Array.from(randomBytes(16));
  while (bytes.length > 1 && bytes[0] === 0) bytes.shift();
  if (bytes.length === 1 && bytes[0] === 0) bytes[0] = 1;
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return Buffer.from(bytes).toString('hex');
}

/** `now` truncated to whole seconds: certificates carry no finer time, and output must not depend on it. */
export function truncateToSeconds(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000);
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/** NotBefore backdated for clock skew; NotAfter `days` after now, never later than `notAfterCap`. */
export function validityPeriod(now: Date, days: number, notAfterCap?: Date): Validity {
  const start = truncateToSeconds(now);
  const notAfter = new Date(start.getTime() + days * DAY_MS);
  return {
    notBefore: new Date(start.getTime() - CLOCK_SKEW_ALLOWANCE_MS),
    notAfter: notAfterCap && notAfterCap < notAfter ? notAfterCap : notAfter,
  };
}

/** SPKI PEM of a private key (PKCS#1 or PKCS#8 PEM). */
export function publicKeyPemOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}

/** SHA-256 (hex) of a public key's SPKI DER: the identity of an issuer in `issuedFor`. */
export function publicKeyId(keyPem: string): string {
  const der = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** What a leaf was issued for: its profile and the key of the CA that signed it. */
export function issuedForFingerprint(profile: CertificateProfile, issuerKeyId: string): string {
  const canonical = JSON.stringify({ profile, issuerKeyId });
  return createHash('sha256').update(canonical).digest('hex');
}

function subjectAttributes(commonName: string, organizations: string[]): forge.pki.CertificateField[] {
  // UTF8String, as RFC 5280 asks of new certificates. (@types/node-forge mistypes valueTagClass as an
  // asn1.Class; forge reads it as an asn1.Type, hence the cast below.)
  const utf8 = forge.asn1.Type.UTF8;
  return [
    ...organizations.map((value) => ({ shortName: 'O', value, valueTagClass: utf8 })),
    { shortName: 'CN', value: commonName, valueTagClass: utf8 },
  ] as unknown as forge.pki.CertificateField[];
}

interface BuildOptions {
  subject: forge.pki.CertificateField[];
  subjectKeyPem: string;
  serialHex: string;
  validity: Validity;
  extensions: object[];
  issuer: { subject: forge.pki.CertificateField[]; privateKeyPem: string };
}

function buildAndSign(options: BuildOptions): string {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = options.serialHex;
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPemOf(options.subjectKeyPem));
  cert.validity.notBefore = options.validity.notBefore;
  cert.validity.notAfter = options.validity.notAfter;
  cert.setSubject(options.subject);
  cert.setIssuer(options.issuer.subject);
  cert.setExtensions(options.extensions);
  cert.sign(nativeSigner(createPrivateKey(options.issuer.privateKeyPem)), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

/** A self-signed CA certificate: CA:TRUE, may sign certificates and CRLs. */
export function createCaCertificate(options: {
  commonName: string;
  privateKeyPem: string;
  serialHex: string;
  validity: Validity;
}): string {
  const subject = subjectAttributes(options.commonName, []);
  return buildAndSign({
    subject,
    subjectKeyPem: options.privateKeyPem,
    serialHex: options.serialHex,
    validity: options.validity,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', critical: true, digitalSignature: true, keyCertSign: true, cRLSign: true },
      { name: 'subjectKeyIdentifier' },
    ],
    issuer: { subject, privateKeyPem: options.privateKeyPem },
  });
}

/** Signs a leaf certificate for `profile` with the CA. */
export function issueLeafCertificate(options: {
  profile: CertificateProfile;
  privateKeyPem: string;
  ca: { certificatePem: string; privateKeyPem: string };
  serialHex: string;
  validity: Validity;
}): string {
  const { profile } = options;
  const caCert = forge.pki.certificateFromPem(options.ca.certificatePem);
  const altNames = [
    ...profile.dnsNames.map((value) => ({ type: 2, value })),
    ...profile.ipAddresses.map((ip) => ({ type: 7, ip })),
  ];
  const keyUsage = Object.fromEntries(profile.keyUsage.map((usage) => [usage, true]));
  const extendedKeyUsage = Object.fromEntries(profile.extendedKeyUsage.map((usage) => [usage, true]));
  return buildAndSign({
    subject: subjectAttributes(profile.commonName, profile.organizations),
    subjectKeyPem: options.privateKeyPem,
    serialHex: options.serialHex,
    validity: options.validity,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', critical: true, ...keyUsage },
      { name: 'extKeyUsage', ...extendedKeyUsage },
      ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: subjectKeyIdentifierBytes(caCert) },
    ],
    issuer: { subject: caCert.subject.attributes, privateKeyPem: options.ca.privateKeyPem },
  });
}

interface ForgeExtension {
  name?: string;
  cA?: boolean;
  subjectKeyIdentifier?: string;
  altNames?: Array<{ type: number; value?: string; ip?: string }>;
  [flag: string]: unknown;
}

function extension(cert: forge.pki.Certificate, name: string): ForgeExtension | undefined {
  return cert.getExtension(name) as ForgeExtension | undefined;
}

/** The CA's key identifier as its certificate states it (else computed), for the leaves' AKI. */
function subjectKeyIdentifierBytes(caCert: forge.pki.Certificate): string {
  const stated = extension(caCert, 'subjectKeyIdentifier')?.subjectKeyIdentifier;
  return stated ? forge.util.hexToBytes(stated) : caCert.generateSubjectKeyIdentifier().getBytes();
}

/** Parses a PEM certificate; forge supports RSA keys only and throws on anything else. */
export function parseCertificate(pem: string): forge.pki.Certificate {
  return forge.pki.certificateFromPem(pem);
}

/** Whether the certificate's basicConstraints say it is a CA. */
export function isCaCertificate(cert: forge.pki.Certificate): boolean {
  return extension(cert, 'basicConstraints')?.cA === true;
}

/** Whether the certificate may sign certificates: keyUsage absent, or present with keyCertSign. */
export function maySignCertificates(cert: forge.pki.Certificate): boolean {
  const keyUsage = extension(cert, 'keyUsage');
  return keyUsage === undefined || keyUsage.keyCertSign === true;
}

/** Reads back what a certificate was issued for, in the same canonical form leafProfiles builds. */
export function readCertificateProfile(cert: forge.pki.Certificate): CertificateProfile {
  const attributes = cert.subject.attributes;
  const altNames = extension(cert, 'subjectAltName')?.altNames ?? [];
  const keyUsage = extension(cert, 'keyUsage');
  const extendedKeyUsage = extension(cert, 'extKeyUsage');
  const dnsNames = altNames.flatMap((name) => (name.type === 2 && name.value ? [name.value] : []));
  const ipAddresses = altNames.flatMap((name) =>
    name.type === 7 && name.ip ? [normalizeCidr(name.ip)] : [],
  );
  return {
    commonName: String(attributes.find((a) => a.shortName === 'CN')?.value ?? ''),
    organizations: attributes.filter((a) => a.shortName === 'O').map((a) => String(a.value)),
    dnsNames: [...new Set(dnsNames)].sort(),
    ipAddresses: [...new Set(ipAddresses)].sort(),
    keyUsage: KEY_USAGES.filter((usage) => keyUsage?.[usage] === true).sort(),
    extendedKeyUsage: EXTENDED_KEY_USAGES.filter((usage) => extendedKeyUsage?.[usage] === true).sort(),
  };
}

/** RSA modulus length of a certificate's public key, in bits. */
export function publicKeyBits(cert: forge.pki.Certificate): number {
  return (cert.publicKey as forge.pki.rsa.PublicKey).n.bitLength();
}

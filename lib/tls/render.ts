/**
 * Renders a cluster's TLS assets, reusing what is stored: an asset is kept byte for byte unless
 * something it depends on changed (its profile, its issuer, its key size when one is requested, its
 * expiry). The CA and the service-account key are never replaced by a render.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { assertUsableCa, DEFAULT_MINIMUM_CA_VALIDITY_DAYS } from './ca.ts';
import {
  createCaCertificate,
  issuedForFingerprint,
  issueLeafCertificate,
  parseCertificate,
  publicKeyBits,
  publicKeyId,
  readCertificateProfile,
  serialNumberHex,
  validityPeriod,
} from './certificate.ts';
import { TlsRenderError } from './errors.ts';
import { leafProfiles } from './request.ts';
import {
  type CaAsset,
  type CertificateProfile,
  type KeyPairPem,
  LEAF_NAMES,
  type LeafAsset,
  type LeafName,
  type PkiRequest,
  type RsaKeyBits,
  type StoredTlsAssets,
  type TlsAssets,
  type TlsDependencies,
} from './types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_KEY_BITS: RsaKeyBits = 2048;

export interface RenderTlsOptions {
  request: PkiRequest;
  /** What was rendered before; absent or partial on a first render. */
  previous?: StoredTlsAssets;
  /** A brought-your-own CA. Replaces a stored CA (and so reissues every leaf) when it differs. */
  providedCa?: { certificatePem: string; privateKeyPem: string };
  /** Generate a CA when none is provided or stored. Without it, a render with no CA fails. */
  generateCa?: boolean;
  /**
   * RSA size of new keys (default 2048). When given, stored leaves with another key size are reissued;
   * when absent, stored keys of any accepted size are kept. Never applies to the CA or service-account key.
   */
  keyBits?: RsaKeyBits;
  /** A provided CA must be valid at least this many more days. Default 30. */
  minimumCaValidityDays?: number;
}

export type AssetName = 'ca' | 'service-account' | LeafName;

export interface TlsRenderResult {
  assets: TlsAssets;
  /** Every asset created or replaced by this render, with the reason; empty when nothing changed. */
  changes: Array<{ asset: AssetName; reason: string }>;
  /** Things an operator should know that did not stop the render (a CA close to expiry, ...). */
  warnings: string[];
}

function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function listDiff(label: string, before: string[], after: string[]): string | undefined {
  const added = after.filter((v) => !before.includes(v));
  const removed = before.filter((v) => !after.includes(v));
  if (added.length === 0 && removed.length === 0) return undefined;
  const parts = [...added.map((v) => `+${v}`), ...removed.map((v) => `-${v}`)];
  return `${label} changed (${parts.join(', ')})`;
}

/** Why a stored certificate's profile differs from the wanted one, or undefined when it does not. */
function profileDifference(stored: CertificateProfile, wanted: CertificateProfile): string | undefined {
  const differences = [
    stored.commonName !== wanted.commonName
      ? `common name changed (${stored.commonName} -> ${wanted.commonName})`
      : undefined,
    listDiff('organizations', stored.organizations, wanted.organizations),
    listDiff('DNS names', stored.dnsNames, wanted.dnsNames),
    listDiff('IP addresses', stored.ipAddresses, wanted.ipAddresses),
    listDiff('key usage', stored.keyUsage, wanted.keyUsage),
    listDiff('extended key usage', stored.extendedKeyUsage, wanted.extendedKeyUsage),
  ].filter((d): d is string => d !== undefined);
  return differences.length > 0 ? differences.join('; ') : undefined;
}

interface LeafCheck {
  now: Date;
  ca: { certificatePem: string; notAfter: Date };
  wanted: CertificateProfile;
  keyBits?: RsaKeyBits;
  certDurationDays: number;
}

/** Why a stored leaf must be reissued, or undefined when it can be kept as is. */
function reissueReason(stored: Partial<KeyPairPem> | undefined, check: LeafCheck): string | undefined {
  if (!stored?.certificatePem) return 'no certificate stored';
  if (!stored.privateKeyPem) return 'no private key stored';
  let cert: ReturnType<typeof parseCertificate>;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(stored.certificatePem);
    cert = parseCertificate(stored.certificatePem);
  } catch {
    return 'the stored certificate cannot be read';
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(stored.privateKeyPem))) {
      return 'the stored private key does not match the certificate';
    }
  } catch {
    return 'the stored private key cannot be read';
  }
  if (!x509.verify(new X509Certificate(check.ca.certificatePem).publicKey)) return 'issued by another CA';
  const difference = profileDifference(readCertificateProfile(cert), check.wanted);
  if (difference) return difference;
  const bits = publicKeyBits(cert);
  if (check.keyBits !== undefined && bits !== check.keyBits) return `key size ${bits} -> ${check.keyBits}`;
  const { notAfter } = cert.validity;
  if (notAfter > check.ca.notAfter) return `it outlives its CA (${formatDate(check.ca.notAfter)})`;
  if (notAfter <= check.now) return `it expired on ${formatDate(notAfter)}`;
  // Renew once a third of the configured lifetime is left, unless the CA's end caps it anyway.
  const renewFrom = notAfter.getTime() - (check.certDurationDays * DAY_MS) / 3;
  if (check.now.getTime() >= renewFrom && notAfter < check.ca.notAfter) {
    return `it expires on ${formatDate(notAfter)}, due for renewal`;
  }
  return undefined;
}

interface ResolvedCa {
  certificatePem?: string;
  privateKeyPem?: string;
  origin: CaAsset['origin'];
  /** A CA key to generate (no CA provided or stored, and generateCa set). */
  generate: boolean;
}

function resolveCa(options: RenderTlsOptions, now: Date): ResolvedCa {
  const minimumValidityDays = options.minimumCaValidityDays ?? DEFAULT_MINIMUM_CA_VALIDITY_DAYS;
  if (options.providedCa) {
    assertUsableCa('the provided CA', options.providedCa, { now, minimumValidityDays });
    return { ...options.providedCa, origin: 'provided', generate: false };
  }
  const stored = options.previous?.ca;
  if (stored) {
    // A stored CA is already in use: only what makes issuing impossible or wrong stops the render.
    assertUsableCa('the stored CA', stored, { now, minimumValidityDays: 0 });
    return { ...stored, origin: 'stored', generate: false };
  }
  if (options.generateCa) return { origin: 'generated', generate: true };
  throw new TlsRenderError('no CA: none is stored; generate one or provide a CA certificate and key');
}

/**
 * Renders the full TLS asset set for `request`, reusing `previous` wherever nothing relevant changed.
 * Keys are generated in parallel through `deps.generateKey`; with the same inputs, dependencies and
 * clock the output is byte-identical.
 */
export async function renderTlsAssets(
  options: RenderTlsOptions,
  deps: TlsDependencies,
): Promise<TlsRenderResult> {
  const { request, previous } = options;
  const now = deps.now;
  const changes: TlsRenderResult['changes'] = [];
  const warnings: string[] = [];
  const keyBits = options.keyBits ?? DEFAULT_KEY_BITS;
  const resolvedCa = resolveCa(options, now);

  if (
    resolvedCa.origin === 'provided' &&
    previous?.ca &&
    previous.ca.certificatePem !== resolvedCa.certificatePem
  ) {
    changes.push({ asset: 'ca', reason: 'a different CA was provided' });
  }

  const wantedProfiles = leafProfiles(request);
  // A CA generated now issues every leaf; otherwise check each stored leaf against the CA.
  const caForChecks = resolvedCa.certificatePem
    ? {
        certificatePem: resolvedCa.certificatePem,
        notAfter: parseCertificate(resolvedCa.certificatePem).validity.notAfter,
      }
    : undefined;
  const reissue = new Map<LeafName, string>();
  for (const name of LEAF_NAMES) {
    const reason = caForChecks
      ? reissueReason(previous?.leaves?.[name], {
          now,
          ca: caForChecks,
          wanted: wantedProfiles[name],
          certDurationDays: request.certDurationDays,
          ...(options.keyBits !== undefined ? { keyBits: options.keyBits } : {}),
        })
      : 'a new CA was generated';
    if (reason) reissue.set(name, reason);
  }
  if (reissue.size > 0 && !resolvedCa.generate && !resolvedCa.privateKeyPem) {
    const needed = [...reissue].map(([name, reason]) => `${name} (${reason})`).join(', ');
    throw new TlsRenderError(`the CA's private key is needed to issue ${needed}; provide the CA key`);
  }

  const storedServiceAccountKey = previous?.serviceAccountKeyPem;
  if (storedServiceAccountKey !== undefined) {
    try {
      createPrivateKey(storedServiceAccountKey);
    } catch {
      // Replacing it would invalidate every service-account token in the cluster: never do it silently.
      throw new TlsRenderError(
        'the stored service-account key cannot be read; it is never replaced by a render',
      );
    }
  }

  // Every key this render needs, generated at once: key generation dominates the cost.
  const [caKey, serviceAccountKey, ...leafKeys] = await Promise.all([
    resolvedCa.generate ? deps.generateKey({ purpose: 'ca', bits: keyBits }) : undefined,
    storedServiceAccountKey === undefined
      ? deps.generateKey({ purpose: 'service-account', bits: keyBits })
      : undefined,
    ...[...reissue.keys()].map((name) => deps.generateKey({ purpose: name, bits: keyBits })),
  ]);

  let ca: CaAsset;
  if (caKey !== undefined) {
    const certificatePem = createCaCertificate({
      commonName: request.caCommonName,
      privateKeyPem: caKey,
      serialHex: serialNumberHex(deps.randomBytes),
      validity: validityPeriod(now, request.caDurationDays),
    });
    ca = { certificatePem, privateKeyPem: caKey, origin: 'generated' };
    changes.push({ asset: 'ca', reason: 'generated' });
  } else {
    ca = {
      certificatePem: resolvedCa.certificatePem as string,
      ...(resolvedCa.privateKeyPem !== undefined ? { privateKeyPem: resolvedCa.privateKeyPem } : {}),
      origin: resolvedCa.origin,
    };
  }
  const caNotAfter = parseCertificate(ca.certificatePem).validity.notAfter;
  if (caNotAfter.getTime() - now.getTime() < request.certDurationDays * DAY_MS) {
    warnings.push(
      `the CA expires on ${formatDate(caNotAfter)}: certificates issued now end then, ` +
        `before their ${request.certDurationDays}-day lifetime`,
    );
  }

  const caKeyId = publicKeyId(ca.certificatePem);
  const newKeys = new Map([...reissue.keys()].map((name, index) => [name, leafKeys[index] as string]));
  const leaves = {} as Record<LeafName, LeafAsset>;
  for (const name of LEAF_NAMES) {
    const issuedFor = issuedForFingerprint(wantedProfiles[name], caKeyId);
    const privateKeyPem = newKeys.get(name);
    if (privateKeyPem === undefined) {
      const stored = previous?.leaves?.[name] as KeyPairPem;
      leaves[name] = {
        certificatePem: stored.certificatePem,
        privateKeyPem: stored.privateKeyPem,
        issuedFor,
      };
      continue;
    }
    const certificatePem = issueLeafCertificate({
      profile: wantedProfiles[name],
      privateKeyPem,
      ca: { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem as string },
      serialHex: serialNumberHex(deps.randomBytes),
      validity: validityPeriod(now, request.certDurationDays, caNotAfter),
    });
    leaves[name] = { certificatePem, privateKeyPem, issuedFor };
    changes.push({ asset: name, reason: reissue.get(name) as string });
  }

  if (serviceAccountKey !== undefined) changes.push({ asset: 'service-account', reason: 'generated' });
  return {
    assets: { ca, leaves, serviceAccountKeyPem: serviceAccountKey ?? (storedServiceAccountKey as string) },
    changes,
    warnings,
  };
}

/**
 * Types of kaws's PKI. Everything here is data: PEM strings, names, dates. lib/tls never reaches for a
 * clock, a random source or a key generator of its own; callers pass them in (see TlsDependencies).
 */

/** The certificates kaws issues from the cluster CA, named as kube-aws named their files. */
export const LEAF_NAMES = [
  'apiserver',
  'worker',
  'admin',
  'etcd',
  'etcd-client',
  'kube-controller-manager',
  'kube-scheduler',
] as const;
export type LeafName = (typeof LEAF_NAMES)[number];

export type RsaKeyBits = 2048 | 3072 | 4096;
export const RSA_KEY_BITS: readonly RsaKeyBits[] = [2048, 3072, 4096];
/** Weakest RSA key kaws accepts anywhere, including a brought-your-own CA. */
export const MIN_RSA_KEY_BITS = 2048;

export type KeyUsage = 'digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign';
export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';

/** What a leaf certificate says about its holder: everything that decides whether it must be reissued. */
export interface CertificateProfile {
  commonName: string;
  organizations: string[];
  /** Sorted, unique. */
  dnsNames: string[];
  /** Sorted, unique. */
  ipAddresses: string[];
  /** Sorted. */
  keyUsage: KeyUsage[];
  /** Sorted. */
  extendedKeyUsage: ExtendedKeyUsage[];
}

/** Everything the PKI needs from a cluster spec (see pkiRequestFromSpec). */
export interface PkiRequest {
  clusterName: string;
  /** Subject CN of a CA kaws generates. */
  caCommonName: string;
  /** Every API endpoint's dnsName. */
  apiDnsNames: string[];
  /** The `kubernetes` Service's ClusterIP: serviceCIDR's first address + 1. */
  kubernetesServiceIp: string;
  /** How the stacks reach each etcd member (lib/render/naming.ts etcdMemberDnsName). */
  etcdDnsNames: string[];
  /** How kubelets are named in the VPC (EC2 private DNS), for the kubelet serving certificate. */
  workerDnsNames: string[];
  caDurationDays: number;
  certDurationDays: number;
}

/** A PEM certificate and its PKCS#1 PEM private key. */
export interface KeyPairPem {
  certificatePem: string;
  privateKeyPem: string;
}

/** Where the CA of a render came from. */
export type CaOrigin = 'generated' | 'provided' | 'stored';

export interface CaAsset {
  certificatePem: string;
  /** Absent when only the certificate is stored (a brought-your-own CA whose key stays with its owner). */
  privateKeyPem?: string;
  origin: CaOrigin;
}

export interface LeafAsset extends KeyPairPem {
  /** SHA-256 (hex) of what the certificate was issued for: its profile and its issuer's key. */
  issuedFor: string;
}

/** The full TLS asset set of a cluster. */
export interface TlsAssets {
  ca: CaAsset;
  leaves: Record<LeafName, LeafAsset>;
  /** Signs and verifies service-account tokens. Created once, never replaced by a render. */
  serviceAccountKeyPem: string;
}

/** Previously rendered assets, possibly incomplete (a folder missing files, a first render). */
export interface StoredTlsAssets {
  ca?: { certificatePem: string; privateKeyPem?: string };
  leaves?: Partial<Record<LeafName, Partial<KeyPairPem>>>;
  serviceAccountKeyPem?: string;
}

/** What to generate a key for; `purpose` lets a test hand out fixed keys, a real generator ignores it. */
export interface KeyRequest {
  purpose: 'ca' | 'service-account' | LeafName;
  bits: RsaKeyBits;
}

/** Returns a new RSA private key as PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`). */
export type KeyGenerator = (request: KeyRequest) => Promise<string>;

/** The clock, randomness and key source of a render: passed in, so lib/tls stays pure. */
export interface TlsDependencies {
  /** The time of the render: validity periods and expiry checks are relative to it. */
  now: Date;
  /** Cryptographically random bytes (certificate serial numbers). */
  randomBytes: (size: number) => Uint8Array;
  generateKey: KeyGenerator;
}

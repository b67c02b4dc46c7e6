/**
 * POST /clusters/{name}/kubeconfig: a kubeconfig with a short-lived client certificate for the caller
 * (CN = the caller's identity, O = system:masters), signed by the cluster CA. The CA key is decrypted
 * for this call only (through ClusterCaSource) and never leaves it: not in the response, not in a log.
 */

import { renderKubeconfig } from '../kube/kubeconfig.ts';
import type { ClusterSpec } from '../spec/types.ts';
import {
  CLOCK_SKEW_ALLOWANCE_MS,
  issueLeafCertificate,
  parseCertificate,
  serialNumberHex,
  truncateToSeconds,
} from '../tls/certificate.ts';
import type { CertificateProfile, KeyGenerator } from '../tls/types.ts';
import {
  type ClusterEndpoint,
  ClusterEndpointNotFoundError,
  type ClusterEndpointResolver,
} from './cluster-endpoints.ts';
import { isPlausibleClusterName } from './cluster-queries.ts';
import { ClusterNotFoundError } from './errors.ts';
import { ClusterHasNoCaError, InvalidKubeconfigTtlError } from './kubeconfig-errors.ts';
import type { Caller, ClusterRecord } from './model.ts';
import type { Clock } from './ports.ts';

export const KUBECONFIG_TTL_SECONDS = { default: 3600, min: 60, max: 24 * 3600 } as const;

/** The Kubernetes group every kubeconfig kaws issues is in: cluster-admin through RBAC's default binding. */
export const KUBECONFIG_GROUP = 'system:masters';

/** The cluster CA as stored; `privateKeyPem` absent when kaws does not hold it (a brought-your-own CA). */
export interface StoredCa {
  certificatePem: string;
  privateKeyPem?: string;
}

/** Where the CA comes from. Implementations decrypt the key on each call and keep nothing. */
export interface ClusterCaSource {
  /** The cluster's CA, or undefined when none is stored (credentials not rendered yet, or removed). */
  openCa(spec: ClusterSpec): Promise<StoredCa | undefined>;
}

export interface KubeconfigDeps {
  clusters: { getCluster(name: string): Promise<ClusterRecord | undefined> };
  ca: ClusterCaSource;
  endpoints: ClusterEndpointResolver;
  clock: Clock;
  generateKey: KeyGenerator;
  randomBytes: (size: number) => Uint8Array;
}

export interface KubeconfigRequest {
  clusterName: string;
  caller: Caller;
  /** From the body's `ttlSeconds`. */
  ttlSeconds?: number;
  /** From the query's `ttl`: seconds, or a duration like `90m`, `2h`. */
  ttl?: string;
}

export interface IssuedKubeconfig {
  clusterName: string;
  /** The client certificate's CN. */
  user: string;
  groups: string[];
  server: string;
  /** ISO-8601: when the client certificate expires. */
  expiresAt: string;
  /** The kubeconfig YAML, with the CA, certificate and key inlined. */
  kubeconfig: string;
}

const DURATION = /^(\d{1,6})(s|m|h)?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** The requested lifetime in seconds: default 1 h; 60 s to 24 h; `ttlSeconds` or `ttl`, not both. */
export function kubeconfigTtlSeconds(request: Pick<KubeconfigRequest, 'ttlSeconds' | 'ttl'>): number {
  const range = `between ${KUBECONFIG_TTL_SECONDS.min} seconds and ${KUBECONFIG_TTL_SECONDS.max / 3600} hours`;
  if (request.ttlSeconds !== undefined && request.ttl !== undefined) {
    throw new InvalidKubeconfigTtlError(
      'give the lifetime once: ttlSeconds (body) or ttl (query), not both',
      'ttl',
    );
  }
  let seconds: number = KUBECONFIG_TTL_SECONDS.default;
  let path = 'ttlSeconds';
  if (request.ttl !== undefined) {
    path = 'ttl';
    const match = DURATION.exec(request.ttl.trim());
    if (!match) {
      throw new InvalidKubeconfigTtlError(
        `ttl ${JSON.stringify(request.ttl)} is not a duration: give seconds (3600) or a number with s, m or h (90m, 2h)`,
        path,
      );
    }
    seconds = Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's') as keyof typeof UNIT_SECONDS];
  } else if (request.ttlSeconds !== undefined) {
    if (!Number.isInteger(request.ttlSeconds)) {
      throw new InvalidKubeconfigTtlError(`ttlSeconds must be a whole number of seconds, ${range}`, path);
    }
    seconds = request.ttlSeconds;
  }
  if (seconds < KUBECONFIG_TTL_SECONDS.min || seconds > KUBECONFIG_TTL_SECONDS.max) {
    throw new InvalidKubeconfigTtlError(`${path} is ${seconds} seconds; it must be ${range}`, path);
  }
  return seconds;
}

/** The cluster's API endpoint: the resolver's (the local stand-in), else the spec's first API DNS name. */
async function endpointOf(deps: KubeconfigDeps, spec: ClusterSpec): Promise<ClusterEndpoint> {
  try {
    return await deps.endpoints.resolve(spec.clusterName);
  } catch (error) {
    if (!(error instanceof ClusterEndpointNotFoundError)) throw error;
    const dnsName = spec.apiEndpoints[0]?.dnsName ?? '';
    return { url: `https://${dnsName}`, serverName: dnsName };
  }
}

/** Issues a kubeconfig for `caller` on the cluster. */
export async function createKubeconfig(
  deps: KubeconfigDeps,
  request: KubeconfigRequest,
): Promise<IssuedKubeconfig> {
  const ttlSeconds = kubeconfigTtlSeconds(request);
  const cluster = isPlausibleClusterName(request.clusterName)
    ? await deps.clusters.getCluster(request.clusterName)
    : undefined;
  if (!cluster) throw new ClusterNotFoundError(request.clusterName);
  if (cluster.status === 'DELETED') throw new ClusterHasNoCaError(cluster.name, 'the cluster is deleted');
  const ca = await deps.ca.openCa(cluster.spec);
  if (!ca) throw new ClusterHasNoCaError(cluster.name, 'its credentials are not rendered yet');
  if (!ca.privateKeyPem) {
    throw new ClusterHasNoCaError(
      cluster.name,
      'its CA was brought without its key, which kaws does not hold',
    );
  }

  const now = truncateToSeconds(deps.clock.now());
  const caNotAfter = parseCertificate(ca.certificatePem).validity.notAfter;
  const wanted = new Date(now.getTime() + ttlSeconds * 1000);
  const notAfter = wanted < caNotAfter ? wanted : caNotAfter;
  if (notAfter <= now) throw new ClusterHasNoCaError(cluster.name, 'its CA has expired');
  const profile: CertificateProfile = {
    commonName: request.caller,
    organizations: [KUBECONFIG_GROUP],
    dnsNames: [],
    ipAddresses: [],
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: ['clientAuth'],
  };
  const [clientKeyPem, endpoint] = await Promise.all([
    deps.generateKey({ purpose: 'admin', bits: 2048 }),
    endpointOf(deps, cluster.spec),
  ]);
  const clientCertificatePem = issueLeafCertificate({
    profile,
    privateKeyPem: clientKeyPem,
    ca: { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem },
    serialHex: serialNumberHex(deps.randomBytes),
    validity: { notBefore: new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS), notAfter },
  });
  return {
    clusterName: cluster.name,
    user: request.caller,
    groups: [KUBECONFIG_GROUP],
    server: endpoint.url,
    expiresAt: notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    kubeconfig: renderKubeconfig({
      clusterName: cluster.name,
      server: endpoint.url,
      tlsServerName: endpoint.serverName,
      caCertificatePem: ca.certificatePem,
      clientCertificatePem,
      clientKeyPem,
      issuedTo: request.caller,
      expiresAt: notAfter,
    }),
  };
}

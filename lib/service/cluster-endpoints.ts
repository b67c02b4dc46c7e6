/**
 * Where a cluster's Kubernetes API server is reachable, as an interface shared by the workflow's health
 * step (issue 6 part A) and the local API server stand-in (part B).
 *
 * On AWS the endpoint is the spec's first API endpoint DNS name (https://<apiEndpoints[0].dnsName>).
 * Locally, the stand-in registers each cluster's loopback HTTPS server in a {@link LocalEndpointMap}
 * and kaws resolves through it instead of DNS.
 */

/** A resolved API endpoint. */
export interface ClusterEndpoint {
  /** Base URL, no trailing slash, e.g. `https://127.0.0.1:40123` or `https://api.example.com`. */
  url: string;
  /**
   * The TLS server name to send (SNI) and to verify the server certificate against: the cluster's
   * API DNS name, which the apiserver certificate carries even when `url` is a loopback address.
   */
  serverName: string;
}

/** Resolves a cluster's API endpoint; rejects with {@link ClusterEndpointNotFoundError} when unknown. */
export interface ClusterEndpointResolver {
  resolve(clusterName: string): Promise<ClusterEndpoint>;
}

/** No endpoint is known (yet) for a cluster. The health step treats it as "not healthy yet". */
export class ClusterEndpointNotFoundError extends Error {
  override readonly name = 'ClusterEndpointNotFoundError';
  constructor(readonly clusterName: string) {
    super(`no API endpoint is known for cluster ${clusterName}`);
  }
}

/** Local mode: the stand-in registers (and removes) each cluster's loopback server here. */
export interface LocalEndpointMap extends ClusterEndpointResolver {
  register(clusterName: string, endpoint: ClusterEndpoint): void;
  unregister(clusterName: string): void;
}

/** An in-memory {@link LocalEndpointMap} (one per local process). */
export function createLocalEndpointMap(): LocalEndpointMap {
  const endpoints = new Map<string, ClusterEndpoint>();
  return {
    register(clusterName, endpoint) {
      endpoints.set(clusterName, endpoint);
    },
    unregister(clusterName) {
      endpoints.delete(clusterName);
    },
    async resolve(clusterName) {
      const endpoint = endpoints.get(clusterName);
      if (!endpoint) throw new ClusterEndpointNotFoundError(clusterName);
      return endpoint;
    },
  };
}

/**
 * AWS: the API endpoint is the DNS name of the spec's first API endpoint. `lookupDnsName` returns it
 * for a cluster (from the stored spec), or undefined when the cluster is unknown.
 */
export function createDnsEndpointResolver(
  lookupDnsName: (clusterName: string) => Promise<string | undefined>,
): ClusterEndpointResolver {
  return {
    async resolve(clusterName) {
      const dnsName = await lookupDnsName(clusterName);
      if (!dnsName) throw new ClusterEndpointNotFoundError(clusterName);
      return { url: `https://${dnsName}`, serverName: dnsName };
    },
  };
}

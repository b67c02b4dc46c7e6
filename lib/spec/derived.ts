/**
 * Values derived from a normalized spec that several parts of kaws need (TLS SANs, templates,
 * health checks). Pure functions of the spec, so every caller derives them the same way.
 */
import { parseCidr } from 'cidr-tools';
import type { ClusterSpec, Subnet } from './types.ts';

function ipv4FromNumber(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
}

/**
 * The ClusterIP of the `kubernetes` service: the first address of serviceCIDR + 1 (10.3.0.1 for
 * 10.3.0.0/24). Undefined only for a malformed serviceCIDR, which a valid spec never has.
 */
export function kubernetesServiceIP(spec: Pick<ClusterSpec, 'serviceCIDR'>): string | undefined {
  try {
    return ipv4FromNumber(parseCidr(spec.serviceCIDR).start + 1n);
  } catch {
    return undefined;
  }
}

/** Every API endpoint DNS name (for the API server certificate), sorted and unique. */
export function apiDnsNames(spec: Pick<ClusterSpec, 'apiEndpoints'>): string[] {
  return [...new Set(spec.apiEndpoints.map((endpoint) => endpoint.dnsName))].sort();
}

/** The DNS name kubeconfig and health checks use: the first API endpoint's. */
export function primaryApiDnsName(spec: Pick<ClusterSpec, 'apiEndpoints'>): string | undefined {
  return spec.apiEndpoints[0]?.dnsName;
}

/** Availability zones used by the cluster's subnets, in first-use order. */
export function availabilityZones(spec: Pick<ClusterSpec, 'subnets'>): string[] {
  return [...new Set(spec.subnets.map((subnet) => subnet.availabilityZone))];
}

/** Looks a subnet up by name (names are unique in a valid spec). */
export function subnetByName(spec: Pick<ClusterSpec, 'subnets'>, name: string): Subnet | undefined {
  return spec.subnets.find((subnet) => subnet.name === name);
}

/** Subnets kaws creates (no existing `id`). */
export function managedSubnets(spec: Pick<ClusterSpec, 'subnets'>): Subnet[] {
  return spec.subnets.filter((subnet) => subnet.id === undefined);
}

/** Whether kaws creates the VPC (no existing `vpc.id`). */
export function vpcManaged(spec: Pick<ClusterSpec, 'vpc'>): boolean {
  return spec.vpc.id === undefined;
}

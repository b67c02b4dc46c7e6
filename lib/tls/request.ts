/**
 * From a cluster spec to what the PKI needs (PkiRequest), and from there to each leaf's profile:
 * subject, SANs and usages. Changing a profile here is what makes a re-render reissue a certificate.
 */
import { expandCidr, normalizeCidr } from 'cidr-tools';
import { etcdMemberDnsName } from '../render/naming.ts';
import type { ClusterSpec } from '../spec/types.ts';
import type { CertificateProfile, ExtendedKeyUsage, KeyUsage, LeafName, PkiRequest } from './types.ts';

export const DEFAULT_CA_COMMON_NAME = 'kube-ca';

/**
 * The names of the `kubernetes` Service inside the cluster; every client in a pod reaches the API
 * server by one of them.
 */
const KUBERNETES_SERVICE_DNS_NAMES = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];

/**
 * EC2 private DNS names of instances in a region, which kubelets register as their node names: us-east-1
 * uses `ip-…​.ec2.internal`, every other region `ip-…​.<region>.compute.internal`.
 */
export function ec2PrivateDnsWildcard(region: string): string {
  return region === 'us-east-1' ? '*.ec2.internal' : `*.${region}.compute.internal`;
}

/** The `kubernetes` Service's ClusterIP: the first address after serviceCIDR's network address. */
export function kubernetesServiceIp(serviceCIDR: string): string {
  const addresses = expandCidr(serviceCIDR);
  addresses.next();
  const next = addresses.next();
  if (next.done) throw new Error(`serviceCIDR ${serviceCIDR} has no address for the kubernetes Service`);
  return next.value;
}

/** Derives the PKI request from a normalized spec. `caCommonName` applies only to a CA kaws generates. */
export function pkiRequestFromSpec(spec: ClusterSpec, options: { caCommonName?: string } = {}): PkiRequest {
  return {
    clusterName: spec.clusterName,
    caCommonName: options.caCommonName ?? DEFAULT_CA_COMMON_NAME,
    apiDnsNames: spec.apiEndpoints.map((endpoint) => endpoint.dnsName),
    kubernetesServiceIp: kubernetesServiceIp(spec.serviceCIDR),
    etcdDnsNames: Array.from({ length: spec.etcd.count }, (_, index) =>
      etcdMemberDnsName(spec.clusterName, index),
    ),
    workerDnsNames: [ec2PrivateDnsWildcard(spec.region)],
    caDurationDays: spec.tlsCADurationDays,
    certDurationDays: spec.tlsCertDurationDays,
  };
}

const LEAF_KEY_USAGE: KeyUsage[] = ['digitalSignature', 'keyEncipherment'];
const LOOPBACK = '127.0.0.1';

const sortedUnique = (values: string[]) => [...new Set(values)].sort();

function profile(
  commonName: string,
  extendedKeyUsage: ExtendedKeyUsage[],
  names: { organizations?: string[]; dnsNames?: string[]; ipAddresses?: string[] } = {},
): CertificateProfile {
  return {
    commonName,
    organizations: names.organizations ?? [],
    dnsNames: sortedUnique(names.dnsNames ?? []),
    ipAddresses: sortedUnique((names.ipAddresses ?? []).map((ip) => normalizeCidr(ip))),
    keyUsage: [...LEAF_KEY_USAGE].sort(),
    extendedKeyUsage: [...extendedKeyUsage].sort(),
  };
}

/**
 * The profile of every leaf. Subjects follow Kubernetes's RBAC conventions: the admin is in
 * `system:masters`, kubelets in `system:nodes`, the controller manager and scheduler use their
 * built-in user names.
 */
export function leafProfiles(request: PkiRequest): Record<LeafName, CertificateProfile> {
  return {
    // Client auth too: the API server presents it to kubelets.
    apiserver: profile('kube-apiserver', ['serverAuth', 'clientAuth'], {
      dnsNames: [...KUBERNETES_SERVICE_DNS_NAMES, ...request.apiDnsNames],
      ipAddresses: [LOOPBACK, request.kubernetesServiceIp],
    }),
    // One certificate shared by every kubelet (as kube-aws did): a client of the API server and the
    // server of the kubelet API, reached by the node's EC2 private DNS name.
    worker: profile('kube-worker', ['serverAuth', 'clientAuth'], {
      organizations: ['system:nodes'],
      dnsNames: request.workerDnsNames,
    }),
    admin: profile('kube-admin', ['clientAuth'], { organizations: ['system:masters'] }),
    // Server and peer certificate of every member: peers authenticate each other with it as clients.
    etcd: profile('kube-etcd', ['serverAuth', 'clientAuth'], {
      dnsNames: request.etcdDnsNames,
      ipAddresses: [LOOPBACK],
    }),
    'etcd-client': profile('kube-etcd-client', ['clientAuth']),
    'kube-controller-manager': profile('system:kube-controller-manager', ['clientAuth']),
    'kube-scheduler': profile('system:kube-scheduler', ['clientAuth']),
  };
}

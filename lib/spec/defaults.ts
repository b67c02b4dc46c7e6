/**
 * Defaults: kube-aws's for the network, DNS and TLS settings; modern ones (t3.medium, gp3,
 * encrypted etcd data) for instances and volumes. applyDefaults turns a shape-checked input into
 * the complete ClusterSpec every other part of kaws reads.
 */
import { normalizeCidr } from 'cidr-tools';
import { DEFAULT_INSTANCE_CIDR, LEGACY_WORKER_POOL_NAME } from './legacy.ts';
import type { AutoScalingGroupInput, NodePoolInput, SpecInput, VolumeInput } from './schema.ts';
import type {
  ApiEndpoint,
  AutoScalingGroupSpec,
  ClusterSpec,
  DataVolume,
  NodePoolSpec,
  Subnet,
  Taint,
  Volume,
  VolumeType,
} from './types.ts';

export const DEFAULTS = {
  vpcCIDR: '10.0.0.0/16',
  /** The single subnet of a spec without `subnets` (kube-aws's instanceCIDR default). */
  instanceCIDR: DEFAULT_INSTANCE_CIDR,
  podCIDR: '10.2.0.0/16',
  serviceCIDR: '10.3.0.0/24',
  dnsServiceIP: '10.3.0.10',
  recordSetTTL: 300,
  tlsCADurationDays: 3650,
  tlsCertDurationDays: 365,
  releaseChannel: 'stable',
  kubernetesVersion: 'v1.31.2',
  etcdVersion: '3.5.16',
  instanceType: 't3.medium',
  count: 1,
  rootVolume: { size: 30, type: 'gp3' },
  etcdDataVolume: { size: 30, type: 'gp3', encrypted: true },
  mapPublicIPs: true,
  loadBalancerType: 'classic',
  apiAccessAllowedSourceCIDRs: ['0.0.0.0/0'],
  nodePoolName: LEGACY_WORKER_POOL_NAME,
} as const;

/** Subnets get kube-aws's default names `Subnet0`, `Subnet1`, ... */
export const defaultSubnetName = (index: number) => `Subnet${index}`;

function volume(input: VolumeInput | undefined, fallback: { size: number; type: VolumeType }): Volume {
  const out: Volume = { size: input?.size ?? fallback.size, type: input?.type ?? fallback.type };
  if (input?.iops !== undefined) out.iops = input.iops;
  return out;
}

/**
 * Desired count and ASG bounds, as kube-aws: count defaults to 1, brought within the group's minSize
 * and maxSize when they are given (a spot pool with minSize 0 still starts one node); minSize and
 * maxSize default to the count; the rolling update keeps all but one instance in service (capped below
 * maxSize).
 */
function sizing(
  countInput: number | undefined,
  asg: AutoScalingGroupInput | undefined,
): { count: number; autoScalingGroup: AutoScalingGroupSpec } {
  const count =
    countInput ??
    Math.min(Math.max(DEFAULTS.count, asg?.minSize ?? 0), asg?.maxSize ?? Number.POSITIVE_INFINITY);
  const minSize = asg?.minSize ?? count;
  const maxSize = asg?.maxSize ?? Math.max(count, minSize);
  const rollingUpdateMinInstancesInService =
    asg?.rollingUpdateMinInstancesInService ?? Math.max(0, Math.min(count, maxSize) - 1);
  return { count, autoScalingGroup: { minSize, maxSize, rollingUpdateMinInstancesInService } };
}

const withPrefix = (version: string) => (version.startsWith('v') ? version : `v${version}`);
/** `v3.5.16` -> `3.5.16`; kube-aws's major-only `3` means kaws's default 3.x. */
function etcdVersion(given: string | undefined): string {
  const version = given?.replace(/^v/, '') ?? DEFAULTS.etcdVersion;
  return version === DEFAULTS.etcdVersion.split('.')[0] ? DEFAULTS.etcdVersion : version;
}

function subnets(input: SpecInput): Subnet[] {
  // kube-aws: an existing route table without public IPs means every subnet is private.
  const privateByDefault = input.routeTableId !== undefined && input.mapPublicIPs === false;
  return (input.subnets ?? []).map((subnet, index) => {
    const out: Subnet = {
      name: subnet.name ?? defaultSubnetName(index),
      availabilityZone: subnet.availabilityZone ?? '',
      instanceCIDR: subnet.instanceCIDR ?? '',
      private: subnet.private ?? privateByDefault,
    };
    if (subnet.id !== undefined) out.id = subnet.id;
    return out;
  });
}

/** Public subnets, or every subnet when there is no public one. */
function defaultPlacement(all: Subnet[]): string[] {
  const publicOnes = all.filter((subnet) => !subnet.private);
  return (publicOnes.length > 0 ? publicOnes : all).map((subnet) => subnet.name);
}

function apiEndpoints(input: SpecInput, all: Subnet[]): ApiEndpoint[] {
  return (input.apiEndpoints ?? []).map((endpoint, index) => {
    const lb = endpoint.loadBalancer ?? {};
    const isPrivate = lb.private ?? false;
    const hostedZone: ApiEndpoint['loadBalancer']['hostedZone'] = {};
    if (lb.hostedZone?.id !== undefined) hostedZone.id = lb.hostedZone.id.replace(/^\/hostedzone\//, '');
    if (lb.hostedZone?.name !== undefined) hostedZone.name = lb.hostedZone.name.replace(/\.$/, '');
    return {
      name: endpoint.name ?? `endpoint-${index}`,
      dnsName: endpoint.dnsName ?? '',
      loadBalancer: {
        type: lb.type ?? DEFAULTS.loadBalancerType,
        private: isPrivate,
        subnets:
          lb.subnets ?? all.filter((subnet) => subnet.private === isPrivate).map((subnet) => subnet.name),
        hostedZone,
        recordSetManaged: lb.recordSetManaged ?? true,
        recordSetTTL: lb.recordSetTTL ?? DEFAULTS.recordSetTTL,
        apiAccessAllowedSourceCIDRs: lb.apiAccessAllowedSourceCIDRs ?? [
          ...DEFAULTS.apiAccessAllowedSourceCIDRs,
        ],
      },
    };
  });
}

function nodePool(pool: NodePoolInput, index: number, placement: string[]): NodePoolSpec {
  const out: NodePoolSpec = {
    name: pool.name ?? `pool-${index}`,
    ...sizing(pool.count, pool.autoScalingGroup),
    instanceType: pool.instanceType ?? DEFAULTS.instanceType,
    rootVolume: volume(pool.rootVolume, DEFAULTS.rootVolume),
    subnets: pool.subnets ?? placement,
    nodeLabels: { ...(pool.nodeLabels ?? {}) },
    taints: (pool.taints ?? []).map(
      (taint): Taint => ({
        key: taint.key ?? '',
        value: taint.value ?? '',
        effect: taint.effect ?? 'NoSchedule',
      }),
    ),
  };
  if (pool.spotPrice !== undefined) out.spotPrice = pool.spotPrice;
  return out;
}

function dataVolume(input: SpecInput): DataVolume {
  const given = input.etcd?.dataVolume;
  const out: DataVolume = {
    size: given?.size ?? DEFAULTS.etcdDataVolume.size,
    type: given?.type ?? DEFAULTS.etcdDataVolume.type,
    encrypted: given?.encrypted ?? DEFAULTS.etcdDataVolume.encrypted,
  };
  if (given?.iops !== undefined) out.iops = given.iops;
  return out;
}

/** The complete spec: every optional field filled in. Pure and deterministic. */
export function applyDefaults(input: SpecInput): ClusterSpec {
  const allSubnets = subnets(input);
  const placement = defaultPlacement(allSubnets);
  const controller = input.controller ?? {};
  const etcd = input.etcd ?? {};
  const pools = input.worker?.nodePools ?? [{ name: DEFAULTS.nodePoolName }];

  const spec: ClusterSpec = {
    clusterName: input.clusterName ?? '',
    region: input.region ?? '',
    sshAuthorizedKeys: [...(input.sshAuthorizedKeys ?? [])],
    kmsKeyArn: input.kmsKeyArn ?? '',
    releaseChannel: input.releaseChannel ?? DEFAULTS.releaseChannel,
    kubernetesVersion: withPrefix(input.kubernetesVersion ?? DEFAULTS.kubernetesVersion),
    vpc: { cidr: input.vpc?.cidr ?? DEFAULTS.vpcCIDR },
    internetGateway: {},
    mapPublicIPs: input.mapPublicIPs ?? DEFAULTS.mapPublicIPs,
    subnets: allSubnets,
    // kube-aws (Go's net.ParseCIDR) accepted host bits in these two and used the network.
    serviceCIDR: normalizeCidr(input.serviceCIDR ?? DEFAULTS.serviceCIDR),
    podCIDR: normalizeCidr(input.podCIDR ?? DEFAULTS.podCIDR),
    dnsServiceIP: input.dnsServiceIP ?? DEFAULTS.dnsServiceIP,
    apiEndpoints: apiEndpoints(input, allSubnets),
    controller: {
      ...sizing(controller.count, controller.autoScalingGroup),
      instanceType: controller.instanceType ?? DEFAULTS.instanceType,
      rootVolume: volume(controller.rootVolume, DEFAULTS.rootVolume),
      subnets: controller.subnets ?? placement,
    },
    etcd: {
      count: etcd.count ?? DEFAULTS.count,
      instanceType: etcd.instanceType ?? DEFAULTS.instanceType,
      rootVolume: volume(etcd.rootVolume, DEFAULTS.rootVolume),
      dataVolume: dataVolume(input),
      version: etcdVersion(etcd.version),
      subnets: etcd.subnets ?? placement,
    },
    worker: { nodePools: pools.map((pool, index) => nodePool(pool, index, placement)) },
    tlsCADurationDays: input.tlsCADurationDays ?? DEFAULTS.tlsCADurationDays,
    tlsCertDurationDays: input.tlsCertDurationDays ?? DEFAULTS.tlsCertDurationDays,
    stackTags: { ...(input.stackTags ?? {}) },
  };
  if (input.keyName !== undefined) spec.keyName = input.keyName;
  if (input.s3URI !== undefined) spec.s3URI = input.s3URI.replace(/\/+$/, '');
  if (input.amiId !== undefined) spec.amiId = input.amiId;
  if (input.vpc?.id !== undefined) spec.vpc.id = input.vpc.id;
  if (input.routeTableId !== undefined) spec.routeTableId = input.routeTableId;
  if (input.internetGateway?.id !== undefined) spec.internetGateway.id = input.internetGateway.id;
  return spec;
}

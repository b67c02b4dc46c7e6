/**
 * The stand-in's nodes: one per InService instance of a pool's Auto Scaling group, shaped as the
 * kubelet on that instance would register it (name = EC2 private DNS name, pool/role labels, the
 * pool's own labels and taints, Ready). A pool can be switched NotReady (the fault switch of local
 * mode) without touching the instances. Pure.
 */
import { createHash } from 'node:crypto';
import type { PoolInstance } from '../lib/aws/node-pool-instances.ts';
import type { KubeNode } from '../lib/kube/types.ts';
import { nodeLabelKeys } from '../lib/render/naming.ts';
import type { ClusterSpec } from '../lib/spec/types.ts';

/** Why a pool's nodes are NotReady, when they are made so on purpose. */
export interface PoolFault {
  reason: string;
  message: string;
}

/** Only instances in service run a kubelet that has registered. */
export const REGISTERED_LIFECYCLE_STATE = 'InService';

const OS_IMAGE = 'kaws local stand-in (no kubelet runs)';

/** The conditions a healthy kubelet reports False, with the reason it gives. */
const PRESSURE_CONDITIONS = [
  ['MemoryPressure', 'KubeletHasSufficientMemory'],
  ['DiskPressure', 'KubeletHasNoDiskPressure'],
  ['PIDPressure', 'KubeletHasSufficientPID'],
] as const;

/** A stable UUID-shaped id from a string: the same instance keeps the same node uid. */
function stableUid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The node name kubelet registers on EC2: the private DNS name (`ip-10-0-1-2.ec2.internal`). */
export function nodeNameOf(instance: PoolInstance, region: string): string {
  if (instance.privateDnsName) return instance.privateDnsName;
  if (instance.privateIpAddress) {
    const host = `ip-${instance.privateIpAddress.replaceAll('.', '-')}`;
    return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
  }
  return instance.instanceId;
}

const timestamp = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The node of one instance of `pool`; Ready unless `fault` is given. */
export function nodeOf(options: {
  spec: ClusterSpec;
  instance: PoolInstance;
  now: Date;
  fault?: PoolFault;
}): KubeNode {
  const { spec, instance, fault } = options;
  const pool = spec.worker.nodePools.find((p) => p.name === instance.pool);
  const name = nodeNameOf(instance, spec.region);
  const arch = instance.architecture === 'arm64' ? 'arm64' : 'amd64';
  const created = instance.launchTime ?? options.now;
  const heartbeat = timestamp(options.now);
  const labels: Record<string, string> = {
    ...(pool?.nodeLabels ?? {}),
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    ...(instance.instanceType ? { 'node.kubernetes.io/instance-type': instance.instanceType } : {}),
    'topology.kubernetes.io/region': spec.region,
    ...(instance.availabilityZone ? { 'topology.kubernetes.io/zone': instance.availabilityZone } : {}),
    [nodeLabelKeys.nodePool]: instance.pool,
    [nodeLabelKeys.role]: 'worker',
  };
  const addresses: NonNullable<KubeNode['status']['addresses']> = [
    ...(instance.privateIpAddress
      ? [{ type: 'InternalIP' as const, address: instance.privateIpAddress }]
      : []),
    ...(instance.publicIpAddress ? [{ type: 'ExternalIP' as const, address: instance.publicIpAddress }] : []),
    { type: 'Hostname', address: name },
    ...(instance.privateDnsName ? [{ type: 'InternalDNS' as const, address: instance.privateDnsName }] : []),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: stableUid(`${spec.clusterName}/${instance.instanceId}`),
      resourceVersion: '1',
      creationTimestamp: timestamp(created),
      labels: Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))),
      annotations: { 'kaws.io/stand-in': 'true' },
    },
    spec: {
      providerID: `aws:///${instance.availabilityZone}/${instance.instanceId}`,
      ...(pool && pool.taints.length > 0
        ? { taints: pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })) }
        : {}),
    },
    status: {
      conditions: [
        ...PRESSURE_CONDITIONS.map(([type, reason]) => ({
          type,
          status: 'False' as const,
          reason,
          lastHeartbeatTime: heartbeat,
          lastTransitionTime: timestamp(created),
        })),
        fault
          ? {
              type: 'Ready',
              status: 'False' as const,
              reason: fault.reason,
              message: fault.message,
              lastHeartbeatTime: heartbeat,
              lastTransitionTime: heartbeat,
            }
          : {
              type: 'Ready',
              status: 'True' as const,
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
              lastHeartbeatTime: heartbeat,
              lastTransitionTime: timestamp(created),
            },
      ],
      addresses,
      nodeInfo: {
        architecture: arch,
        bootID: stableUid(`boot/${instance.instanceId}`),
        containerRuntimeVersion: '',
        kernelVersion: '',
        kubeProxyVersion: '',
        kubeletVersion: spec.kubernetesVersion,
        machineID: instance.instanceId,
        operatingSystem: 'linux',
        osImage: OS_IMAGE,
        systemUUID: stableUid(`system/${instance.instanceId}`),
      },
    },
  };
}

/** The nodes of a cluster: one per registered instance, faults applied per pool, sorted by name. */
export function clusterNodes(options: {
  spec: ClusterSpec;
  instances: readonly PoolInstance[];
  now: Date;
  faults?: ReadonlyMap<string, PoolFault>;
}): KubeNode[] {
  return options.instances
    .filter((instance) => instance.lifecycleState === REGISTERED_LIFECYCLE_STATE)
    .map((instance) => {
      const fault = options.faults?.get(instance.pool);
      return nodeOf({ spec: options.spec, instance, now: options.now, ...(fault ? { fault } : {}) });
    })
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/**
 * Reading nodes as a cluster operator does: is a node Ready, how many Ready nodes each node pool has,
 * and the `kubectl get nodes` table (the server-side printing kubectl asks the API server for). Pure.
 */
import { nodeLabelKeys } from '../render/naming.ts';
import type { KubeNode, Table, TableColumnDefinition } from './types.ts';

/** Whether the node's Ready condition is True (kubelet posts it; absent means not Ready). */
export function isNodeReady(node: KubeNode): boolean {
  return node.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Ready nodes per node pool (by the kaws pool label); nodes without the label are not counted. */
export function readyNodesByPool(nodes: readonly KubeNode[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const node of nodes) {
    const pool = node.metadata.labels?.[nodeLabelKeys.nodePool];
    if (pool === undefined || !isNodeReady(node)) continue;
    counts.set(pool, (counts.get(pool) ?? 0) + 1);
  }
  return counts;
}

/**
 * Pools with fewer Ready nodes than wanted, with the counts; empty when every pool has enough.
 * `wanted` maps pool name to its desired count.
 */
export function poolsShortOfReadyNodes(
  nodes: readonly KubeNode[],
  wanted: ReadonlyMap<string, number> | Record<string, number>,
): Array<{ pool: string; ready: number; wanted: number }> {
  const ready = readyNodesByPool(nodes);
  const entries = wanted instanceof Map ? [...wanted] : Object.entries(wanted);
  return entries
    .map(([pool, count]) => ({ pool, ready: ready.get(pool) ?? 0, wanted: count }))
    .filter((p) => p.ready < p.wanted);
}

/** Kubernetes's duration.HumanDuration, as kubectl prints AGE. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';

/** The ROLES column: node-role.kubernetes.io/<role> labels and kubernetes.io/role, as kubectl shows them. */
function rolesOf(node: KubeNode): string {
  const labels = node.metadata.labels ?? {};
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith(ROLE_LABEL_PREFIX) && key.length > ROLE_LABEL_PREFIX.length) {
      roles.add(key.slice(ROLE_LABEL_PREFIX.length));
    } else if (key === 'kubernetes.io/role' && value !== '') {
      roles.add(value);
    }
  }
  return roles.size > 0 ? [...roles].sort().join(',') : '<none>';
}

function statusOf(node: KubeNode): string {
  const ready = node.status.conditions?.find((c) => c.type === 'Ready');
  const status = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  return node.spec.unschedulable ? `${status},SchedulingDisabled` : status;
}

const address = (node: KubeNode, type: string) =>
  node.status.addresses?.find((a) => a.type === type)?.address ?? '<none>';

const column = (name: string, description: string, priority = 0, format = ''): TableColumnDefinition => ({
  name,
  type: 'string',
  format,
  description,
  priority,
});

/** The columns the Kubernetes API server prints for nodes (pkg/printers/internalversion). */
const NODE_COLUMNS: TableColumnDefinition[] = [
  column('Name', 'Name must be unique within a namespace.', 0, 'name'),
  column('Status', 'The status of the node'),
  column('Roles', 'The roles of the node'),
  column(
    'Age',
    'CreationTimestamp is a timestamp representing the server time when this object was created.',
  ),
  column('Version', 'Kubelet Version reported by the node.'),
  column('Internal-IP', 'List of addresses reachable to the node.', 1),
  column('External-IP', 'List of addresses reachable to the node.', 1),
  column(
    'OS-Image',
    'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
    1,
  ),
  column(
    'Kernel-Version',
    "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    1,
  ),
  column('Container-Runtime', 'Container runtime version reported by the node.', 1),
];

/** The `kubectl get nodes` table of `nodes`, ages relative to `now`. */
export function nodeTable(nodes: readonly KubeNode[], now: Date, resourceVersion?: string): Table {
  return {
    apiVersion: 'meta.k8s.io/v1',
    kind: 'Table',
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: NODE_COLUMNS,
    rows: nodes.map((node) => {
      const created = node.metadata.creationTimestamp;
      const info = node.status.nodeInfo;
      return {
        cells: [
          node.metadata.name,
          statusOf(node),
          rolesOf(node),
          created ? humanDuration(now.getTime() - Date.parse(created)) : '<unknown>',
          info?.kubeletVersion ?? '',
          address(node, 'InternalIP'),
          address(node, 'ExternalIP'),
          info?.osImage ?? '<unknown>',
          info?.kernelVersion ?? '<unknown>',
          info?.containerRuntimeVersion ?? '<unknown>',
        ],
        object: { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: node.metadata },
      };
    }),
  };
}

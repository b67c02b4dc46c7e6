/**
 * Records -> wire format (api-schemas.ts). The store's internals (item version, keys) never leave here.
 */
import type {
  ClusterEvent,
  ClusterRecord,
  ClusterSummary,
  OperationRecord,
  OperationRef,
  Page,
} from '../../lib/service/model.ts';
import type { ClusterEventView, ClusterSummaryView, ClusterView, OperationView } from './api-schemas.ts';

/** Paths of resources, for Location headers and links. */
export const paths = {
  operation: (id: string) => `/operations/${encodeURIComponent(id)}`,
} as const;

/** The strong ETag of a spec version. */
export const etagOf = (specVersion: number) => `"${specVersion}"`;

export function operationRef(ref: OperationRef) {
  return { id: ref.id, type: ref.type, href: paths.operation(ref.id) };
}

export function clusterSummaryView(cluster: ClusterSummary): ClusterSummaryView {
  return {
    name: cluster.name,
    status: cluster.status,
    ...(cluster.statusReason ? { statusReason: cluster.statusReason } : {}),
    specVersion: cluster.specVersion,
    outputs: cluster.outputs,
    ...(cluster.currentOperation ? { currentOperation: operationRef(cluster.currentOperation) } : {}),
    createdBy: cluster.createdBy,
    createdAt: cluster.createdAt,
    updatedBy: cluster.updatedBy,
    updatedAt: cluster.updatedAt,
  };
}

export function clusterView(cluster: ClusterRecord): ClusterView {
  return { ...clusterSummaryView(cluster), spec: cluster.spec as unknown as Record<string, unknown> };
}

export function operationView(operation: OperationRecord): OperationView {
  const { version: _version, ...view } = operation;
  return view;
}

export function eventView(event: ClusterEvent): ClusterEventView {
  return event;
}

export function pageView<T, V>(page: Page<T>, view: (item: T) => V): { items: V[]; nextToken?: string } {
  return { items: page.items.map(view), ...(page.cursor ? { nextToken: page.cursor } : {}) };
}

/**
 * The few Kubernetes API objects kaws reads and serves (core/v1 Node, meta/v1 Status and Table), typed
 * to the fields kaws uses. Field names and shapes follow the Kubernetes API reference.
 */

export interface ObjectMeta {
  name: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface NodeAddress {
  type: 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';
  address: string;
}

export interface NodeSystemInfo {
  architecture: string;
  bootID: string;
  containerRuntimeVersion: string;
  kernelVersion: string;
  kubeProxyVersion: string;
  kubeletVersion: string;
  machineID: string;
  operatingSystem: string;
  osImage: string;
  systemUUID: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface KubeNode {
  apiVersion?: 'v1';
  kind?: 'Node';
  metadata: ObjectMeta;
  spec: { providerID?: string; unschedulable?: boolean; taints?: Taint[] };
  status: {
    conditions?: NodeCondition[];
    addresses?: NodeAddress[];
    nodeInfo?: NodeSystemInfo;
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
  };
}

export interface NodeList {
  apiVersion: 'v1';
  kind: 'NodeList';
  metadata: { resourceVersion?: string; continue?: string };
  items: KubeNode[];
}

/** meta/v1 Status: what the API server answers an error with. */
export interface Status {
  apiVersion: 'v1';
  kind: 'Status';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  code: number;
}

/** meta.k8s.io/v1 Table, what kubectl asks for to print `kubectl get`. */
export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface Table {
  apiVersion: 'meta.k8s.io/v1';
  kind: 'Table';
  metadata: { resourceVersion?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: Array<{
    cells: Array<string | number>;
    object: { apiVersion: 'meta.k8s.io/v1'; kind: 'PartialObjectMetadata'; metadata: ObjectMeta };
  }>;
}

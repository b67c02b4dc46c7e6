/**
 * The normalized cluster spec: kube-aws's nested `cluster.yaml` with every legacy flat key folded in
 * and every default applied. This is the contract between lib/spec (which produces it) and every other
 * part of kaws (TLS, render, store, service), which only ever read it.
 *
 * Field names follow kube-aws so a kube-aws user recognizes them.
 */

export type VolumeType = 'gp2' | 'gp3' | 'io1' | 'io2' | 'st1' | 'sc1' | 'standard';

export interface Volume {
  /** GiB */
  size: number;
  type: VolumeType;
  /** Only for io1/io2 (required there) and gp3 (optional). */
  iops?: number;
}

export interface DataVolume extends Volume {
  encrypted: boolean;
}

export interface AutoScalingGroupSpec {
  minSize: number;
  maxSize: number;
  rollingUpdateMinInstancesInService: number;
}

export interface Subnet {
  /** Unique within the spec; referenced by name from controller, etcd, pools and load balancers. */
  name: string;
  availabilityZone: string;
  /** The subnet's CIDR block; '' for an existing subnet (`id`) given without its CIDR. */
  instanceCIDR: string;
  /** An existing subnet (subnet-...) instead of one kaws creates. */
  id?: string;
  /** Private subnets route through a NAT gateway; public ones through the internet gateway. */
  private: boolean;
}

export interface LoadBalancerSpec {
  type: 'classic' | 'network';
  /** Internal load balancer (scheme internal) when true. */
  private: boolean;
  /** Subnet names; defaults to every public subnet (every private one for a private load balancer). */
  subnets: string[];
  /**
   * Where the endpoint's record set goes: a hosted zone id, or (kube-aws 0.9's `hostedZone`) a zone
   * name, never both. Ids are stored without the `/hostedzone/` prefix, names without the trailing dot.
   */
  hostedZone: { id?: string; name?: string };
  /** Whether kaws manages a Route 53 record for the endpoint's dnsName. */
  recordSetManaged: boolean;
  recordSetTTL: number;
  /** Source CIDRs allowed to reach the API on 443. Default 0.0.0.0/0. */
  apiAccessAllowedSourceCIDRs: string[];
}

export interface ApiEndpoint {
  name: string;
  dnsName: string;
  loadBalancer: LoadBalancerSpec;
}

export interface ControllerSpec {
  count: number;
  instanceType: string;
  rootVolume: Volume;
  autoScalingGroup: AutoScalingGroupSpec;
  /** Subnet names. */
  subnets: string[];
}

export interface EtcdSpec {
  count: number;
  instanceType: string;
  rootVolume: Volume;
  dataVolume: DataVolume;
  /** etcd version, e.g. "3.5.16". */
  version: string;
  /** Subnet names; members are spread across them round-robin. */
  subnets: string[];
}

export interface Taint {
  key: string;
  value: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodePoolSpec {
  name: string;
  /** Desired capacity. */
  count: number;
  instanceType: string;
  rootVolume: Volume;
  /** Max spot price in USD/hour as a decimal string; absent = on-demand. */
  spotPrice?: string;
  autoScalingGroup: AutoScalingGroupSpec;
  /** Subnet names. */
  subnets: string[];
  nodeLabels: Record<string, string>;
  taints: Taint[];
}

export interface ClusterSpec {
  clusterName: string;
  region: string;
  keyName?: string;
  sshAuthorizedKeys: string[];
  kmsKeyArn: string;
  /** s3://bucket/prefix for the cluster's assets; absent = kaws's own bucket. */
  s3URI?: string;
  amiId?: string;
  releaseChannel: 'stable' | 'beta' | 'alpha';
  kubernetesVersion: string;
  vpc: { id?: string; cidr: string };
  routeTableId?: string;
  internetGateway: { id?: string };
  mapPublicIPs: boolean;
  subnets: Subnet[];
  serviceCIDR: string;
  podCIDR: string;
  dnsServiceIP: string;
  apiEndpoints: ApiEndpoint[];
  controller: ControllerSpec;
  etcd: EtcdSpec;
  worker: { nodePools: NodePoolSpec[] };
  tlsCADurationDays: number;
  tlsCertDurationDays: number;
  stackTags: Record<string, string>;
}

/** One validation problem. `path` is the path as the user wrote it (`vpcId`, `worker.nodePools[1].name`). */
export interface SpecIssue {
  path: string;
  code: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: SpecIssue[];
  warnings: SpecIssue[];
  /** Present when valid. */
  spec?: ClusterSpec;
}

/**
 * Every name kaws gives to something outside a single function lives here: stack names, S3 keys,
 * event source and detail-types, table keys. Templates, deployer, store and tests all import these,
 * so a rename is one change.
 */

export type StackKind = 'network' | 'etcd' | 'control-plane' | 'nodepool';

/** CloudFormation stack names: `<cluster>-network`, `<cluster>-etcd`, `<cluster>-control-plane`, `<cluster>-nodepool-<pool>`. */
export const stackNames = {
  network: (cluster: string) => `${cluster}-network`,
  etcd: (cluster: string) => `${cluster}-etcd`,
  controlPlane: (cluster: string) => `${cluster}-control-plane`,
  nodePool: (cluster: string, pool: string) => `${cluster}-nodepool-${pool}`,
} as const;

/** Longest stack name AWS accepts. */
export const MAX_STACK_NAME_LENGTH = 128;

/**
 * IAM role names of the node roles. IAM is global, so the region is part of the name (one cluster
 * name in two regions must not collide). lib/spec rejects specs whose role names would exceed
 * MAX_IAM_ROLE_NAME_LENGTH.
 */
export const iamRoleNames = {
  controller: (cluster: string, region: string) => `${cluster}-${region}-controller`,
  etcd: (cluster: string, region: string) => `${cluster}-${region}-etcd`,
  nodePool: (cluster: string, region: string, pool: string) => `${cluster}-${region}-nodepool-${pool}`,
} as const;

/** Longest IAM role name AWS accepts. */
export const MAX_IAM_ROLE_NAME_LENGTH = 64;

/** S3 keys, all under the cluster's own prefix so a node's IAM policy can be scoped to it. */
export const s3Keys = {
  clusterPrefix: (cluster: string) => `clusters/${cluster}/`,
  credentials: (cluster: string) => `clusters/${cluster}/credentials/`,
  credential: (cluster: string, asset: string) => `clusters/${cluster}/credentials/${asset}`,
  /**
   * The KMS envelope (lib/aws/envelope.ts) holding exactly the TLS assets one node role needs
   * (lib/render/input.ts roleAssets): a node's IAM role may read its own role's envelope only.
   */
  roleEnvelope: (cluster: string, role: NodeRole) => `clusters/${cluster}/credentials/${role}.envelope.json`,
  /**
   * The KMS envelope of the cluster's full TLS asset set (CA key, admin key, every leaf), sealed under
   * kaws's own key, always in kaws's bucket: what kaws re-renders from and signs kubeconfigs with. No
   * node role may read it (their policies name their role's envelope only).
   */
  clusterEnvelope: (cluster: string) => `clusters/${cluster}/credentials/kaws.envelope.json`,
  stackTemplate: (cluster: string, stack: string, fingerprint: string) =>
    `clusters/${cluster}/stack-templates/${stack}-${fingerprint}.json`,
  userdata: (cluster: string, role: string, fingerprint: string) =>
    `clusters/${cluster}/userdata/${role}-${fingerprint}`,
} as const;

/** EventBridge. */
export const events = {
  source: 'kaws',
  clusterStateChange: 'Cluster State Change',
  operationStateChange: 'Operation State Change',
  nodePoolRollProgress: 'Node Pool Roll Progress',
} as const;

/**
 * Operation step names (OperationRecord.steps, history events): `render-credentials`,
 * `deploy-stack:<stack>`, `delete-stack:<stack>`, ... A node pool's stack name ends with the pool's name,
 * so `kaws events` can tell which pool a step is about.
 */
export const stepNames = {
  renderCredentials: 'render-credentials',
  renderStacks: 'render-stacks',
  deployStack: (stack: string) => `deploy-stack:${stack}`,
  deleteStack: (stack: string) => `delete-stack:${stack}`,
  checkHealth: 'check-health',
  removeAssets: 'remove-assets',
  /** Update: render, keep each stack's running template, decide what changes. */
  planUpdate: 'plan-update',
  updateStack: (stack: string) => `update-stack:${stack}`,
  /** Update: the health gate after a control-plane, etcd or network stack changed. */
  healthGate: (stack: string) => `health-gate:${stack}`,
  /** Update: one node pool's roll (started, gate passed, failed): the Node Pool Roll Progress history. */
  rollNodePool: (pool: string) => `roll-node-pool:${pool}`,
  /** Update: a stack put back on the template it ran before the update (node pool or not). */
  rollbackStack: (stack: string) => `rollback-stack:${stack}`,
} as const;

/** KMS encryption context for every envelope of a cluster. */
export const encryptionContext = (cluster: string) => ({ cluster });

/**
 * TLS asset file names, as kube-aws named them: `<asset>.pem` for a certificate, `<asset>-key.pem` for
 * its private key (`service-account-key.pem` has no certificate). Assets are `ca`, `service-account` and
 * lib/tls's LEAF_NAMES. Used for credentials folders, S3 keys (s3Keys.credential) and files on nodes.
 */
export const credentialFiles = {
  certificate: (asset: string) => `${asset}.pem`,
  privateKey: (asset: string) => `${asset}-key.pem`,
} as const;

/**
 * The private Route 53 zone kaws creates in the cluster's VPC (etcd stack) for names that must stay
 * stable across instance replacement. `.internal` is reserved for private use, so it never collides
 * with a public name.
 */
export const privateZoneName = (cluster: string) => `${cluster}.kaws.internal`;

/**
 * The DNS name of etcd member `index` (0-based): `etcd<index>.<cluster>.kaws.internal`, an A record in
 * the private zone pointing at the member's fixed ENI. The etcd server certificate's SANs and the
 * etcd peer/client URLs use exactly these names, so a replaced instance keeps its identity.
 */
export const etcdMemberDnsName = (cluster: string, index: number) =>
  `etcd${index}.${privateZoneName(cluster)}`;

/** Node roles: each has its own userdata, IAM role and set of TLS assets. */
export type NodeRole = 'etcd' | 'controller' | 'worker';

/**
 * CloudFormation export names, consumed by the later stacks with Fn::ImportValue. Prefixed with the
 * network stack's name so two clusters in one account/region never collide.
 */
export const exportNames = {
  vpcId: (cluster: string) => `${stackNames.network(cluster)}-VpcId`,
  subnetId: (cluster: string, subnetLogicalName: string) =>
    `${stackNames.network(cluster)}-Subnet${subnetLogicalName}Id`,
  securityGroupId: (cluster: string, securityGroupLogicalName: string) =>
    `${stackNames.network(cluster)}-${securityGroupLogicalName}SecurityGroupId`,
} as const;

/** Tags kaws puts on what it creates (besides the spec's stackTags). */
export const tagKeys = {
  cluster: 'kaws:cluster',
  role: 'kaws:role',
  nodePool: 'kaws:node-pool',
  /** On an etcd member's ENI, data volume and Auto Scaling group: the member's index. */
  etcdMember: 'kaws:etcd-member',
  /** On a node group (propagated to its instances): the logical ID a node signals CloudFormation for. */
  signalResource: 'kaws:signal-resource',
  /** The Kubernetes AWS cloud provider's cluster ownership tag. */
  kubernetesCluster: (cluster: string) => `kubernetes.io/cluster/${cluster}`,
} as const;

/**
 * Kubernetes labels kaws gives its nodes (kubelet --node-labels). Not under kubernetes.io: the
 * NodeRestriction admission plugin forbids kubelets to set most labels there on themselves. The
 * health check counts a pool's Ready nodes by `nodePool`; the local API server stand-in sets both.
 */
export const nodeLabelKeys = {
  /** The node pool's name (spec worker.nodePools[].name). */
  nodePool: 'kaws.io/node-pool',
  /** The node's role: `worker` for a pool's nodes. */
  role: 'kaws.io/role',
} as const;

/**
 * The DynamoDB single table (pk/sk, plus gsi1 for listing clusters). Items of a cluster share its
 * partition: META (the cluster and its lock), OP#<ulid> (operations), EVENT#<ulid> (history, sorted by
 * time), SPEC#<version> (every spec version). An operation id maps to its cluster through an OPERATION#
 * pointer item; idempotency records live in their own partitions and expire (attribute `expiresAt`).
 */
export const tableKeys = {
  clusterPk: (cluster: string) => `CLUSTER#${cluster}`,
  metaSk: 'META',
  operationSk: (operationId: string) => `OP#${operationId}`,
  operationSkPrefix: 'OP#',
  eventSk: (eventId: string) => `EVENT#${eventId}`,
  eventSkPrefix: 'EVENT#',
  /** Zero-padded so versions sort numerically. */
  specSk: (specVersion: number) => `SPEC#${String(specVersion).padStart(10, '0')}`,
  operationPointerPk: (operationId: string) => `OPERATION#${operationId}`,
  operationPointerSk: 'POINTER',
  /** `scopeDigest`: a hash of (caller, key), so any key text makes a short, safe partition key. */
  idempotencyPk: (scopeDigest: string) => `IDEMPOTENCY#${scopeDigest}`,
  idempotencySk: 'RECORD',
  clustersIndex: 'gsi1',
  clustersIndexPk: 'CLUSTERS',
  ttlAttribute: 'expiresAt',
} as const;

/** Step Functions execution name of an operation's workflow: the operation id, so a retry cannot start two. */
export const workflowExecutionName = (operationId: string) => operationId;

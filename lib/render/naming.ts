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

/** S3 keys, all under the cluster's own prefix so a node's IAM policy can be scoped to it. */
export const s3Keys = {
  clusterPrefix: (cluster: string) => `clusters/${cluster}/`,
  credentials: (cluster: string) => `clusters/${cluster}/credentials/`,
  credential: (cluster: string, asset: string) => `clusters/${cluster}/credentials/${asset}`,
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

/** KMS encryption context for every envelope of a cluster. */
export const encryptionContext = (cluster: string) => ({ cluster });

/**
 * What the workflow steps need, as interfaces and settings: the composition root (functions/steps on
 * Lambda, local/engine.ts locally) builds one WorkflowDeps; nothing under lib/workflow knows which.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { EventPublisher } from '../aws/events.ts';
import type { ClusterEndpointResolver } from '../service/cluster-endpoints.ts';
import type { Clock, ClusterStore, IdGenerator } from '../service/ports.ts';
import type { ClusterSpec } from '../spec/types.ts';
import type { TlsDependencies } from '../tls/index.ts';

export interface WorkflowSettings {
  region: string;
  /** kaws's artifact bucket (the cluster's own s3URI, when set, takes node artifacts instead). */
  bucket: string;
  /** The bucket's default SSE-KMS key: nodes need kms:Decrypt on it through S3. */
  bucketKeyArn?: string;
  /** kaws's own key: seals the cluster's full TLS asset set (s3Keys.clusterEnvelope). */
  kmsKeyArn: string;
  /**
   * Which key seals the node roles' envelopes: the spec's kmsKeyArn (kube-aws's meaning, the default
   * on AWS) or kaws's own key (local mode: a spec names a key of a real account, which the emulator
   * does not have).
   */
  nodeAssetsKey: 'spec' | 'kaws';
  /** CloudFormation's service role for the cluster stacks (AWS); absent: the caller's permissions (local). */
  stackRoleArn?: string;
  /** How long a stack may take to create or delete before the operation fails. */
  stackTimeoutSeconds: number;
  /** How long the cluster may take to become healthy once its stacks exist. */
  healthTimeoutSeconds: number;
  /** First wait between two polls of a stack; doubled each poll up to pollMaxSeconds. */
  pollInitialSeconds: number;
  pollMaxSeconds: number;
}

export const DEFAULT_WORKFLOW_SETTINGS = {
  nodeAssetsKey: 'spec',
  stackTimeoutSeconds: 3600,
  healthTimeoutSeconds: 1200,
  pollInitialSeconds: 5,
  pollMaxSeconds: 120,
} as const satisfies Partial<WorkflowSettings>;

/** Picks the machine image of a stack's instances. */
export interface ImageResolver {
  imageFor(spec: ClusterSpec, architecture: 'arm64' | 'x86_64'): Promise<string>;
}

export interface WorkflowDeps {
  store: ClusterStore;
  clock: Clock;
  ids: IdGenerator;
  s3: S3Client;
  kms: KMSClient;
  cloudformation: CloudFormationClient;
  events: EventPublisher;
  images: ImageResolver;
  endpoints: ClusterEndpointResolver;
  /** Key generation and randomness of a TLS render at `now` (lib/tls systemTlsDependencies). */
  tls: (now: Date) => TlsDependencies;
  settings: WorkflowSettings;
}

/** The key that seals the node roles' envelopes of `spec`. */
export function nodeAssetsKeyArn(deps: Pick<WorkflowDeps, 'settings'>, spec: ClusterSpec): string {
  return deps.settings.nodeAssetsKey === 'kaws' ? deps.settings.kmsKeyArn : spec.kmsKeyArn;
}

/**
 * What a render needs besides the spec: where the cluster's artifacts live, which key encrypts its TLS
 * assets, and the fingerprint of every stored asset. Never the assets themselves: templates and
 * userdata carry no private key or certificate, nodes fetch and decrypt them at boot.
 */

import type { ClusterSpec } from '../spec/types.ts';
import type { NodeRole } from './naming.ts';

/** SHA-256 (hex) of an asset's plaintext: a changed certificate changes its role's config, which rolls the group. */
export interface AssetFingerprint {
  fingerprint: string;
}

/** Where a cluster's artifacts (TLS envelopes, full node configs, large templates) are stored. */
export interface ArtifactLocation {
  bucket: string;
  /** Prefix before naming's `clusters/<name>/...` keys: '' for kaws's bucket, `<prefix>/` for a spec's s3URI. */
  rootPrefix: string;
  /** The bucket's default SSE-KMS key, if any: nodes need kms:Decrypt on it (via S3 only) to read objects. */
  sseKmsKeyArn?: string;
}

export interface RenderInput {
  spec: ClusterSpec;
  /** Asset file name (kube-aws's: `ca.pem`, `apiserver-key.pem`, ...) -> fingerprint. */
  assets: Record<string, AssetFingerprint>;
  artifacts: ArtifactLocation;
  /** The key the TLS asset envelopes are encrypted with (encryption context = cluster name). Default: spec.kmsKeyArn. */
  kmsKeyArn?: string;
}

/** The full S3 key of an artifact: the location's root prefix + naming's per-cluster key. */
export const artifactKey = (location: ArtifactLocation, key: string) => `${location.rootPrefix}${key}`;

/** `s3://bucket[/prefix]` as an artifact location; undefined when it is not one. */
export function parseS3Uri(uri: string): ArtifactLocation | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match?.[1]) return undefined;
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  return { bucket: match[1], rootPrefix: prefix ? `${prefix}/` : '' };
}

/**
 * Where a spec's artifacts go: its `s3URI` when set (a user's bucket: kaws does not know its SSE
 * key, so none is granted), else kaws's own bucket. Undefined for an s3URI that is not an S3 URI.
 */
export function artifactLocationFor(
  spec: ClusterSpec,
  kawsBucket: string,
  sseKmsKeyArn?: string,
): ArtifactLocation | undefined {
  if (spec.s3URI) return parseS3Uri(spec.s3URI);
  return { bucket: kawsBucket, rootPrefix: '', ...(sseKmsKeyArn ? { sseKmsKeyArn } : {}) };
}

/**
 * The TLS assets each role fetches at boot, by kube-aws's file names (naming.ts credentialFiles).
 * The CA key never leaves kaws: kubelets use the rendered node certificate, nothing on a node signs.
 */
export const roleAssets: Record<NodeRole, string[]> = {
  etcd: ['ca.pem', 'etcd.pem', 'etcd-key.pem', 'etcd-client.pem', 'etcd-client-key.pem'],
  controller: [
    'ca.pem',
    'apiserver.pem',
    'apiserver-key.pem',
    'etcd-client.pem',
    'etcd-client-key.pem',
    'kube-controller-manager.pem',
    'kube-controller-manager-key.pem',
    'kube-scheduler.pem',
    'kube-scheduler-key.pem',
    'service-account-key.pem',
    'worker.pem',
    'worker-key.pem',
  ],
  worker: ['ca.pem', 'worker.pem', 'worker-key.pem'],
};

/** Every asset name any role needs: what `checkRenderLimits` pretends exists. */
export const allAssetNames = (): string[] => [...new Set(Object.values(roleAssets).flat())].sort();

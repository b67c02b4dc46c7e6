/**
 * A cluster's artifacts in S3: the KMS envelopes of its TLS assets (kaws's full set, naming
 * s3Keys.clusterEnvelope, and one per node role), the rendered node configs and large templates, and
 * their removal when the cluster is deleted. Writes never churn: an object whose stored bytes are
 * already the wanted ones is not written again (the bucket is versioned).
 */
import { createHash } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Keys } from '../render/naming.ts';
import { type Envelope, openEnvelope, parseEnvelope, serializeEnvelope } from './envelope.ts';

/** The cluster has no stored credentials (render-credentials has not run, or they were removed). */
export class ClusterCredentialsNotFoundError extends Error {
  constructor(
    readonly clusterName: string,
    readonly key: string,
  ) {
    super(`cluster ${clusterName} has no stored credentials (s3 key ${key})`);
    this.name = 'ClusterCredentialsNotFoundError';
  }
}

const isMissingObject = (error: unknown) =>
  error instanceof Error &&
  (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.name === 'NoSuchBucket');

/** The object's text, or undefined when there is none. */
export async function readObjectText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

/** The stored envelope at `key`, or undefined when there is none. */
export async function readEnvelope(s3: S3Client, bucket: string, key: string): Promise<Envelope | undefined> {
  const text = await readObjectText(s3, bucket, key);
  return text === undefined ? undefined : parseEnvelope(text);
}

/** Writes `envelope` at `key` unless the stored object already holds exactly it. Returns whether it wrote. */
export async function writeEnvelope(
  s3: S3Client,
  bucket: string,
  key: string,
  envelope: Envelope,
  stored?: Envelope,
): Promise<boolean> {
  const text = serializeEnvelope(envelope);
  if (stored && serializeEnvelope(stored) === text) return false;
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json' }),
  );
  return true;
}

/**
 * Puts an object unless one with the same SHA-256 is there (kaws tags every object it writes with its
 * checksum), so re-running a render uploads nothing that did not change. Returns whether it wrote.
 */
export async function putObjectOnce(
  s3: S3Client,
  object: { bucket: string; key: string; body: string; contentType: string },
): Promise<boolean> {
  const sha256 = createHash('sha256').update(object.body, 'utf8').digest('hex');
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }));
    if (head.Metadata?.['kaws-sha256'] === sha256) return false;
  } catch (error) {
    if (!isMissingObject(error)) throw error;
  }
  await s3.send(
    new PutObjectCommand({
      Bucket: object.bucket,
      Key: object.key,
      Body: object.body,
      ContentType: object.contentType,
      Metadata: { 'kaws-sha256': sha256 },
    }),
  );
  return true;
}

/**
 * Decrypts the named assets (kube-aws file names: `ca-key.pem`, `admin.pem`, ...) of the cluster's
 * full credential set. Only the caller that needs a key should call this, and only for that key.
 */
export async function openClusterCredentials(options: {
  s3: S3Client;
  kms: KMSClient;
  /** kaws's own bucket. */
  bucket: string;
  clusterName: string;
  names: string[];
}): Promise<Record<string, string>> {
  const key = s3Keys.clusterEnvelope(options.clusterName);
  const envelope = await readEnvelope(options.s3, options.bucket, key);
  if (!envelope) throw new ClusterCredentialsNotFoundError(options.clusterName, key);
  const opened = await openEnvelope({
    kms: options.kms,
    envelope,
    cluster: options.clusterName,
    names: options.names,
  });
  return Object.fromEntries(Object.entries(opened).map(([name, bytes]) => [name, bytes.toString('utf8')]));
}

/**
 * Deletes every object AND every version under `prefix` (the bucket is versioned: a plain delete
 * would only hide the envelopes behind a delete marker). Returns how many versions were removed.
 */
export async function removeAllVersions(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  if (!prefix.endsWith('/') || prefix.length < 2) {
    // A guard against emptying the bucket through a bad prefix.
    throw new Error(`refusing to remove ${JSON.stringify(prefix)}: a prefix must be a folder`);
  }
  let removed = 0;
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(versionIdMarker ? { VersionIdMarker: versionIdMarker } : {}),
      }),
    );
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((v) => v.Key)
      .map((v) => ({ Key: v.Key as string, ...(v.VersionId ? { VersionId: v.VersionId } : {}) }));
    // DeleteObjects takes up to 1000 keys.
    for (let start = 0; start < objects.length; start += 1000) {
      const batch = objects.slice(start, start + 1000);
      const result = await s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw new Error(
          `could not remove ${failed.length} object version(s) under s3://${bucket}/${prefix}: ` +
            `${first?.Key}: ${first?.Code} ${first?.Message}`,
        );
      }
      removed += batch.length;
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return removed;
}

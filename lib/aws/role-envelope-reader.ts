/**
 * Reads a node role's TLS envelope (naming s3Keys.roleEnvelope, what a node fetches at boot) and opens
 * the named assets with KMS. The local API server stand-in serves with exactly what a controller would:
 * the controller envelope's CA and apiserver certificate and key.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ArtifactLocation, artifactKey } from '../render/input.ts';
import { type NodeRole, s3Keys } from '../render/naming.ts';
import { openEnvelope, parseEnvelope } from './envelope.ts';

/** The role's envelope is not stored (yet). */
export class RoleEnvelopeNotFoundError extends Error {
  constructor(
    readonly clusterName: string,
    readonly role: NodeRole,
    readonly key: string,
  ) {
    super(`cluster ${clusterName} has no ${role} credentials yet (s3 key ${key})`);
    this.name = 'RoleEnvelopeNotFoundError';
  }
}

const isMissingObject = (error: unknown) =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');

/** Decrypts `names` of the role's envelope (UTF-8 text: PEM files). */
export async function openRoleAssets(options: {
  s3: S3Client;
  kms: KMSClient;
  location: ArtifactLocation;
  clusterName: string;
  role: NodeRole;
  names: string[];
}): Promise<Record<string, string>> {
  const key = artifactKey(options.location, s3Keys.roleEnvelope(options.clusterName, options.role));
  let text: string;
  try {
    const object = await options.s3.send(new GetObjectCommand({ Bucket: options.location.bucket, Key: key }));
    text = (await object.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    if (isMissingObject(error)) throw new RoleEnvelopeNotFoundError(options.clusterName, options.role, key);
    throw error;
  }
  const opened = await openEnvelope({
    kms: options.kms,
    envelope: parseEnvelope(text),
    cluster: options.clusterName,
    names: options.names,
  });
  return Object.fromEntries(Object.entries(opened).map(([name, bytes]) => [name, bytes.toString('utf8')]));
}

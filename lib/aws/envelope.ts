/**
 * KMS envelope encryption of a cluster's secrets. One envelope holds one data key (KMS GenerateDataKey,
 * AES_256, encryption context `{cluster: <name>}`) wrapped by KMS, and each asset encrypted with it by
 * AES-256-GCM (random 96-bit IV, the asset's name as additional data so ciphertexts cannot be swapped).
 * Each asset also carries its plaintext's SHA-256: sealing an unchanged asset again keeps its stored
 * ciphertext, and sealing an unchanged set returns the previous envelope as it was, with no KMS call.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { encryptionContext } from '../render/naming.ts';

export const ENVELOPE_VERSION = 1;
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedAsset {
  /** Base64 of IV (12 bytes) || AES-256-GCM ciphertext || tag (16 bytes). */
  ciphertext: string;
  /** SHA-256 (hex) of the plaintext. */
  sha256: string;
}

export interface Envelope {
  version: typeof ENVELOPE_VERSION;
  /** The KMS key the data key is wrapped under, as given to sealEnvelope. */
  keyId: string;
  /** The KMS encryption context of the data key: `{cluster: <name>}`. */
  encryptionContext: Record<string, string>;
  /** Base64 of KMS's CiphertextBlob of the data key. */
  encryptedDataKey: string;
  assets: Record<string, SealedAsset>;
}

/** A secret that cannot be sealed or opened. `assets` names what the failure affects. */
export class EnvelopeError extends Error {
  constructor(
    message: string,
    readonly assets: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EnvelopeError';
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function additionalData(cluster: string, asset: string): Buffer {
  return Buffer.from(JSON.stringify({ cluster, asset }), 'utf8');
}

function encryptAsset(dataKey: Uint8Array, cluster: string, name: string, plaintext: Uint8Array): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, dataKey, iv);
  cipher.setAAD(additionalData(cluster, name));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

function decryptAsset(dataKey: Uint8Array, cluster: string, name: string, sealed: SealedAsset): Buffer {
  const raw = Buffer.from(sealed.ciphertext, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) {
    throw new EnvelopeError(`asset ${name}: the ciphertext is truncated`, [name]);
  }
  const decipher = createDecipheriv(ALGORITHM, dataKey, raw.subarray(0, IV_BYTES));
  decipher.setAAD(additionalData(cluster, name));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (error) {
    throw new EnvelopeError(
      `asset ${name}: the ciphertext fails authentication (tampered with, or not this asset's)`,
      [name],
      { cause: error },
    );
  }
  if (sha256Hex(plaintext) !== sealed.sha256) {
    throw new EnvelopeError(`asset ${name}: the decrypted content does not match its stored SHA-256`, [name]);
  }
  return plaintext;
}

const toBytes = (value: string | Uint8Array): Uint8Array =>
  typeof value === 'string' ? Buffer.from(value, 'utf8') : value;

function sameContext(a: Record<string, string>, b: Record<string, string>): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

function sortedAssets(assets: Record<string, SealedAsset>): Record<string, SealedAsset> {
  return Object.fromEntries(
    Object.keys(assets)
      .sort()
      .map((name) => [name, assets[name] as SealedAsset]),
  );
}

async function unwrapDataKey(kms: KMSClient, envelope: Envelope, assets: string[]): Promise<Uint8Array> {
  try {
    const result = await kms.send(
      new DecryptCommand({
        KeyId: envelope.keyId,
        CiphertextBlob: Buffer.from(envelope.encryptedDataKey, 'base64'),
        EncryptionContext: envelope.encryptionContext,
      }),
    );
    if (!result.Plaintext) throw new Error('KMS returned no plaintext');
    return result.Plaintext;
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const cluster = envelope.encryptionContext.cluster ?? '?';
    throw new EnvelopeError(
      `cannot decrypt ${assets.join(', ')} of cluster ${cluster}: KMS refused the data key ` +
        `(wrong encryption context, key or ciphertext?) - ${reason}`,
      assets,
      { cause: error },
    );
  }
}

/**
 * Seals `assets` for `cluster` under the KMS key `keyId`. With `previous` (same key, same cluster), an
 * asset whose SHA-256 is unchanged keeps its ciphertext and new or changed assets reuse the previous
 * data key; nothing changed means the previous envelope is returned as is, without calling KMS.
 */
export async function sealEnvelope(options: {
  kms: KMSClient;
  keyId: string;
  cluster: string;
  assets: Record<string, string | Uint8Array>;
  previous?: Envelope;
}): Promise<Envelope> {
  const context = encryptionContext(options.cluster);
  const names = Object.keys(options.assets).sort();
  const plaintexts = new Map(
    names.map((name) => [name, toBytes(options.assets[name] as string | Uint8Array)]),
  );
  const previous =
    options.previous &&
    options.previous.keyId === options.keyId &&
    sameContext(options.previous.encryptionContext, context)
      ? options.previous
      : undefined;

  const sealed: Record<string, SealedAsset> = {};
  const changed: string[] = [];
  for (const name of names) {
    const sha256 = sha256Hex(plaintexts.get(name) as Uint8Array);
    const kept = previous?.assets[name];
    if (kept && kept.sha256 === sha256) sealed[name] = kept;
    else changed.push(name);
  }
  if (previous && changed.length === 0) {
    const sameNames = JSON.stringify(Object.keys(previous.assets).sort()) === JSON.stringify(names);
    // Only removals: the kept ciphertexts need no data key.
    return sameNames ? previous : { ...previous, assets: sortedAssets(sealed) };
  }

  let dataKey: Uint8Array;
  let encryptedDataKey: string;
  if (previous) {
    dataKey = await unwrapDataKey(options.kms, previous, changed);
    encryptedDataKey = previous.encryptedDataKey;
  } else {
    try {
      const generated = await options.kms.send(
        new GenerateDataKeyCommand({ KeyId: options.keyId, KeySpec: 'AES_256', EncryptionContext: context }),
      );
      if (!generated.Plaintext || !generated.CiphertextBlob) throw new Error('KMS returned no data key');
      dataKey = generated.Plaintext;
      encryptedDataKey = Buffer.from(generated.CiphertextBlob).toString('base64');
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new EnvelopeError(
        `cannot seal ${changed.join(', ')}: no data key from KMS - ${reason}`,
        changed,
        {
          cause: error,
        },
      );
    }
  }
  try {
    for (const name of changed) {
      const plaintext = plaintexts.get(name) as Uint8Array;
      sealed[name] = {
        ciphertext: encryptAsset(dataKey, options.cluster, name, plaintext),
        sha256: sha256Hex(plaintext),
      };
    }
  } finally {
    dataKey.fill(0);
  }
  return {
    version: ENVELOPE_VERSION,
    keyId: options.keyId,
    encryptionContext: context,
    encryptedDataKey,
    assets: sortedAssets(sealed),
  };
}

/**
 * Decrypts the named assets (all when `names` is absent) of an envelope sealed for `cluster`. Fails
 * with an EnvelopeError naming the asset on a wrong cluster or context, a KMS refusal, a tampered
 * ciphertext or a content that does not match its SHA-256; never returns garbage.
 */
export async function openEnvelope(options: {
  kms: KMSClient;
  envelope: Envelope;
  cluster: string;
  names?: string[];
}): Promise<Record<string, Buffer>> {
  const { envelope, cluster } = options;
  const names = options.names ?? Object.keys(envelope.assets).sort();
  const missing = names.filter((name) => !(name in envelope.assets));
  if (missing.length > 0) throw new EnvelopeError(`no asset ${missing.join(', ')} in the envelope`, missing);
  if (!sameContext(envelope.encryptionContext, encryptionContext(cluster))) {
    throw new EnvelopeError(
      `cannot decrypt ${names.join(', ')}: the envelope was sealed for ${JSON.stringify(envelope.encryptionContext)}, ` +
        `not cluster ${cluster}`,
      names,
    );
  }
  if (names.length === 0) return {};
  // The context KMS checks is the one kaws expects for this cluster, not whatever the envelope claims.
  const dataKey = await unwrapDataKey(
    options.kms,
    { ...envelope, encryptionContext: encryptionContext(cluster) },
    names,
  );
  try {
    return Object.fromEntries(
      names.map((name) => [name, decryptAsset(dataKey, cluster, name, envelope.assets[name] as SealedAsset)]),
    );
  } finally {
    dataKey.fill(0);
  }
}

/** Canonical JSON of an envelope: the same envelope always serializes to the same bytes. */
export function serializeEnvelope(envelope: Envelope): string {
  return `${JSON.stringify({
    version: envelope.version,
    keyId: envelope.keyId,
    encryptionContext: Object.fromEntries(Object.entries(envelope.encryptionContext).sort()),
    encryptedDataKey: envelope.encryptedDataKey,
    assets: Object.fromEntries(
      Object.keys(envelope.assets)
        .sort()
        .map((name) => {
          const asset = envelope.assets[name] as SealedAsset;
          return [name, { ciphertext: asset.ciphertext, sha256: asset.sha256 }];
        }),
    ),
  })}\n`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses serializeEnvelope's output, naming what is malformed. */
export function parseEnvelope(text: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EnvelopeError('the envelope is not JSON', [], { cause: error });
  }
  const problems: string[] = [];
  if (!isRecord(value)) throw new EnvelopeError('the envelope is not a JSON object', []);
  if (value.version !== ENVELOPE_VERSION) problems.push(`version must be ${ENVELOPE_VERSION}`);
  if (typeof value.keyId !== 'string') problems.push('keyId must be a string');
  if (typeof value.encryptedDataKey !== 'string') problems.push('encryptedDataKey must be a string');
  const context = value.encryptionContext;
  if (!isRecord(context) || !Object.values(context).every((v) => typeof v === 'string')) {
    problems.push('encryptionContext must map strings to strings');
  }
  const assets = value.assets;
  if (!isRecord(assets)) problems.push('assets must be an object');
  else {
    for (const [name, asset] of Object.entries(assets)) {
      if (!isRecord(asset) || typeof asset.ciphertext !== 'string' || typeof asset.sha256 !== 'string') {
        problems.push(`assets.${name} must have string ciphertext and sha256`);
      }
    }
  }
  if (problems.length > 0) throw new EnvelopeError(`malformed envelope: ${problems.join('; ')}`, []);
  return value as unknown as Envelope;
}

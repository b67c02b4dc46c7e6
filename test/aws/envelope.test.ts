/** KMS envelope encryption against the local cloud's real KMS (moto): no mocked client anywhere. */
import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Envelope,
  EnvelopeError,
  openEnvelope,
  parseEnvelope,
  sealEnvelope,
  serializeEnvelope,
  sha256Hex,
} from '../../lib/aws/envelope.ts';
import { localCloud } from '../support/local-cloud.ts';

const { clients, resources } = localCloud();
const kms = clients.kms;
let clusterCounter = 0;
let middlewareCounter = 0;
/** Clusters are named per test: the local cloud is shared by every test file of the run. */
const uniqueCluster = () => `envelope-${process.pid}-${++clusterCounter}`;

const ASSETS = {
  'ca.pem': '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n',
  'admin-key.pem': '-----BEGIN RSA PRIVATE KEY-----\nadmin\n-----END RSA PRIVATE KEY-----\n',
  'worker-key.pem': '-----BEGIN RSA PRIVATE KEY-----\nworker\n-----END RSA PRIVATE KEY-----\n',
};

/** Counts the KMS calls a client makes: a real client with a counting middleware, not a mock. */
function countingKms(client: KMSClient): { kms: KMSClient; calls: string[] } {
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: `countKmsCalls${++middlewareCounter}` },
  );
  return { kms: client, calls };
}

const text = (opened: Record<string, Buffer>) =>
  Object.fromEntries(Object.entries(opened).map(([name, value]) => [name, value.toString('utf8')]));

function tamper(envelope: Envelope, name: string, change: (raw: Buffer) => void): Envelope {
  const raw = Buffer.from(envelope.assets[name]?.ciphertext as string, 'base64');
  change(raw);
  return {
    ...envelope,
    assets: {
      ...envelope.assets,
      [name]: {
        ...(envelope.assets[name] as Envelope['assets'][string]),
        ciphertext: raw.toString('base64'),
      },
    },
  };
}

describe('KMS envelope', () => {
  let cluster: string;
  let sealed: Envelope;

  beforeAll(async () => {
    cluster = uniqueCluster();
    sealed = await sealEnvelope({ kms, keyId: resources.keyArn, cluster, assets: ASSETS });
  });

  it('seals each asset with the data key and opens them back, with the cluster as encryption context', async () => {
    expect(sealed.encryptionContext).toEqual({ cluster });
    expect(Object.keys(sealed.assets)).toEqual(['admin-key.pem', 'ca.pem', 'worker-key.pem']);
    expect(sealed.assets['admin-key.pem']?.sha256).toBe(sha256Hex(ASSETS['admin-key.pem']));
    expect(serializeEnvelope(sealed)).not.toContain('admin\n');
    expect(text(await openEnvelope({ kms, envelope: sealed, cluster }))).toEqual(ASSETS);
  });

  it('decrypts only the assets asked for', async () => {
    expect(text(await openEnvelope({ kms, envelope: sealed, cluster, names: ['worker-key.pem'] }))).toEqual({
      'worker-key.pem': ASSETS['worker-key.pem'],
    });
  });

  it('re-sealing unchanged assets returns the same envelope, byte for byte, without calling KMS', async () => {
    const counted = countingKms(localCloud().clients.kms);
    const again = await sealEnvelope({
      kms: counted.kms,
      keyId: resources.keyArn,
      cluster,
      assets: { ...ASSETS },
      previous: parseEnvelope(serializeEnvelope(sealed)),
    });
    expect(serializeEnvelope(again)).toBe(serializeEnvelope(sealed));
    expect(counted.calls).toEqual([]);
  });

  it('a changed asset gets a new ciphertext under the same data key; the others keep theirs', async () => {
    const counted = countingKms(localCloud().clients.kms);
    const changed = { ...ASSETS, 'admin-key.pem': 'rotated admin key' };
    const resealed = await sealEnvelope({
      kms: counted.kms,
      keyId: resources.keyArn,
      cluster,
      assets: changed,
      previous: sealed,
    });
    expect(counted.calls).toEqual(['DecryptCommand']);
    expect(resealed.encryptedDataKey).toBe(sealed.encryptedDataKey);
    expect(resealed.assets['ca.pem']).toEqual(sealed.assets['ca.pem']);
    expect(resealed.assets['worker-key.pem']).toEqual(sealed.assets['worker-key.pem']);
    expect(resealed.assets['admin-key.pem']?.ciphertext).not.toBe(sealed.assets['admin-key.pem']?.ciphertext);
    expect(text(await openEnvelope({ kms, envelope: resealed, cluster }))).toEqual(changed);
  });

  it('a removed asset disappears from the envelope', async () => {
    const { 'worker-key.pem': _removed, ...rest } = ASSETS;
    const resealed = await sealEnvelope({
      kms,
      keyId: resources.keyArn,
      cluster,
      assets: rest,
      previous: sealed,
    });
    expect(Object.keys(resealed.assets)).toEqual(['admin-key.pem', 'ca.pem']);
  });

  it('a new KMS key means a new data key and new ciphertexts for everything', async () => {
    const created = await kms.send(new CreateKeyCommand({ Description: `kaws test ${cluster}` }));
    const otherKey = created.KeyMetadata?.Arn as string;
    const resealed = await sealEnvelope({ kms, keyId: otherKey, cluster, assets: ASSETS, previous: sealed });
    expect(resealed.keyId).toBe(otherKey);
    expect(resealed.encryptedDataKey).not.toBe(sealed.encryptedDataKey);
    expect(resealed.assets['ca.pem']?.ciphertext).not.toBe(sealed.assets['ca.pem']?.ciphertext);
    expect(text(await openEnvelope({ kms, envelope: resealed, cluster }))).toEqual(ASSETS);
  });

  it("refuses to open another cluster's envelope, naming the assets", async () => {
    const other = uniqueCluster();
    await expect(
      openEnvelope({ kms, envelope: sealed, cluster: other, names: ['admin-key.pem'] }),
    ).rejects.toThrow(
      `cannot decrypt admin-key.pem: the envelope was sealed for {"cluster":"${cluster}"}, not cluster ${other}`,
    );
  });

  it('KMS itself refuses the data key under a wrong encryption context, and the error names the asset', async () => {
    // An envelope whose recorded context was rewritten: only KMS can catch this one.
    const other = uniqueCluster();
    const relabelled = { ...sealed, encryptionContext: { cluster: other } };
    const opening = openEnvelope({ kms, envelope: relabelled, cluster: other, names: ['admin-key.pem'] });
    await expect(opening).rejects.toBeInstanceOf(EnvelopeError);
    await expect(opening).rejects.toThrow(
      new RegExp(
        `^cannot decrypt admin-key\\.pem of cluster ${other}: KMS refused the data key .*InvalidCiphertextException`,
      ),
    );
  });

  it('a tampered ciphertext is an error naming the asset, never garbage', async () => {
    const flipped = tamper(sealed, 'admin-key.pem', (raw) => {
      raw[20] = (raw[20] as number) ^ 0x01;
    });
    await expect(openEnvelope({ kms, envelope: flipped, cluster, names: ['admin-key.pem'] })).rejects.toThrow(
      "asset admin-key.pem: the ciphertext fails authentication (tampered with, or not this asset's)",
    );
    // The untouched assets of the same envelope still open.
    expect(Object.keys(await openEnvelope({ kms, envelope: flipped, cluster, names: ['ca.pem'] }))).toEqual([
      'ca.pem',
    ]);
  });

  it('ciphertexts swapped between assets do not open', async () => {
    const swapped: Envelope = {
      ...sealed,
      assets: {
        ...sealed.assets,
        'admin-key.pem': { ...(sealed.assets['worker-key.pem'] as Envelope['assets'][string]) },
      },
    };
    await expect(openEnvelope({ kms, envelope: swapped, cluster, names: ['admin-key.pem'] })).rejects.toThrow(
      /^asset admin-key\.pem: the ciphertext fails authentication/,
    );
  });

  it('a truncated ciphertext or a missing asset is named', async () => {
    const truncated = tamper(sealed, 'ca.pem', () => {});
    (truncated.assets['ca.pem'] as { ciphertext: string }).ciphertext = 'AAAA';
    await expect(openEnvelope({ kms, envelope: truncated, cluster, names: ['ca.pem'] })).rejects.toThrow(
      'asset ca.pem: the ciphertext is truncated',
    );
    await expect(openEnvelope({ kms, envelope: sealed, cluster, names: ['nope.pem'] })).rejects.toThrow(
      'no asset nope.pem in the envelope',
    );
  });

  it('serializes canonically and parses back; a malformed envelope names each problem', () => {
    const reordered: Envelope = {
      ...sealed,
      assets: Object.fromEntries(Object.entries(sealed.assets).reverse()),
    };
    expect(serializeEnvelope(reordered)).toBe(serializeEnvelope(sealed));
    expect(parseEnvelope(serializeEnvelope(sealed))).toEqual(sealed);
    expect(() => parseEnvelope('{"version":2,"assets":{"a":{}}}')).toThrow(
      'malformed envelope: version must be 1; keyId must be a string; encryptedDataKey must be a string; ' +
        'encryptionContext must map strings to strings; assets.a must have string ciphertext and sha256',
    );
    expect(() => parseEnvelope('not json')).toThrow('the envelope is not JSON');
  });
});

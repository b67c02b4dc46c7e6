/**
 * What a node does at boot with its role's KMS envelope (templates/userdata/common/kaws-fetch-assets),
 * step by step, on an envelope sealed by lib/aws/envelope.ts with the local cloud's KMS: the boot
 * opener (kaws-envelope.mjs) hands out the wrapped data key, KMS unwraps it under the cluster's
 * encryption context (on a node, `aws kms decrypt`; here the SDK makes the same call), the opener
 * writes the assets, and `sha256sum --check` accepts them against the list the rendered config
 * carries. Only the AWS CLI and Docker wrappers around these steps are not exercised.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DecryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, sealEnvelope, serializeEnvelope } from '../../lib/aws/envelope.ts';
import { renderCluster, roleAssets } from '../../lib/render/index.ts';
import { encryptionContext } from '../../lib/render/naming.ts';
import { localCloud } from '../support/local-cloud.ts';
import { exampleSpec, TEST_ARTIFACTS } from './fixtures.ts';

const OPENER = fileURLToPath(new URL('../../templates/userdata/common/kaws-envelope.mjs', import.meta.url));
const { clients, resources } = localCloud();
const work = mkdtempSync(join(tmpdir(), 'kaws-node-envelope-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cluster = `node-envelope-${process.pid}`;
/** Stand-in PEM contents: the opener moves bytes, it does not parse them. */
const plaintexts = Object.fromEntries(
  roleAssets.worker.map((name) => [
    name,
    `-----BEGIN TEST-----\n${name} of ${cluster}\n-----END TEST-----\n`,
  ]),
);

const opener = (args: string[], input?: string) =>
  spawnSync(process.execPath, [OPENER, ...args], { input, encoding: 'utf8' });

async function unwrap(envelopeText: string, context = encryptionContext(cluster)): Promise<string> {
  const wrapped = opener(['data-key', envelopeText]);
  expect(wrapped.status, wrapped.stderr).toBe(0);
  const result = await clients.kms.send(
    new DecryptCommand({
      KeyId: resources.keyArn,
      CiphertextBlob: Buffer.from(wrapped.stdout.trim(), 'base64'),
      EncryptionContext: context,
    }),
  );
  return Buffer.from(result.Plaintext ?? []).toString('base64');
}

let envelope: Envelope;
let envelopePath: string;

beforeAll(async () => {
  envelope = await sealEnvelope({ kms: clients.kms, keyId: resources.keyArn, cluster, assets: plaintexts });
  envelopePath = join(work, 'envelope.json');
  writeFileSync(envelopePath, serializeEnvelope(envelope));
});

describe('a node opening its role envelope at boot', () => {
  it('writes every asset (mode 0600) and they match the fingerprints its rendered config lists', async () => {
    const tls = join(work, 'tls');
    mkdirSync(tls);
    const opened = opener(['open', envelopePath, cluster, tls], await unwrap(envelopePath));
    expect(opened.status, opened.stderr).toBe(0);
    for (const [name, text] of Object.entries(plaintexts)) {
      expect(readFileSync(join(tls, name), 'utf8')).toBe(text);
      expect(statSync(join(tls, name)).mode & 0o777).toBe(0o600);
    }

    // The list the worker config carries, rendered from the fingerprints of these very assets.
    const spec = { ...exampleSpec('ha-cluster'), clusterName: cluster };
    const assets = Object.fromEntries(
      [...new Set(Object.values(roleAssets).flat())].map((name) => [
        name,
        {
          fingerprint: createHash('sha256')
            .update(plaintexts[name] ?? name)
            .digest('hex'),
        },
      ]),
    );
    const config = renderCluster({ spec, assets, artifacts: { ...TEST_ARTIFACTS } }).nodeConfigs.find(
      (c) => c.role === 'worker',
    );
    const file = (
      JSON.parse(config?.text ?? '{}').storage.files as Array<{ path: string; contents: { source: string } }>
    ).find((f) => f.path === '/etc/kaws/assets.sha256');
    const list = Buffer.from(file?.contents.source.replace(/^data:;base64,/, '') ?? '', 'base64')
      .toString('utf8')
      .replaceAll('/etc/kaws/tls/', `${tls}/`);
    const check = spawnSync('sha256sum', ['--check', '--quiet'], { input: list, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);

    // And refuses an asset that is not the one the config names.
    writeFileSync(join(tls, 'worker.pem'), 'another certificate');
    expect(spawnSync('sha256sum', ['--check', '--quiet'], { input: list }).status).not.toBe(0);
  });

  it('refuses a tampered ciphertext, naming the asset, and writes no file at all', async () => {
    const tampered = structuredClone(envelope);
    const asset = tampered.assets['worker-key.pem'];
    if (!asset) throw new Error('no worker-key.pem in the envelope');
    const raw = Buffer.from(asset.ciphertext, 'base64');
    raw[20] = (raw[20] ?? 0) ^ 1;
    asset.ciphertext = raw.toString('base64');
    const path = join(work, 'tampered.json');
    writeFileSync(path, serializeEnvelope(tampered));
    const tls = join(work, 'tls-tampered');
    mkdirSync(tls);
    const opened = opener(['open', path, cluster, tls], await unwrap(path));
    expect(opened.status).toBe(1);
    expect(opened.stderr).toBe(
      "kaws-envelope: asset worker-key.pem: the ciphertext fails authentication (tampered with, or not this cluster's)\n",
    );
    expect(readdirSync(tls)).toEqual([]);
  });

  it("refuses another cluster's envelope, and KMS refuses its data key under this cluster's context", async () => {
    const tls = join(work, 'tls-other');
    mkdirSync(tls);
    // Right data key, wrong cluster name: the assets' additional data no longer matches.
    const opened = opener(['open', envelopePath, 'another-cluster', tls], await unwrap(envelopePath));
    expect(opened.status).toBe(1);
    expect(opened.stderr).toMatch(/^kaws-envelope: asset ca.pem: the ciphertext fails authentication/);
    await expect(unwrap(envelopePath, encryptionContext('another-cluster'))).rejects.toThrow();
  });

  it('rejects malformed input with a clear message', () => {
    const notJson = join(work, 'not-json');
    writeFileSync(notJson, 'garbage');
    expect(opener(['data-key', notJson]).stderr).toMatch(
      /^kaws-envelope: .*not-json: not a readable JSON envelope/,
    );
    expect(opener(['open', envelopePath, cluster, work], 'c2hvcnQ=').stderr).toBe(
      'kaws-envelope: the data key on stdin is not 32 bytes of base64\n',
    );
    expect(opener([]).status).toBe(1);
  });
});

/** The PKI and the envelope together: a re-render of unchanged TLS assets causes no ciphertext churn. */
import { describe, expect, it } from 'vitest';
import { openEnvelope, sealEnvelope, serializeEnvelope } from '../../lib/aws/envelope.ts';
import {
  credentialFilesOf,
  pkiRequestFromSpec,
  renderTlsAssets,
  storedAssetsFromFiles,
  systemTlsDependencies,
} from '../../lib/tls/index.ts';
import { localCloud } from '../support/local-cloud.ts';
import { exampleSpec } from '../tls/fixtures.ts';

const { clients, resources } = localCloud();

const asRecord = (files: Array<{ name: string; contents: string }>) =>
  Object.fromEntries(files.map((file) => [file.name, file.contents]));

describe('TLS assets in a KMS envelope', () => {
  it('seal, open, re-render from what was opened, re-seal: the envelope is byte-identical', async () => {
    const spec = await exampleSpec('ha-cluster.yaml');
    const cluster = `envelope-tls-${process.pid}`;
    const request = pkiRequestFromSpec({ ...spec, clusterName: cluster });
    const first = await renderTlsAssets({ request, generateCa: true }, systemTlsDependencies(new Date()));
    const files = asRecord(credentialFilesOf(first.assets));
    const envelope = await sealEnvelope({
      kms: clients.kms,
      keyId: resources.keyArn,
      cluster,
      assets: files,
    });

    const opened = await openEnvelope({ kms: clients.kms, envelope, cluster });
    const previous = storedAssetsFromFiles((name) => opened[name]?.toString('utf8'));
    const second = await renderTlsAssets({ request, previous }, systemTlsDependencies(new Date()));
    expect(second.changes).toEqual([]);
    const resealed = await sealEnvelope({
      kms: clients.kms,
      keyId: resources.keyArn,
      cluster,
      assets: asRecord(credentialFilesOf(second.assets)),
      previous: envelope,
    });
    expect(serializeEnvelope(resealed)).toBe(serializeEnvelope(envelope));

    // A new API name: only the apiserver's two files get new ciphertexts.
    const third = await renderTlsAssets(
      { request: { ...request, apiDnsNames: ['api.new.example.com'] }, previous },
      systemTlsDependencies(new Date()),
    );
    const changed = await sealEnvelope({
      kms: clients.kms,
      keyId: resources.keyArn,
      cluster,
      assets: asRecord(credentialFilesOf(third.assets)),
      previous: envelope,
    });
    const differing = Object.keys(changed.assets).filter(
      (name) => changed.assets[name]?.ciphertext !== envelope.assets[name]?.ciphertext,
    );
    expect(differing).toEqual(['apiserver-key.pem', 'apiserver.pem']);
  });
});

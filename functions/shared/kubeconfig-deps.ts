/**
 * The kubeconfig use case's dependencies, built once per App on first use: the CA source (S3 + KMS
 * clients, only in this function's bundle), the endpoint resolver (the local stand-ins' map when the
 * App has one, else the spec's first API DNS name), and Node's key generator and CSPRNG.
 */
import { randomBytes } from 'node:crypto';
import { createKmsClient, createS3Client } from '../../lib/aws/clients.ts';
import { envelopeCaSource } from '../../lib/aws/cluster-ca-source.ts';
import { createDnsEndpointResolver } from '../../lib/service/cluster-endpoints.ts';
import type { KubeconfigDeps } from '../../lib/service/kubeconfig.ts';
import { nodeKeyGenerator } from '../../lib/tls/system.ts';
import { type App, app, ConfigError } from './app.ts';

const built = new WeakMap<App, KubeconfigDeps>();

export function kubeconfigDeps(): KubeconfigDeps {
  const current = app();
  let deps = built.get(current);
  if (!deps) {
    const { aws, bucketName } = current.config;
    if (!bucketName) throw new ConfigError(['KAWS_BUCKET: required to issue kubeconfigs']);
    const { store } = current;
    deps = {
      clusters: store,
      ca: envelopeCaSource({ s3: createS3Client(aws), kms: createKmsClient(aws), bucket: bucketName }),
      endpoints:
        current.endpoints ??
        createDnsEndpointResolver(
          async (name) => (await store.getCluster(name))?.spec.apiEndpoints[0]?.dnsName,
        ),
      clock: current.clock,
      generateKey: nodeKeyGenerator,
      randomBytes: (size) => new Uint8Array(randomBytes(size)),
    };
    built.set(current, deps);
  }
  return deps;
}

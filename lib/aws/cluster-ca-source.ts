/**
 * The kubeconfig use case's CA source on AWS and locally: the CA certificate and key from the cluster's
 * full credential envelope (naming s3Keys.clusterEnvelope in kaws's bucket), decrypted with KMS on each
 * call and held by nobody afterwards. A CA brought without its key has no `ca-key.pem` in the envelope.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import { credentialFiles, s3Keys } from '../render/naming.ts';
import type { ClusterCaSource } from '../service/kubeconfig.ts';
import { readEnvelope } from './assets.ts';
import { openEnvelope } from './envelope.ts';

const CA_CERTIFICATE = credentialFiles.certificate('ca');
const CA_KEY = credentialFiles.privateKey('ca');

export function envelopeCaSource(options: { s3: S3Client; kms: KMSClient; bucket: string }): ClusterCaSource {
  return {
    async openCa(spec) {
      const envelope = await readEnvelope(
        options.s3,
        options.bucket,
        s3Keys.clusterEnvelope(spec.clusterName),
      );
      if (!envelope || !(CA_CERTIFICATE in envelope.assets)) return undefined;
      const names = CA_KEY in envelope.assets ? [CA_CERTIFICATE, CA_KEY] : [CA_CERTIFICATE];
      const opened = await openEnvelope({ kms: options.kms, envelope, cluster: spec.clusterName, names });
      const key = opened[CA_KEY]?.toString('utf8');
      return {
        certificatePem: opened[CA_CERTIFICATE]?.toString('utf8') ?? '',
        ...(key !== undefined ? { privateKeyPem: key } : {}),
      };
    },
  };
}

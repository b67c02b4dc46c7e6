/**
 * Test support for the Kubernetes side: a cluster made real enough for a stand-in in the shared local
 * cloud (the HA example renamed, its TLS assets rendered with real keys, the controller's envelope sealed
 * with the local KMS and stored where nodes fetch it, its stacks created so the pools' Auto Scaling
 * groups have instances), and the openssl/kubectl checks the tests share.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { sealEnvelope, serializeEnvelope } from '../../lib/aws/envelope.ts';
import { renderCluster, roleAssets } from '../../lib/render/index.ts';
import { allAssetNames } from '../../lib/render/input.ts';
import { s3Keys } from '../../lib/render/naming.ts';
import type { ClusterRecord } from '../../lib/service/model.ts';
import { loadClusterSpec } from '../../lib/spec/index.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import {
  credentialFilesOf,
  pkiRequestFromSpec,
  renderTlsAssets,
  systemTlsDependencies,
  type TlsAssets,
} from '../../lib/tls/index.ts';
import { localCloud } from '../support/local-cloud.ts';

export const run = promisify(execFile);

const HA_CLUSTER = readFileSync(new URL('../../examples/ha-cluster.yaml', import.meta.url), 'utf8');

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** examples/ha-cluster.yaml named `name`, as text. */
export function haYaml(name: string): string {
  return HA_CLUSTER.replace(/^clusterName: .*$/m, `clusterName: ${name}`);
}

/** examples/ha-cluster.yaml as a normalized spec, named `name`. */
export function haSpec(name: string): ClusterSpec {
  return loadClusterSpec(haYaml(name));
}

/** The cluster's full TLS asset set, with real keys and a generated CA. */
export async function renderCredentials(spec: ClusterSpec, now = new Date()): Promise<TlsAssets> {
  const result = await renderTlsAssets(
    { request: pkiRequestFromSpec(spec), generateCa: true },
    systemTlsDependencies(now),
  );
  return result.assets;
}

/** The asset files (kube-aws names) of a set, by name. */
export function assetFiles(assets: TlsAssets): Record<string, string> {
  return Object.fromEntries(credentialFilesOf(assets).map((file) => [file.name, file.contents]));
}

/** Seals the controller role's assets with the local KMS and stores the envelope where nodes fetch it. */
export async function storeControllerEnvelope(spec: ClusterSpec, assets: TlsAssets): Promise<void> {
  const cloud = localCloud();
  const files = assetFiles(assets);
  const envelope = await sealEnvelope({
    kms: cloud.clients.kms,
    keyId: cloud.resources.keyArn,
    cluster: spec.clusterName,
    assets: Object.fromEntries(roleAssets.controller.map((name) => [name, files[name] ?? ''])),
  });
  await cloud.clients.s3.send(
    new PutObjectCommand({
      Bucket: cloud.resources.bucketName,
      Key: s3Keys.roleEnvelope(spec.clusterName, 'controller'),
      Body: serializeEnvelope(envelope),
    }),
  );
}

/**
 * Creates the spec's stacks in the local cloud (as the create workflow will), with its API record in a
 * hosted zone that exists there. moto's CloudFormation is synchronous: the pools' Auto Scaling groups
 * have their instances when this returns. Returns the spec as deployed (its hosted zone id replaced).
 */
export async function deployStacks(spec: ClusterSpec): Promise<ClusterSpec> {
  const { clients, resources } = localCloud();
  const deployed = structuredClone(spec);
  const zone = await clients.route53.send(
    new CreateHostedZoneCommand({
      Name: `${spec.clusterName}.example.com`,
      CallerReference: spec.clusterName,
    }),
  );
  for (const endpoint of deployed.apiEndpoints) {
    endpoint.loadBalancer.hostedZone = { id: zone.HostedZone?.Id?.replace('/hostedzone/', '') ?? '' };
  }
  const fingerprints = Object.fromEntries(
    allAssetNames().map((name) => [name, { fingerprint: '0'.repeat(64) }]),
  );
  const rendered = renderCluster({
    spec: deployed,
    assets: fingerprints,
    artifacts: { bucket: resources.bucketName, rootPrefix: '' },
  });
  const imageId = (await clients.ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId ?? '';
  for (const stack of rendered.stacks) {
    await clients.cloudformation.send(
      new CreateStackCommand({
        StackName: stack.name,
        TemplateBody: stack.template,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: Object.entries(stack.parameters)
          .filter(([, parameter]) => parameter.default === undefined)
          .map(([key]) => ({ ParameterKey: key, ParameterValue: imageId })),
      }),
    );
  }
  return deployed;
}

/** `openssl x509 -noout <flags>` of a PEM certificate. */
export async function opensslX509(pem: string, flags: string[]): Promise<string> {
  const child = execFile('openssl', ['x509', '-noout', ...flags]);
  const output = new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`openssl exited ${code}`))));
  });
  child.stdin?.end(pem);
  return output;
}

/**
 * Seals the full asset set (as render-credentials stores it: kaws's own envelope, naming
 * s3Keys.clusterEnvelope) with the local KMS; `withoutCaKey` stores it as for a CA brought without its key.
 */
export async function storeClusterEnvelope(
  spec: ClusterSpec,
  assets: TlsAssets,
  options: { withoutCaKey?: boolean } = {},
): Promise<void> {
  const cloud = localCloud();
  const files = assetFiles(assets);
  if (options.withoutCaKey) delete files['ca-key.pem'];
  const envelope = await sealEnvelope({
    kms: cloud.clients.kms,
    keyId: cloud.resources.keyArn,
    cluster: spec.clusterName,
    assets: files,
  });
  await cloud.clients.s3.send(
    new PutObjectCommand({
      Bucket: cloud.resources.bucketName,
      Key: s3Keys.clusterEnvelope(spec.clusterName),
      Body: serializeEnvelope(envelope),
    }),
  );
}

/** A ClusterRecord of `spec` (the stand-in and the kubeconfig use case read only getCluster). */
export function recordOf(spec: ClusterSpec, status: ClusterRecord['status'] = 'ACTIVE'): ClusterRecord {
  const at = new Date().toISOString();
  return {
    name: spec.clusterName,
    status,
    spec,
    specVersion: 1,
    version: 1,
    outputs: {},
    createdBy: 'test',
    createdAt: at,
    updatedBy: 'test',
    updatedAt: at,
  };
}

/** An in-memory cluster store holding these records, for the ports that only read a cluster. */
export function clustersOf(records: ClusterRecord[]) {
  return {
    getCluster: async (name: string) => records.find((record) => record.name === name),
  };
}

/**
 * Real kubectl against the local stand-in, with a kubeconfig from the kubeconfig use case: `get nodes`
 * lists the pools' nodes (3 general + 1 gpu + 0 spot for the HA example), as JSON and as the table
 * kubectl prints, and a certificate from another CA is refused.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeCaSource } from '../../lib/aws/cluster-ca-source.ts';
import type { NodeList } from '../../lib/kube/types.ts';
import { nodeLabelKeys } from '../../lib/render/naming.ts';
import { createLocalEndpointMap } from '../../lib/service/cluster-endpoints.ts';
import { createKubeconfig } from '../../lib/service/kubeconfig.ts';
import { nodeKeyGenerator } from '../../lib/tls/index.ts';
import { KubeApiStandIns, localCloudStandInSources } from '../../local/kube-apiserver-manager.ts';
import { localCloud } from '../support/local-cloud.ts';
import {
  clustersOf,
  deployStacks,
  haSpec,
  recordOf,
  renderCredentials,
  run,
  storeClusterEnvelope,
  storeControllerEnvelope,
  uniqueName,
} from './support.ts';

const KUBECTL = '/usr/bin/kubectl';
const cloud = localCloud();

describe.skipIf(!existsSync(KUBECTL))('kubectl against the stand-in', () => {
  let dir: string;
  let kubeconfig: string;
  let standIns: KubeApiStandIns;
  const kubectl = (...args: string[]) =>
    run(
      KUBECTL,
      ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '--request-timeout', '10s', ...args],
      {
        env: { PATH: process.env.PATH ?? '', HOME: dir },
      },
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kaws-kubectl-'));
    const name = uniqueName('kubectl');
    const assets = await renderCredentials(haSpec(name));
    const spec = await deployStacks(haSpec(name));
    await storeControllerEnvelope(spec, assets);
    await storeClusterEnvelope(spec, assets);
    const clusters = clustersOf([recordOf(spec)]);
    const endpoints = createLocalEndpointMap();
    standIns = new KubeApiStandIns({
      sources: localCloudStandInSources({
        clients: cloud.clients,
        bucketName: cloud.resources.bucketName,
        clusters,
      }),
      endpoints,
    });
    await standIns.ensureStandIn(name);
    const issued = await createKubeconfig(
      {
        clusters,
        ca: envelopeCaSource({
          s3: cloud.clients.s3,
          kms: cloud.clients.kms,
          bucket: cloud.resources.bucketName,
        }),
        endpoints,
        clock: { now: () => new Date() },
        generateKey: nodeKeyGenerator,
        randomBytes: (size) => new Uint8Array(randomBytes(size)),
      },
      { clusterName: name, caller: 'kubectl-test' },
    );
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, issued.kubeconfig, { mode: 0o600 });
  });
  afterAll(async () => {
    await standIns?.stopAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('get nodes -o json: every pool node, Ready, labelled with its pool', async () => {
    const { stdout } = await kubectl('get', 'nodes', '-o', 'json');
    const list = JSON.parse(stdout) as NodeList;
    const pools = list.items.map((n) => n.metadata.labels?.[nodeLabelKeys.nodePool]).sort();
    expect(pools).toEqual(['general', 'general', 'general', 'gpu', 'spot']);
    for (const node of list.items) {
      expect(node.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
  });

  it('get nodes: the table kubectl prints', async () => {
    const { stdout } = await kubectl('get', 'nodes');
    const lines = stdout.trim().split('\n');
    expect(lines[0]?.split(/\s+/)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(lines).toHaveLength(6);
    for (const line of lines.slice(1))
      expect(line).toMatch(/^ip-10-0-\d+-\d+\.ec2\.internal\s+Ready\s+<none>\s+\S+\s+v1\.31\.2$/);
  });

  it('get nodes -l <pool label>, get --raw /readyz, version', async () => {
    const gpu = await kubectl('get', 'nodes', '-l', `${nodeLabelKeys.nodePool}=gpu`, '-o', 'name');
    expect(gpu.stdout.trim().split('\n')).toHaveLength(1);
    expect((await kubectl('get', '--raw', '/readyz')).stdout).toBe('ok');
    const version = JSON.parse((await kubectl('version', '-o', 'json')).stdout) as {
      serverVersion: { gitVersion: string };
    };
    expect(version.serverVersion.gitVersion).toBe('v1.31.2');
  });

  it('is refused with a client certificate from another CA', async () => {
    const other = await renderCredentials(haSpec(uniqueName('other')));
    const base64 = (pem: string) => Buffer.from(pem).toString('base64');
    const forged = (await readFile(kubeconfig, 'utf8'))
      .replace(
        /client-certificate-data: .*/,
        `client-certificate-data: ${base64(other.leaves.admin.certificatePem)}`,
      )
      .replace(/client-key-data: .*/, `client-key-data: ${base64(other.leaves.admin.privateKeyPem)}`);
    const forgedPath = join(dir, 'forged');
    await writeFile(forgedPath, forged, { mode: 0o600 });
    // One request (--raw skips discovery, which kubectl would retry for a minute).
    const attempt = run(
      KUBECTL,
      ['--kubeconfig', forgedPath, '--request-timeout', '10s', 'get', '--raw', '/api/v1/nodes'],
      {
        env: { PATH: process.env.PATH ?? '', HOME: dir },
      },
    );
    await expect(attempt).rejects.toMatchObject({ code: 1 });
    // TLS 1.3 refuses a client certificate after the client's side of the handshake is done: kubectl sees
    // the alert (unknown certificate authority) or, depending on timing, just the connection closed.
    await expect(attempt).rejects.toThrow(/certificate|tls|handshake|connection reset|EOF|server closed/i);
  });
});

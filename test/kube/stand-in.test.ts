/**
 * The local Kubernetes API server stand-in on the shared local cloud: serving with the cluster's rendered
 * apiserver certificate (from the controller's KMS envelope in S3), mutual TLS against the cluster CA, and
 * one Ready node per InService instance of each pool's Auto Scaling group, found through the pool stacks.
 */
import { connect } from 'node:tls';
import { DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoleEnvelopeNotFoundError } from '../../lib/aws/role-envelope-reader.ts';
import { KubeClient } from '../../lib/kube/client.ts';
import { isNodeReady, readyNodesByPool } from '../../lib/kube/nodes.ts';
import type { Table } from '../../lib/kube/types.ts';
import { nodePoolIds } from '../../lib/render/logical-ids.ts';
import { nodeLabelKeys, stackNames } from '../../lib/render/naming.ts';
import { ClusterEndpointNotFoundError, createLocalEndpointMap } from '../../lib/service/cluster-endpoints.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import type { TlsAssets } from '../../lib/tls/index.ts';
import { KubeApiStandIns, localCloudStandInSources } from '../../local/kube-apiserver-manager.ts';
import { localCloud } from '../support/local-cloud.ts';
import {
  clustersOf,
  deployStacks,
  haSpec,
  recordOf,
  renderCredentials,
  storeControllerEnvelope,
  uniqueName,
} from './support.ts';

const cloud = localCloud();

/** The desired capacity of a pool's group, read through the pool stack's output (not the stand-in's path). */
async function desiredCapacity(cluster: string, pool: string): Promise<{ group: string; desired: number }> {
  const stack = (
    await cloud.clients.cloudformation.send(
      new DescribeStacksCommand({ StackName: stackNames.nodePool(cluster, pool) }),
    )
  ).Stacks?.[0];
  const group =
    stack?.Outputs?.find((o) => o.OutputKey === nodePoolIds.outputAutoScalingGroupName)?.OutputValue ?? '';
  const described = await cloud.clients.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }),
  );
  return { group, desired: described.AutoScalingGroups?.[0]?.DesiredCapacity ?? -1 };
}

describe('the Kubernetes API server stand-in', () => {
  let spec: ClusterSpec;
  let assets: TlsAssets;
  let standIns: KubeApiStandIns;
  let endpoints: ReturnType<typeof createLocalEndpointMap>;
  let admin: KubeClient;

  const clientWith = (options: Partial<ConstructorParameters<typeof KubeClient>[0]> = {}) =>
    new KubeClient({
      url: '',
      caCertificatePem: assets.ca.certificatePem,
      clientCertificatePem: assets.leaves.admin.certificatePem,
      clientKeyPem: assets.leaves.admin.privateKeyPem,
      timeoutMs: 5000,
      ...options,
    });

  beforeAll(async () => {
    const name = uniqueName('standin');
    assets = await renderCredentials(haSpec(name));
    spec = await deployStacks(haSpec(name));
    await storeControllerEnvelope(spec, assets);
    endpoints = createLocalEndpointMap();
    standIns = new KubeApiStandIns({
      sources: localCloudStandInSources({
        clients: cloud.clients,
        bucketName: cloud.resources.bucketName,
        clusters: clustersOf([recordOf(spec, 'CREATE_IN_PROGRESS')]),
      }),
      endpoints,
    });
    const endpoint = await standIns.ensureStandIn(spec.clusterName);
    admin = clientWith({ url: endpoint.url, serverName: endpoint.serverName });
  });
  afterAll(() => standIns?.stopAll());

  it('registers a loopback endpoint verified against the API DNS name', async () => {
    const endpoint = await endpoints.resolve(spec.clusterName);
    expect(endpoint.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoint.serverName).toBe('api.prod-east.example.com');
    expect(await standIns.ensureStandIn(spec.clusterName)).toEqual(endpoint);
    expect(standIns.clusters()).toEqual([spec.clusterName]);
  });

  it('serves health and version to a client with a certificate from the cluster CA', async () => {
    expect(await admin.readyz()).toEqual({ ok: true, detail: 'ok' });
    for (const path of ['/healthz', '/livez']) {
      const response = await admin.get(path);
      expect([response.statusCode, response.body]).toEqual([200, 'ok']);
    }
    expect((await admin.get('/readyz?verbose')).body).toContain('readyz check passed');
    expect(await admin.version()).toBe('v1.31.2');
  });

  it('lists one Ready node per InService instance of each pool, labelled with its pool and role', async () => {
    const nodes = await admin.listNodes();
    const counts = Object.fromEntries(readyNodesByPool(nodes));
    const wanted = Object.fromEntries(
      await Promise.all(
        spec.worker.nodePools.map(async (p) => [
          p.name,
          (await desiredCapacity(spec.clusterName, p.name)).desired,
        ]),
      ),
    );
    expect(wanted).toEqual({ general: 3, spot: 1, gpu: 1 });
    expect(counts).toEqual({ general: 3, spot: 1, gpu: 1 });
    for (const node of nodes) {
      expect(isNodeReady(node)).toBe(true);
      expect(node.metadata.name).toMatch(/^ip-10-0-\d+-\d+\.ec2\.internal$/);
      expect(node.metadata.labels?.[nodeLabelKeys.role]).toBe('worker');
      expect(node.spec.providerID).toMatch(/^aws:\/\/\/us-east-1[abc]\/i-[0-9a-f]+$/);
      expect(node.status.nodeInfo?.kubeletVersion).toBe('v1.31.2');
    }
    const gpu = nodes.find((n) => n.metadata.labels?.[nodeLabelKeys.nodePool] === 'gpu');
    expect(gpu?.metadata.labels?.['node.kubernetes.io/instance-type']).toBe('g5.xlarge');
  });

  it('follows the Auto Scaling group: a scaled-out pool gets a node for the new instance', async () => {
    const { group } = await desiredCapacity(spec.clusterName, 'gpu');
    await cloud.clients.autoscaling.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: 2 }),
    );
    try {
      expect(readyNodesByPool(await admin.listNodes()).get('gpu')).toBe(2);
    } finally {
      await cloud.clients.autoscaling.send(
        new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: 1 }),
      );
    }
    expect(readyNodesByPool(await admin.listNodes()).get('gpu')).toBe(1);
  });

  it('filters by label selector and serves a single node', async () => {
    const gpu = await admin.getJson<{ items: Array<{ metadata: { name: string } }> }>(
      `/api/v1/nodes?labelSelector=${encodeURIComponent(`${nodeLabelKeys.nodePool}=gpu`)}`,
    );
    expect(gpu.items).toHaveLength(1);
    const notGpu = await admin.getJson<{ items: unknown[] }>(
      `/api/v1/nodes?labelSelector=${encodeURIComponent(`${nodeLabelKeys.nodePool}!=gpu`)}`,
    );
    expect(notGpu.items).toHaveLength(4);
    const name = gpu.items[0]?.metadata.name ?? '';
    const node = await admin.getJson<{ kind: string; metadata: { name: string } }>(`/api/v1/nodes/${name}`);
    expect([node.kind, node.metadata.name]).toEqual(['Node', name]);
    const missing = await admin.get('/api/v1/nodes/ip-1-2-3-4.ec2.internal');
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('prints nodes as the Table kubectl asks for', async () => {
    const response = await admin.get('/api/v1/nodes', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    const table = JSON.parse(response.body) as Table;
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name).slice(0, 5)).toEqual([
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
    ]);
    expect(table.rows).toHaveLength(5);
    for (const row of table.rows) expect(row.cells.slice(1, 2)).toEqual(['Ready']);
  });

  it('answers what it does not serve with a Kubernetes Status', async () => {
    const pods = await admin.get('/api/v1/namespaces/default/pods');
    expect(pods.statusCode).toBe(404);
    expect(JSON.parse(pods.body)).toMatchObject({ kind: 'Status', status: 'Failure', code: 404 });
    const watch = await admin.get('/api/v1/nodes?watch=true');
    expect(watch.statusCode).toBe(405);
  });

  it('makes a pool NotReady on demand (the fault switch), and Ready again', async () => {
    standIns.setPoolFault(spec.clusterName, 'general', { reason: 'KubeletNotReady', message: 'drill' });
    const faulty = await admin.listNodes();
    expect(Object.fromEntries(readyNodesByPool(faulty))).toEqual({ spot: 1, gpu: 1 });
    const general = faulty.filter((n) => n.metadata.labels?.[nodeLabelKeys.nodePool] === 'general');
    expect(general).toHaveLength(3);
    expect(general[0]?.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'drill',
    });
    standIns.setPoolFault(spec.clusterName, 'general', undefined);
    expect(Object.fromEntries(readyNodesByPool(await admin.listNodes()))).toEqual({
      general: 3,
      spot: 1,
      gpu: 1,
    });
  });

  it('refuses a client without a certificate, or with one from another CA', async () => {
    const endpoint = await endpoints.resolve(spec.clusterName);
    const other = await renderCredentials(haSpec(uniqueName('other')));
    const foreign = clientWith({
      url: endpoint.url,
      serverName: endpoint.serverName,
      clientCertificatePem: other.leaves.admin.certificatePem,
      clientKeyPem: other.leaves.admin.privateKeyPem,
    });
    await expect(foreign.get('/healthz')).rejects.toThrow(/certificate|alert|socket hang up|ECONNRESET/i);
    const port = Number(new URL(endpoint.url).port);
    const anonymous = await new Promise<string>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        servername: endpoint.serverName,
        ca: assets.ca.certificatePem,
      });
      socket.on('secureConnect', () => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      socket.on('data', (data) => resolve(`answered: ${data.toString()}`));
      socket.on('error', (error) => resolve(`refused: ${error.message}`));
      socket.on('close', () => resolve('refused: closed'));
    });
    expect(anonymous).toMatch(/^refused/);
  });

  it('presents the rendered apiserver certificate: verified for the API DNS name, not another name', async () => {
    const endpoint = await endpoints.resolve(spec.clusterName);
    const wrongName = clientWith({ url: endpoint.url, serverName: 'api.elsewhere.example.com' });
    await expect(wrongName.get('/healthz')).rejects.toThrow(/altnames|does not match|Hostname/i);
    const otherCa = await renderCredentials(haSpec(uniqueName('ca')));
    const distrusting = clientWith({
      url: endpoint.url,
      serverName: endpoint.serverName,
      caCertificatePem: otherCa.ca.certificatePem,
    });
    await expect(distrusting.get('/healthz')).rejects.toThrow(/certificate/i);
  });

  it('stops: the endpoint is gone and the port closed', async () => {
    const name = uniqueName('stop');
    const other = haSpec(name);
    const otherAssets = await renderCredentials(other);
    await storeControllerEnvelope(other, otherAssets);
    const local = new KubeApiStandIns({
      sources: localCloudStandInSources({
        clients: cloud.clients,
        bucketName: cloud.resources.bucketName,
        clusters: clustersOf([recordOf(other, 'CREATE_IN_PROGRESS')]),
      }),
      endpoints,
    });
    const endpoint = await local.ensureStandIn(name);
    const client = new KubeClient({
      url: endpoint.url,
      serverName: endpoint.serverName,
      caCertificatePem: otherAssets.ca.certificatePem,
      clientCertificatePem: otherAssets.leaves.admin.certificatePem,
      clientKeyPem: otherAssets.leaves.admin.privateKeyPem,
    });
    // No stacks yet: the API answers, with no nodes.
    expect(await client.readyz()).toEqual({ ok: true, detail: 'ok' });
    expect(await client.listNodes()).toEqual([]);
    await local.stop(name);
    await local.stop(name);
    await expect(endpoints.resolve(name)).rejects.toBeInstanceOf(ClusterEndpointNotFoundError);
    expect((await client.readyz()).ok).toBe(false);
    expect(local.clusters()).toEqual([]);
  });

  it('cannot start before the credentials are rendered, and says which object is missing', async () => {
    const early = haSpec(uniqueName('early'));
    const local = new KubeApiStandIns({
      sources: localCloudStandInSources({
        clients: cloud.clients,
        bucketName: cloud.resources.bucketName,
        clusters: clustersOf([recordOf(early, 'CREATE_IN_PROGRESS')]),
      }),
      endpoints: createLocalEndpointMap(),
    });
    const failure = local.ensureStandIn(early.clusterName);
    await expect(failure).rejects.toBeInstanceOf(RoleEnvelopeNotFoundError);
    await expect(failure).rejects.toThrow(
      `clusters/${early.clusterName}/credentials/controller.envelope.json`,
    );
    await expect(local.ensureStandIn('no-such-cluster')).rejects.toThrow(/no cluster named no-such-cluster/);
  });
});

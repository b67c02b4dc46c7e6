/**
 * The update through the API, on the local engine and the local API server (as `npm start` wires them,
 * with the workflows' own dependencies for plan and export): POST /clusters/{name}/plan changes
 * nothing and says what an update would do; a PUT while an update runs gets 409 naming it; GET
 * /clusters/{name}/templates returns the running templates and node configs without a private key;
 * POST and DELETE /clusters/{name}/nodepools create and delete that pool's stack only, with PUT's
 * ETag rules; the last pool goes only with allowEmpty; the local-only fault switch.
 */
import { createHash } from 'node:crypto';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildApp } from '../../functions/shared/app.ts';
import { logger } from '../../functions/shared/logger.ts';
import { stackNames } from '../../lib/render/naming.ts';
import { serializeClusterSpec } from '../../lib/spec/index.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import { faultEndpoint } from '../../local/fault-endpoint.ts';
import { type ApiServer, startApiServer } from '../../local/server.ts';
import { localCloud } from '../support/local-cloud.ts';
import { uniqueName, workflowHarness } from '../workflow/support.ts';
import { haWithSpotNodes, haWithSpotNodesYaml, withNewInstanceTypes } from '../workflow/update-support.ts';

const cloud = localCloud();
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Holds the next update's plan-update step until released (to PUT while the update runs). */
let hold: Promise<void> | undefined;
const harness = workflowHarness({
  wrapStep: (key, run) =>
    key === 'planUpdate'
      ? async (input) => {
          await hold;
          return run(input);
        }
      : run,
});
let server: ApiServer;

// biome-ignore lint/suspicious/noExplicitAny: the test reads whatever JSON the API answers.
type Json = any;

async function api(
  method: string,
  path: string,
  options: { body?: string; type?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: Json; text: string; etag: string | null }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': options.type ?? 'application/yaml' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text ? JSON.parse(text) : {},
    text,
    etag: response.headers.get('etag'),
  };
}

/** Waits for the operation's workflow and returns the operation as the API shows it. */
async function finished(operationId: string): Promise<Json> {
  await harness.engine.wait(operationId);
  return (await api('GET', `/operations/${operationId}`)).json;
}

const stackStatus = (stack: string) =>
  cloud.clients.cloudformation
    .send(new DescribeStacksCommand({ StackName: stack }))
    .then((r) => r.Stacks?.[0]?.StackStatus)
    .catch(() => undefined);

const specYaml = (spec: ClusterSpec) => stringify(JSON.parse(serializeClusterSpec(spec)));

beforeAll(async () => {
  // One JSON line per request otherwise; the requests are the test's own.
  logger.setLogLevel('SILENT');
  const app = buildApp(
    {
      aws: {
        region: cloud.region,
        endpoint: cloud.endpoint,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      },
      tableName: cloud.resources.tableName,
      bucketName: cloud.resources.bucketName,
    },
    {
      workflows: harness.engine,
      endpoints: { resolve: (n) => harness.standIns.resolve(n) },
      workflowDeps: harness.deps,
    },
  );
  server = await startApiServer({
    app,
    port: 0,
    log: false,
    local: faultEndpoint({ standIns: harness.standIns, clusters: harness.store }),
  });
});

afterAll(async () => {
  await server?.close();
  await harness.stop();
});

describe('updating prod-east-like clusters through the API', () => {
  const name = uniqueName('upapi');
  let spec: ClusterSpec;

  beforeAll(async () => {
    const created = await api('POST', '/clusters', { body: haWithSpotNodesYaml(name) });
    expect(created.status).toBe(202);
    expect((await finished(created.json.operation.id)).status).toBe('SUCCEEDED');
    spec = haWithSpotNodes(name);
  });
  afterAll(async () => {
    const deleted = await api('DELETE', `/clusters/${name}`);
    if (deleted.status === 202) await finished(deleted.json.operation.id);
  });

  it('plan: which stacks and pools an update would change, in order, changing nothing', async () => {
    const before = await api('GET', `/clusters/${name}`);
    const plan = await api('POST', `/clusters/${name}/plan`, {
      body: specYaml(withNewInstanceTypes(spec, ['general', 'gpu'])),
    });
    expect(plan.status).toBe(200);
    expect(plan.json).toMatchObject({
      clusterName: name,
      currentSpecVersion: 1,
      valid: true,
      errors: [],
      backend: 'template-diff',
      nodePoolRoll: ['general', 'gpu'],
      removedNodePools: [],
      certificates: [],
    });
    expect(plan.json.stacks.map((s: Json) => `${s.name} ${s.action}`)).toEqual([
      `${stackNames.network(name)} unchanged`,
      `${stackNames.etcd(name)} unchanged`,
      `${stackNames.controlPlane(name)} unchanged`,
      `${stackNames.nodePool(name, 'general')} update`,
      `${stackNames.nodePool(name, 'spot')} unchanged`,
      `${stackNames.nodePool(name, 'gpu')} update`,
    ]);
    expect(plan.json.stacks[3]).toMatchObject({
      reasons: ['template changed'],
      resources: { added: [], removed: [], modified: expect.arrayContaining(['WorkerLaunchTemplate']) },
    });
    // Nothing changed: the same cluster, no new operation, no stack touched.
    const after = await api('GET', `/clusters/${name}`);
    expect(after.json).toEqual(before.json);
    expect(await stackStatus(stackNames.nodePool(name, 'general'))).toBe('CREATE_COMPLETE');
    expect((await api('GET', `/clusters/${name}/operations`)).json.items).toHaveLength(1);
  });

  it('plan: certificates a new API DNS name would reissue, and an invalid spec with every problem', async () => {
    const renamed = structuredClone(spec);
    (renamed.apiEndpoints[0] as { dnsName: string }).dnsName = `api2.${name}.example.com`;
    const plan = await api('POST', `/clusters/${name}/plan`, { body: specYaml(renamed) });
    expect(plan.status).toBe(200);
    expect(plan.json.certificates).toEqual([
      { asset: 'apiserver', reason: expect.stringContaining(`+api2.${name}.example.com`) },
    ]);
    // The apiserver certificate is in the controllers' node config: the control plane would roll.
    expect(plan.json.stacks.find((s: Json) => s.kind === 'control-plane').action).toBe('update');

    const invalid = await api('POST', `/clusters/${name}/plan`, {
      body: haWithSpotNodesYaml(name).replace(
        /instanceType: m5\.xlarge\n( *)/,
        'instanceType: 42\n$1colour: red\n$1',
      ),
    });
    expect(invalid.status).toBe(200);
    expect(invalid.json.valid).toBe(false);
    expect(invalid.json.errors.map((e: Json) => e.path)).toEqual(
      expect.arrayContaining(['worker.nodePools[0].instanceType', 'worker.nodePools[0].colour']),
    );
    const other = await api('POST', `/clusters/${name}/plan`, { body: haWithSpotNodesYaml('someone-else') });
    expect(other.json.errors).toEqual([
      expect.objectContaining({ path: 'clusterName', code: 'cluster_name_mismatch' }),
    ]);
    expect(
      (await api('POST', '/clusters/no-such-cluster/plan', { body: haWithSpotNodesYaml('no-such-cluster') }))
        .status,
    ).toBe(404);
  });

  it('a PUT while the update runs gets 409 naming the running operation; the update then ends ACTIVE', async () => {
    let release = () => {};
    hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const next = withNewInstanceTypes(spec);
    const first = await api('PUT', `/clusters/${name}`, {
      body: specYaml(next),
      headers: { 'if-match': '"1"' },
    });
    expect(first.status).toBe(202);
    expect(first.etag).toBe('"2"');
    const second = await api('PUT', `/clusters/${name}`, {
      body: specYaml(next),
      headers: { 'if-match': '*' },
    });
    release();
    hold = undefined;
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({
      type: 'urn:kaws:problem:operation-in-progress',
      currentOperation: {
        id: first.json.operation.id,
        type: 'UPDATE',
        href: `/operations/${first.json.operation.id}`,
      },
    });
    expect(second.json.detail).toContain(first.json.operation.id);
    const operation = await finished(first.json.operation.id);
    expect(operation.status).toBe('SUCCEEDED');
    expect((await api('GET', `/clusters/${name}`)).json.status).toBe('ACTIVE');
    spec = next;
  });

  it('templates: each stack as it runs (in sync with the spec) and the node configs, no private key', async () => {
    const exported = await api('GET', `/clusters/${name}/templates`);
    expect(exported.status).toBe(200);
    expect(exported.text).not.toMatch(PRIVATE_KEY);
    expect(exported.json.specVersion).toBe(2);
    expect(exported.json.stacks.map((s: Json) => `${s.kind} ${s.status} ${s.inSync}`)).toEqual([
      'network CREATE_COMPLETE true',
      'etcd CREATE_COMPLETE true',
      'control-plane CREATE_COMPLETE true',
      'nodepool UPDATE_COMPLETE true',
      'nodepool UPDATE_COMPLETE true',
      'nodepool UPDATE_COMPLETE true',
    ]);
    for (const stack of exported.json.stacks) {
      expect(createHash('sha256').update(stack.template).digest('hex')).toBe(stack.fingerprint);
      expect(JSON.parse(stack.template).Resources).toBeDefined();
    }
    expect(exported.json.nodeConfigs.map((c: Json) => c.name)).toEqual([
      'etcd',
      'controller',
      'worker-general',
      'worker-spot',
      'worker-gpu',
    ]);
    for (const config of exported.json.nodeConfigs)
      expect(JSON.parse(config.config).ignition.version).toBeDefined();
    expect((await api('GET', '/clusters/no-such-cluster/templates')).status).toBe(404);
  });

  it('node pool add: If-Match required, problems at the pool paths, then only its stack is created', async () => {
    const pool = 'name: extra\ninstanceType: m5.large\ncount: 1\n';
    expect((await api('POST', `/clusters/${name}/nodepools`, { body: pool })).status).toBe(428);
    const stale = await api('POST', `/clusters/${name}/nodepools`, {
      body: pool,
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.json.currentETag).toBe('"2"');
    const invalid = await api('POST', `/clusters/${name}/nodepools`, {
      body: 'name: general\ninstanceType: m5.large\nbogus: 1\n',
      headers: { 'if-match': '"2"' },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.json.errors.map((e: Json) => `${e.path} ${e.code}`).sort()).toEqual(
      expect.arrayContaining(['bogus unknown_key', expect.stringMatching(/^name /)]),
    );
    expect(
      (await api('POST', `/clusters/${name}/nodepools`, { body: 'a: [', headers: { 'if-match': '"2"' } }))
        .status,
    ).toBe(400);

    const added = await api('POST', `/clusters/${name}/nodepools`, {
      body: pool,
      headers: { 'if-match': '"2"' },
    });
    expect(added.status).toBe(202);
    expect(added.etag).toBe('"3"');
    const operation = await finished(added.json.operation.id);
    expect(operation.status).toBe('SUCCEEDED');
    const extra = stackNames.nodePool(name, 'extra');
    const changed = operation.steps.filter(
      (s: Json) => s.name.startsWith('update-stack:') && s.status !== 'SKIPPED',
    );
    expect(changed.map((s: Json) => `${s.name} ${s.status}`)).toEqual([`update-stack:${extra} SUCCEEDED`]);
    expect(await stackStatus(extra)).toBe('CREATE_COMPLETE');
    const cluster = (await api('GET', `/clusters/${name}`)).json;
    expect(cluster.status).toBe('ACTIVE');
    expect(cluster.spec.worker.nodePools.map((p: Json) => p.name)).toEqual([
      'general',
      'spot',
      'gpu',
      'extra',
    ]);
  });

  it('node pool remove: only its stack is deleted; an unknown pool is 404', async () => {
    expect((await api('DELETE', `/clusters/${name}/nodepools/extra`)).status).toBe(428);
    const unknown = await api('DELETE', `/clusters/${name}/nodepools/nope`, {
      headers: { 'if-match': '"3"' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.detail).toContain('its pools: general, spot, gpu, extra');
    const removed = await api('DELETE', `/clusters/${name}/nodepools/extra`, {
      headers: { 'if-match': '"3"' },
    });
    expect(removed.status).toBe(202);
    const operation = await finished(removed.json.operation.id);
    expect(operation.status).toBe('SUCCEEDED');
    expect(
      operation.steps.filter((s: Json) => s.name.startsWith('update-stack:') && s.status !== 'SKIPPED'),
    ).toEqual([]);
    expect(operation.steps.map((s: Json) => `${s.name} ${s.status}`)).toContain(
      `delete-stack:${stackNames.nodePool(name, 'extra')} SUCCEEDED`,
    );
    expect(await stackStatus(stackNames.nodePool(name, 'extra'))).toBeUndefined();
    for (const pool of ['general', 'spot', 'gpu'])
      expect(await stackStatus(stackNames.nodePool(name, pool))).toBe('UPDATE_COMPLETE');
  });

  it('the local fault switch (npm start only): a pool made NotReady and Ready again', async () => {
    const path = `/_local/clusters/${name}/nodepools/spot/fault`;
    const set = await api('POST', path, { body: '{"notReady": true}', type: 'application/json' });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ clusterName: name, nodePool: 'spot', notReady: true, desiredNodes: 2 });
    const look = async () => {
      const { lookAtCluster } = await import('../../lib/workflow/roll-gate.ts');
      return lookAtCluster(harness.deps, spec);
    };
    expect((await look()).readyNodes).toEqual({ general: 3, spot: 0, gpu: 1 });
    expect((await api('POST', path, { body: '{"notReady": false}', type: 'application/json' })).status).toBe(
      200,
    );
    expect((await look()).readyNodes).toEqual({ general: 3, spot: 2, gpu: 1 });
    expect(
      (
        await api('POST', `/_local/clusters/${name}/nodepools/nope/fault`, {
          body: '{"notReady": true}',
          type: 'application/json',
        })
      ).status,
    ).toBe(404);
    expect((await api('POST', path, { body: '{"ready": 1}', type: 'application/json' })).status).toBe(400);
  });
});

describe('removing the last node pool', () => {
  const name = uniqueName('lastpool');

  it('is refused (409) unless allowEmpty=true, which leaves the cluster ACTIVE without workers', async () => {
    const yaml = haWithSpotNodesYaml(name).replace(
      /worker:\n {2}nodePools:[\s\S]*?(?=\nstackTags:)/,
      'worker:\n  nodePools:\n    - name: only\n      instanceType: m5.large\n      count: 1',
    );
    const created = await api('POST', '/clusters', { body: yaml });
    expect(created.status).toBe(202);
    expect((await finished(created.json.operation.id)).status).toBe('SUCCEEDED');
    const refused = await api('DELETE', `/clusters/${name}/nodepools/only`, {
      headers: { 'if-match': '"1"' },
    });
    expect(refused.status).toBe(409);
    expect(refused.json.type).toBe('urn:kaws:problem:last-node-pool');
    const removed = await api('DELETE', `/clusters/${name}/nodepools/only?allowEmpty=true`, {
      headers: { 'if-match': '"1"' },
    });
    expect(removed.status).toBe(202);
    expect((await finished(removed.json.operation.id)).status).toBe('SUCCEEDED');
    const cluster = (await api('GET', `/clusters/${name}`)).json;
    expect(cluster.status).toBe('ACTIVE');
    expect(cluster.spec.worker.nodePools).toEqual([]);
    expect(await stackStatus(stackNames.nodePool(name, 'only'))).toBeUndefined();
    const deleted = await api('DELETE', `/clusters/${name}`);
    expect((await finished(deleted.json.operation.id)).status).toBe('SUCCEEDED');
  });
});

/**
 * Every route, through the local HTTP server (in-process, on a free port) and the real handlers, against
 * the run's local cloud. Responses are parsed with the same zod schemas the OpenAPI document is built from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterEventListSchema,
  ClusterListSchema,
  ClusterSchema,
  OperationAcceptedSchema,
  OperationListSchema,
  OperationSchema,
  ValidationResultSchema,
} from '../../functions/shared/api-schemas.ts';
import {
  activeCluster,
  completeOperation,
  createCluster,
  nextId,
  send,
  specYaml,
  startTestApi,
  type TestApi,
  uniqueName,
} from './support.ts';

describe('API routes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('POST /clusters (YAML) accepts the spec: 202, Location of the operation, ETag, caller recorded', async () => {
    const name = uniqueName('create');
    const response = await send(api, 'POST', '/clusters', {
      body: specYaml(name),
      headers: { 'x-kaws-caller': 'arn:aws:iam::123456789012:user/alice' },
    });
    expect(response.status).toBe(202);
    const body = OperationAcceptedSchema.parse(await response.json());
    expect(response.headers.get('location')).toBe(`/operations/${body.operation.id}`);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(body.cluster).toMatchObject({ name, status: 'CREATE_PENDING', specVersion: 1 });
    expect(body.cluster.createdBy).toBe('arn:aws:iam::123456789012:user/alice');
    expect(body.cluster.currentOperation).toEqual({
      id: body.operation.id,
      type: 'CREATE',
      href: `/operations/${body.operation.id}`,
    });
    expect(body.operation).toMatchObject({
      type: 'CREATE',
      status: 'PENDING',
      clusterName: name,
      specVersion: 1,
    });
    expect(body.operation.requestedBy).toBe('arn:aws:iam::123456789012:user/alice');
    // The normalized spec: defaults applied (ha-cluster.yaml sets no etcd version).
    expect(body.cluster.spec.clusterName).toBe(name);
    expect((body.cluster.spec.etcd as { version: string }).version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('POST /clusters accepts JSON and text/yaml too', async () => {
    const yamlName = uniqueName('texty');
    const yaml = await send(api, 'POST', '/clusters', {
      body: specYaml(yamlName),
      contentType: 'text/yaml; charset=utf-8',
    });
    expect(yaml.status).toBe(202);
    const name = uniqueName('json');
    const validated = ValidationResultSchema.parse(
      await (await send(api, 'POST', '/validate', { body: specYaml(name) })).json(),
    );
    const json = await send(api, 'POST', '/clusters', {
      body: JSON.stringify({ ...validated.spec, clusterName: name }),
      contentType: 'application/json',
    });
    expect(json.status).toBe(202);
    expect(OperationAcceptedSchema.parse(await json.json()).cluster.name).toBe(name);
  });

  it('GET /clusters/{name} returns spec, status, outputs and the ETag; the default caller is local-user', async () => {
    const name = uniqueName('get');
    await activeCluster(api, name);
    const response = await send(api, 'GET', `/clusters/${name}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"1"');
    const cluster = ClusterSchema.parse(await response.json());
    expect(cluster).toMatchObject({ name, status: 'ACTIVE', specVersion: 1, createdBy: 'local-user' });
    expect(cluster.outputs).toEqual({ apiEndpoint: `https://api.${name}.example.com` });
    expect(cluster.currentOperation).toBeUndefined();
  });

  it('GET /operations/{id} and GET /clusters/{name}/operations show the operation and its progress', async () => {
    const name = uniqueName('ops');
    const created = await createCluster(api, name);
    await api.store.startOperation({ operationId: created.operation.id, now: new Date(), eventId: nextId() });
    await api.store.recordStep({
      operationId: created.operation.id,
      now: new Date(),
      eventId: nextId(),
      step: { name: 'deploy-stack:network', status: 'IN_PROGRESS', progress: { done: 1, total: 4 } },
    });
    const response = await send(api, 'GET', `/operations/${created.operation.id}`);
    expect(response.status).toBe(200);
    const operation = OperationSchema.parse(await response.json());
    expect(operation).toMatchObject({ id: created.operation.id, type: 'CREATE', status: 'IN_PROGRESS' });
    expect(operation.startedAt).toBeDefined();
    expect(operation.steps).toEqual([
      { name: 'deploy-stack:network', status: 'IN_PROGRESS', progress: { done: 1, total: 4 } },
    ]);
    const list = OperationListSchema.parse(
      await (await send(api, 'GET', `/clusters/${name}/operations`)).json(),
    );
    expect(list.items.map((o) => o.id)).toEqual([created.operation.id]);
  });

  it('PUT /clusters/{name} with If-Match: 202 UPDATE, new ETag, new spec stored', async () => {
    const name = uniqueName('put');
    await activeCluster(api, name);
    const response = await send(api, 'PUT', `/clusters/${name}`, {
      body: specYaml(name, (y) =>
        y.replace('count: 3\n      instanceType: m5.xlarge', 'count: 4\n      instanceType: m5.xlarge'),
      ),
      headers: { 'if-match': '"1"' },
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('etag')).toBe('"2"');
    const body = OperationAcceptedSchema.parse(await response.json());
    expect(body.operation).toMatchObject({ type: 'UPDATE', status: 'PENDING', specVersion: 2 });
    expect(body.cluster.status).toBe('UPDATE_PENDING');
    const got = ClusterSchema.parse(await (await send(api, 'GET', `/clusters/${name}`)).json());
    const pools = (got.spec.worker as { nodePools: Array<{ name: string; count: number }> }).nodePools;
    expect(pools.find((p) => p.name === 'general')?.count).toBe(4);
    // Every spec version is kept for the workflows.
    expect(
      (await api.store.getSpec(name, 1))?.worker.nodePools.find((p) => p.name === 'general')?.count,
    ).toBe(3);
  });

  it('DELETE /clusters/{name} (If-Match optional): 202 DELETE; once done the cluster reads DELETED', async () => {
    const name = uniqueName('del');
    await activeCluster(api, name);
    const response = await send(api, 'DELETE', `/clusters/${name}`);
    expect(response.status).toBe(202);
    const body = OperationAcceptedSchema.parse(await response.json());
    expect(body.operation.type).toBe('DELETE');
    expect(body.cluster.status).toBe('DELETE_PENDING');
    await completeOperation(api.store, body.operation.id);
    const got = ClusterSchema.parse(await (await send(api, 'GET', `/clusters/${name}`)).json());
    expect(got.status).toBe('DELETED');
    // The name can be created again; ETags keep increasing across incarnations.
    const again = await send(api, 'POST', '/clusters', { body: specYaml(name) });
    expect(again.status).toBe(202);
    expect(again.headers.get('etag')).toBe('"2"');
  });

  it('GET /clusters/{name}/events is the history, newest first, with caller and statuses', async () => {
    const name = uniqueName('events');
    await activeCluster(api, name);
    const response = await send(api, 'GET', `/clusters/${name}/events`);
    expect(response.status).toBe(200);
    const events = ClusterEventListSchema.parse(await response.json()).items;
    expect(events.map((e) => [e.type, e.previousStatus, e.newStatus])).toEqual([
      ['OPERATION_SUCCEEDED', 'CREATE_IN_PROGRESS', 'ACTIVE'],
      ['OPERATION_STARTED', 'CREATE_PENDING', 'CREATE_IN_PROGRESS'],
      ['OPERATION_REQUESTED', undefined, 'CREATE_PENDING'],
    ]);
    expect(new Set(events.map((e) => e.caller))).toEqual(new Set(['local-user']));
    // Paginated: one at a time, same order.
    const first = ClusterEventListSchema.parse(
      await (await send(api, 'GET', `/clusters/${name}/events?limit=1`)).json(),
    );
    expect(first.items.map((e) => e.id)).toEqual([events[0]?.id]);
    const second = ClusterEventListSchema.parse(
      await (await send(api, 'GET', `/clusters/${name}/events?limit=1&nextToken=${first.nextToken}`)).json(),
    );
    expect(second.items.map((e) => e.id)).toEqual([events[1]?.id]);
  });

  it('GET /clusters pages through every cluster by name and filters by status', async () => {
    const prefix = uniqueName('list');
    const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
    for (const name of names) await createCluster(api, name);
    await completeOperation(
      api.store,
      (await api.store.getCluster(names[1] as string))?.currentOperation?.id as string,
    );
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const response = await send(api, 'GET', `/clusters?limit=2${token ? `&nextToken=${token}` : ''}`);
      expect(response.status).toBe(200);
      const page = ClusterListSchema.parse(await response.json());
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((c) => c.name));
      token = page.nextToken;
      pages++;
    } while (token && pages < 1000);
    expect(seen.filter((n) => n.startsWith(prefix))).toEqual(names);
    expect([...seen].sort()).toEqual(seen);
    const active = ClusterListSchema.parse(
      await (await send(api, 'GET', '/clusters?status=ACTIVE&limit=100')).json(),
    );
    const activeOfMine = active.items.filter((c) => c.name.startsWith(prefix));
    expect(activeOfMine.map((c) => c.name)).toEqual([names[1]]);
    expect(active.items.every((c) => c.status === 'ACTIVE')).toBe(true);
  });

  it('POST /validate answers like `kaws validate`, with the normalized spec when valid', async () => {
    const valid = await send(api, 'POST', '/validate', { body: specYaml('validate-me') });
    expect(valid.status).toBe(200);
    const ok = ValidationResultSchema.parse(await valid.json());
    expect(ok).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(ok.spec?.clusterName).toBe('validate-me');
    const invalid = await send(api, 'POST', '/validate', {
      body: await import('node:fs/promises').then((fs) =>
        fs.readFile('examples/invalid-overlapping-cidrs.yaml', 'utf8'),
      ),
    });
    const bad = ValidationResultSchema.parse(await invalid.json());
    expect(bad.valid).toBe(false);
    expect(bad.errors.map((e) => e.path)).toEqual(['podCIDR']);
    expect(bad.spec).toBeUndefined();
    const malformed = ValidationResultSchema.parse(
      await (await send(api, 'POST', '/validate', { body: 'clusterName: [unclosed' })).json(),
    );
    expect(malformed.valid).toBe(false);
    expect(malformed.errors[0]?.code).toBe('syntax_error');
  });

  it('GET /healthz answers locally; every request is logged in one line', async () => {
    const response = await send(api, 'GET', '/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(api.lines.some((line) => /^GET \/healthz 200 [\d.]+ms local-user$/.test(line))).toBe(true);
  });
});

/**
 * Every refusal, through the local HTTP server: RFC 9457 problem documents that say what is wrong
 * (4xx) or nothing internal (5xx), each with the status the issue names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemSchema } from '../../functions/shared/api-schemas.ts';
import type { WorkflowStarter } from '../../lib/service/ports.ts';
import {
  activeCluster,
  createCluster,
  nextId,
  send,
  specYaml,
  startTestApi,
  type TestApi,
  uniqueName,
} from './support.ts';

async function problemOf(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = ProblemSchema.parse(await response.json());
  expect(problem.status).toBe(status);
  expect(problem.type).toMatch(/^urn:kaws:problem:[a-z-]+$/);
  return problem;
}

describe('API errors', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('400: malformed YAML or JSON, with the parser position', async () => {
    const yaml = await problemOf(await send(api, 'POST', '/clusters', { body: 'clusterName: [oops' }), 400);
    expect(yaml.type).toBe('urn:kaws:problem:malformed-spec');
    expect(yaml.errors?.[0]?.message).toMatch(/YAML syntax error at line 1/);
    const json = await problemOf(
      await send(api, 'POST', '/clusters', { body: '{"clusterName": ', contentType: 'application/json' }),
      400,
    );
    expect(json.errors?.[0]?.message).toMatch(/JSON syntax error/);
    const binary = await problemOf(
      await send(api, 'POST', '/clusters', { body: new Uint8Array([0xff, 0xfe, 0x00, 0x41]) }),
      400,
    );
    expect(binary.errors?.[0]?.code).toBe('invalid_utf8');
  });

  it('400: no body, bad query parameters, bad nextToken, bad If-Match, bad Idempotency-Key', async () => {
    expect((await problemOf(await send(api, 'POST', '/clusters', { body: '' }), 400)).type).toBe(
      'urn:kaws:problem:missing-body',
    );
    const query = await problemOf(
      await send(api, 'GET', '/clusters?limit=500&status=RUNNING&color=red'),
      400,
    );
    expect(query.detail).toMatch(/limit/);
    expect(query.detail).toMatch(/status/);
    expect(query.detail).toMatch(/unknown query parameter\(s\): color/);
    const token = await problemOf(await send(api, 'GET', '/clusters?nextToken=not-a-token'), 400);
    expect(token.type).toBe('urn:kaws:problem:invalid-next-token');
    // A token of another listing (a cluster's events) is refused, not passed to DynamoDB.
    const name = uniqueName('tokens');
    await activeCluster(api, name);
    const events = (await (await send(api, 'GET', `/clusters/${name}/events?limit=1`)).json()) as {
      nextToken: string;
    };
    await problemOf(await send(api, 'GET', `/clusters?nextToken=${events.nextToken}`), 400);
    await problemOf(
      await send(api, 'GET', `/clusters/${name}/operations?nextToken=${events.nextToken}`),
      400,
    );
    const ifMatch = await problemOf(
      await send(api, 'PUT', `/clusters/${name}`, { body: specYaml(name), headers: { 'if-match': '1' } }),
      400,
    );
    expect(ifMatch.type).toBe('urn:kaws:problem:invalid-if-match');
    const key = await problemOf(
      await send(api, 'POST', '/clusters', {
        body: specYaml(uniqueName('k')),
        headers: { 'idempotency-key': 'x'.repeat(300) },
      }),
      400,
    );
    expect(key.type).toBe('urn:kaws:problem:invalid-idempotency-key');
  });

  it('413: a body over 256 KiB', async () => {
    const big = `${specYaml(uniqueName('big'))}\n# ${'x'.repeat(256 * 1024)}\n`;
    const problem = await problemOf(await send(api, 'POST', '/clusters', { body: big }), 413);
    expect(problem.detail).toMatch(/at most 262144/);
    await problemOf(await send(api, 'POST', '/validate', { body: big }), 413);
  });

  it('415: a media type other than JSON/YAML, or none', async () => {
    const plain = await problemOf(
      await send(api, 'POST', '/clusters', { body: specYaml(uniqueName('p')), contentType: 'text/plain' }),
      415,
    );
    expect(plain.detail).toMatch(/application\/json, application\/yaml, text\/yaml/);
    const none = await fetch(`${api.url}/clusters`, { method: 'POST', body: new Uint8Array([0x61]) });
    await problemOf(none, 415);
    await problemOf(
      await send(api, 'POST', '/clusters', {
        body: specYaml(uniqueName('c')),
        contentType: 'application/yaml; charset=latin1',
      }),
      415,
    );
  });

  it('422: an invalid spec, every error with its path; a PUT that renames the cluster', async () => {
    const body = specYaml(uniqueName('bad'), (y) =>
      y
        .replace('podCIDR: 10.2.0.0/16', 'podCIDR: 10.0.128.0/17')
        .replace('region: us-east-1', 'region: us-east-1\nflavor: vanilla'),
    );
    const problem = await problemOf(await send(api, 'POST', '/clusters', { body }), 422);
    expect(problem.type).toBe('urn:kaws:problem:invalid-spec');
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['flavor', 'podCIDR']);
    const name = uniqueName('rename');
    await activeCluster(api, name);
    const rename = await problemOf(
      await send(api, 'PUT', `/clusters/${name}`, {
        body: specYaml(`${name}x`),
        headers: { 'if-match': '"1"' },
      }),
      422,
    );
    expect(rename.errors).toEqual([
      expect.objectContaining({ path: 'clusterName', code: 'cluster_name_mismatch' }),
    ]);
  });

  it('404: unknown cluster, operation, path; listings of an unknown cluster', async () => {
    const cluster = await problemOf(await send(api, 'GET', '/clusters/no-such-cluster-here'), 404);
    expect(cluster.detail).toBe('no cluster named no-such-cluster-here');
    await problemOf(await send(api, 'GET', '/operations/01ARZ3NDEKTSV4RRFFQ69G5FAV'), 404);
    await problemOf(await send(api, 'GET', '/operations/not-an-id'), 404);
    await problemOf(await send(api, 'GET', '/clusters/no-such-cluster-here/operations'), 404);
    await problemOf(await send(api, 'GET', '/clusters/no-such-cluster-here/events'), 404);
    await problemOf(await send(api, 'DELETE', '/clusters/no-such-cluster-here'), 404);
    await problemOf(
      await send(api, 'PUT', '/clusters/no-such-cluster-here', {
        body: specYaml('no-such-cluster-here'),
        headers: { 'if-match': '"1"' },
      }),
      404,
    );
    await problemOf(await send(api, 'GET', `/clusters/${'x'.repeat(3000)}`), 404);
    const path = await problemOf(await send(api, 'GET', '/nothing/here'), 404);
    expect(path.detail).toBe('no route for GET /nothing/here');
  });

  it('405: a known path with another method, with Allow', async () => {
    const response = await send(api, 'PATCH', '/clusters/x');
    expect(response.headers.get('allow')).toBe('GET, PUT, DELETE');
    const problem = await problemOf(response, 405);
    expect(problem.allow).toEqual(['GET', 'PUT', 'DELETE']);
    expect((await send(api, 'DELETE', '/clusters')).headers.get('allow')).toBe('POST, GET');
  });

  it('409: the name is taken, or an operation is in progress (the body names it), or the status forbids it', async () => {
    const name = uniqueName('busy');
    const created = await createCluster(api, name);
    const taken = await problemOf(await send(api, 'POST', '/clusters', { body: specYaml(name) }), 409);
    expect(taken.type).toBe('urn:kaws:problem:cluster-name-taken');
    expect(taken.currentOperation).toEqual({
      id: created.operation.id,
      type: 'CREATE',
      href: `/operations/${created.operation.id}`,
    });
    const busy = await problemOf(
      await send(api, 'PUT', `/clusters/${name}`, { body: specYaml(name), headers: { 'if-match': '"1"' } }),
      409,
    );
    expect(busy.type).toBe('urn:kaws:problem:operation-in-progress');
    expect(busy.currentOperation?.id).toBe(created.operation.id);
    const deleting = await problemOf(await send(api, 'DELETE', `/clusters/${name}`), 409);
    expect(deleting.currentOperation?.id).toBe(created.operation.id);
    // A failed create cannot be updated (no stacks to update): delete it.
    await api.store.failOperation({
      operationId: created.operation.id,
      now: new Date(),
      eventId: nextId(),
      error: { code: 'StackRollback', message: 'network stack rolled back' },
    });
    const illegal = await problemOf(
      await send(api, 'PUT', `/clusters/${name}`, { body: specYaml(name), headers: { 'if-match': '"1"' } }),
      409,
    );
    expect(illegal.type).toBe('urn:kaws:problem:illegal-transition');
    expect(illegal.clusterStatus).toBe('CREATE_FAILED');
    expect((await send(api, 'DELETE', `/clusters/${name}`)).status).toBe(202);
  });

  it('412: If-Match names another spec version (the body gives the current ETag); 428: If-Match missing', async () => {
    const name = uniqueName('etag');
    await activeCluster(api, name);
    const stale = await problemOf(
      await send(api, 'PUT', `/clusters/${name}`, {
        body: specYaml(name),
        headers: { 'if-match': '"7", W/"1"' },
      }),
      412,
    );
    expect(stale.currentETag).toBe('"1"');
    await problemOf(await send(api, 'DELETE', `/clusters/${name}`, { headers: { 'if-match': '"2"' } }), 412);
    const missing = await problemOf(
      await send(api, 'PUT', `/clusters/${name}`, { body: specYaml(name) }),
      428,
    );
    expect(missing.type).toBe('urn:kaws:problem:precondition-required');
    expect(
      (await send(api, 'PUT', `/clusters/${name}`, { body: specYaml(name), headers: { 'if-match': '*' } }))
        .status,
    ).toBe(202);
  });
});

describe('API 5xx', () => {
  it('a workflow that cannot start: 503, the operation FAILED and the lock released, no internals', async () => {
    // The local cloud has no fault to inject into a state machine start: this starter throws as an
    // unreachable Step Functions would.
    const failing: WorkflowStarter = {
      start: async () => {
        throw new Error('connect ECONNREFUSED 10.1.2.3:443 (states.internal)');
      },
    };
    const api = await startTestApi({ workflows: failing });
    try {
      const name = uniqueName('nostart');
      const response = await send(api, 'POST', '/clusters', { body: specYaml(name) });
      const problem = await problemOf(response, 503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(problem.detail).toMatch(/could not be started; the operation was marked failed/);
      expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|states\.internal/);
      const cluster = await api.store.getCluster(name);
      expect(cluster?.status).toBe('CREATE_FAILED');
      expect(cluster?.currentOperation).toBeUndefined();
    } finally {
      await api.close();
    }
  });

  it('an unexpected failure (the table is gone): 500 with a request id and nothing internal', async () => {
    const api = await startTestApi({ tableName: 'kaws-no-such-table' });
    try {
      const response = await send(api, 'GET', '/clusters/anything');
      const problem = await problemOf(response, 500);
      expect(problem).toEqual({
        type: 'urn:kaws:problem:internal-error',
        title: 'Internal Server Error',
        status: 500,
        detail: 'an internal error occurred',
        instance: '/clusters/anything',
        requestId: expect.any(String),
      });
    } finally {
      await api.close();
    }
  });
});

/**
 * Idempotency-Key through the local HTTP server: replay is identical, a reused key with another request
 * is refused, concurrent duplicates create one operation, refusals leave nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeCluster, nextId, send, specYaml, startTestApi, type TestApi, uniqueName } from './support.ts';

const HEADERS_THAT_MATTER = ['content-type', 'location', 'etag'];

async function snapshot(response: Response) {
  return {
    status: response.status,
    headers: Object.fromEntries(HEADERS_THAT_MATTER.map((h) => [h, response.headers.get(h)])),
    body: await response.text(),
    replayed: response.headers.get('idempotent-replayed'),
  };
}

describe('Idempotency-Key', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('the same key and body return the original response, byte for byte, even after the cluster changed', async () => {
    const name = uniqueName('idem');
    const key = `create-${name}`;
    const first = await snapshot(
      await send(api, 'POST', '/clusters', { body: specYaml(name), headers: { 'idempotency-key': key } }),
    );
    expect(first.status).toBe(202);
    expect(first.replayed).toBeNull();
    // The cluster moves on; a re-execution would now be a 409.
    const operationId = (JSON.parse(first.body) as { operation: { id: string } }).operation.id;
    await api.store.startOperation({ operationId, now: new Date(), eventId: nextId() });
    const again = await snapshot(
      await send(api, 'POST', '/clusters', {
        body: specYaml(name),
        headers: { 'idempotency-key': `"${key}"` },
      }),
    );
    expect({ ...again, replayed: undefined }).toEqual({ ...first, replayed: undefined });
    expect(again.replayed).toBe('true');
    expect((await api.store.listOperations(name, { limit: 10 })).items).toHaveLength(1);
  });

  it('the same key with another body (or path) is 422', async () => {
    const name = uniqueName('reuse');
    const key = `k-${name}`;
    expect(
      (await send(api, 'POST', '/clusters', { body: specYaml(name), headers: { 'idempotency-key': key } }))
        .status,
    ).toBe(202);
    const other = await send(api, 'POST', '/clusters', {
      body: specYaml(`${name}-2`),
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(422);
    expect(((await other.json()) as { type: string }).type).toBe('urn:kaws:problem:idempotency-key-reused');
    expect(await api.store.getCluster(`${name}-2`)).toBeUndefined();
    const elsewhere = await send(api, 'DELETE', `/clusters/${name}`, { headers: { 'idempotency-key': key } });
    expect(elsewhere.status).toBe(422);
  });

  it('keys are per caller: the same key from another caller is another request', async () => {
    const key = uniqueName('shared-key');
    const a = uniqueName('alice');
    const b = uniqueName('bob');
    const alice = await send(api, 'POST', '/clusters', {
      body: specYaml(a),
      headers: { 'idempotency-key': key, 'x-kaws-caller': 'alice' },
    });
    const bob = await send(api, 'POST', '/clusters', {
      body: specYaml(b),
      headers: { 'idempotency-key': key, 'x-kaws-caller': 'bob' },
    });
    expect([alice.status, bob.status]).toEqual([202, 202]);
  });

  it('10 concurrent duplicates create one operation; every 202 is the same response', async () => {
    const name = uniqueName('dups');
    const key = `dup-${name}`;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        send(api, 'POST', '/clusters', { body: specYaml(name), headers: { 'idempotency-key': key } }).then(
          snapshot,
        ),
      ),
    );
    const accepted = responses.filter((r) => r.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((r) => r.body)).size).toBe(1);
    // The others were told the first is still in progress (retry), never a second operation.
    for (const r of responses.filter((r) => r.status !== 202)) {
      expect(r.status).toBe(409);
      expect(JSON.parse(r.body).type).toBe('urn:kaws:problem:idempotency-request-in-progress');
    }
    expect((await api.store.listOperations(name, { limit: 10 })).items).toHaveLength(1);
  });

  it('a refused request keeps nothing: the same key works once the request is fixed', async () => {
    const name = uniqueName('fixit');
    const key = `fix-${name}`;
    const broken = await send(api, 'POST', '/clusters', {
      body: specYaml(name, (y) => y.replace('podCIDR: 10.2.0.0/16', 'podCIDR: 10.0.128.0/17')),
      headers: { 'idempotency-key': key },
    });
    expect(broken.status).toBe(422);
    const fixed = await send(api, 'POST', '/clusters', {
      body: specYaml(name),
      headers: { 'idempotency-key': key },
    });
    expect(fixed.status).toBe(202);
  });

  it('PUT and DELETE replay too', async () => {
    const name = uniqueName('mut');
    await activeCluster(api, name);
    const put = () =>
      send(api, 'PUT', `/clusters/${name}`, {
        body: specYaml(name),
        headers: { 'if-match': '"1"', 'idempotency-key': `put-${name}` },
      }).then(snapshot);
    const first = await put();
    const second = await put();
    expect(first.status).toBe(202);
    expect(second.body).toBe(first.body);
    expect(second.replayed).toBe('true');
  });
});

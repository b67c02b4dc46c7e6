/**
 * Property: whatever arrives (random methods, paths, query strings, headers and bodies, plus near-valid
 * specs and requests on real clusters), the API answers without a 5xx, every refusal is a problem document,
 * and a refused request changes no state.
 *
 * Through the in-process local HTTP server (real handlers, real DynamoDB on the local cloud), on a table of
 * its own (infra/resources.yml deployed again under another stack name) so the state check sees only this
 * test's traffic. Requests go in groups of 25 at once (fast-check generates each group; 400 groups =
 * 10,000 requests); after each group the whole table is fingerprinted: unchanged unless a mutation in
 * the group succeeded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemSchema } from '../../functions/shared/api-schemas.ts';
import { ensureKawsResources } from '../../local/cloud.ts';
import { localCloud } from '../support/local-cloud.ts';
import { activeCluster, createCluster, startTestApi, type TestApi } from './support.ts';

const GROUPS = Number(process.env.KAWS_FUZZ_GROUPS ?? 400);
const GROUP_SIZE = Number(process.env.KAWS_FUZZ_GROUP_SIZE ?? 25);
let requestMs = 0;
let scanMs = 0;
const TEMPLATE = readFileSync(new URL('../../examples/ha-cluster.yaml', import.meta.url), 'utf8');
const KNOWN_STATUSES = new Set([200, 202, 204, 400, 404, 405, 409, 412, 413, 415, 422, 428]);

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

async function fingerprint(api: TestApi): Promise<string> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await api.cloud.clients.documents.send(
      new ScanCommand({
        TableName: api.tableName,
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const lines = items.map((item) => JSON.stringify(item, Object.keys(item).sort())).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

describe('API fuzz', () => {
  let api: TestApi;
  const names: string[] = [];
  const operationIds: string[] = [];

  beforeAll(async () => {
    const cloud = localCloud();
    const resources = await ensureKawsResources(cloud.clients, `kaws-fuzz-${randomBytes(3).toString('hex')}`);
    api = await startTestApi({ tableName: resources.tableName });
    // Real targets: an ACTIVE cluster (PUT/DELETE can succeed) and one with an operation pending.
    const active = await activeCluster(api, 'fuzz-active');
    const pending = await createCluster(api, 'fuzz-pending');
    names.push('fuzz-active', 'fuzz-pending');
    operationIds.push(active.operation.id, pending.operation.id);
  }, 120_000);
  afterAll(() => api?.close());

  it(`${GROUPS * GROUP_SIZE} random requests: no 5xx, refusals are problems, refused requests change nothing`, async () => {
    const name = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...names, 'fuzz-new', 'no-such-cluster') },
      { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)) },
      { weight: 1, arbitrary: fc.webSegment() },
      { weight: 1, arbitrary: fc.constant('x'.repeat(400)) },
      { weight: 1, arbitrary: fc.stringMatching(/^(%[0-9A-Fa-f]{0,2}|[a-z]){1,12}$/) },
    );
    const operationId = fc.oneof(
      fc.constantFrom(...operationIds),
      fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      fc.webSegment(),
    );
    const path = fc.oneof(
      fc.constant('/clusters'),
      name.map((n) => `/clusters/${n}`),
      name.map((n) => `/clusters/${n}/operations`),
      name.map((n) => `/clusters/${n}/events`),
      operationId.map((id) => `/operations/${id}`),
      fc.constantFrom('/validate', '/openapi.json', '/healthz', '/', '/clusters/', '/operations'),
      fc.webPath(),
    );
    const queryValue = fc.oneof(
      fc.constantFrom('1', '0', '101', '20', '-5', 'abc', 'ACTIVE', 'CREATE_PENDING', 'RUNNING', ''),
      fc.base64String({ maxLength: 60 }),
      fc.string({ maxLength: 20 }),
    );
    const query = fc
      .array(fc.tuple(fc.constantFrom('limit', 'nextToken', 'status', 'x', 'limit'), queryValue), {
        maxLength: 3,
      })
      .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs).toString()}` : ''));
    const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,60}$/);
    const headers = fc.record(
      {
        'content-type': fc.constantFrom(
          'application/json',
          'application/yaml',
          'text/yaml',
          'text/yaml; charset=utf-8',
          'application/json; charset=latin1',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
        ),
        'if-match': fc.oneof(fc.constantFrom('"1"', '"2"', '*', 'W/"1"', '"1", "2"', '1', ''), headerValue),
        'idempotency-key': fc.oneof(
          fc.constantFrom('k1', 'k2', '"quoted"'),
          headerValue,
          fc.constant('x'.repeat(300)),
        ),
        'x-kaws-caller': fc.constantFrom('alice', 'bob', 'arn:aws:iam::123456789012:user/carol'),
        'x-random': headerValue,
      },
      { requiredKeys: [] },
    );
    const mutatedSpec = fc
      .tuple(
        fc.constantFrom(...names, 'fuzz-new'),
        fc.array(fc.tuple(fc.nat(60), fc.string({ maxLength: 12 })), { maxLength: 3 }),
      )
      .map(([cluster, edits]) => {
        const lines = TEMPLATE.replace(/^clusterName: .*$/m, `clusterName: ${cluster}`).split('\n');
        for (const [line, text] of edits) lines[line % lines.length] = text;
        return lines.join('\n');
      });
    const body = fc.oneof(
      { weight: 3, arbitrary: mutatedSpec },
      { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
      { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
      { weight: 1, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.constant(`${'# filler\n'.repeat(30_000)}clusterName: big\n`) },
    );
    const anyMethod = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
      { weight: 1, arbitrary: fc.constantFrom('PATCH', 'HEAD', 'OPTIONS') },
      {
        weight: 1,
        arbitrary: fc
          .stringMatching(/^[A-Z]{3,8}$/)
          .filter((m) => !['CONNECT', 'TRACE', 'TRACK'].includes(m)),
      },
    );
    // Most requests take a real route with its own method, so they get past routing into the handlers.
    const routed = fc.oneof(
      fc.tuple(fc.constantFrom('POST', 'GET'), fc.constant('/clusters')),
      fc.tuple(
        fc.constantFrom('GET', 'PUT', 'DELETE'),
        name.map((n) => `/clusters/${n}`),
      ),
      fc.tuple(
        fc.constant('GET'),
        name.map((n) => `/clusters/${n}/${['operations', 'events'][n.length % 2]}`),
      ),
      fc.tuple(
        fc.constant('GET'),
        operationId.map((id) => `/operations/${id}`),
      ),
      fc.tuple(fc.constant('POST'), fc.constant('/validate')),
    );
    const methodAndPath = fc.oneof(
      { weight: 3, arbitrary: routed },
      { weight: 2, arbitrary: fc.tuple(anyMethod, path) },
    );
    const request: fc.Arbitrary<FuzzRequest> = fc
      .record(
        {
          route: fc.tuple(methodAndPath, query).map(([[method, p], q]) => ({ method, path: `${p}${q}` })),
          headers,
          body,
        },
        { requiredKeys: ['route', 'headers'] },
      )
      .map(({ route, headers: h, body: b }) => ({
        ...route,
        headers: h,
        ...(b === undefined ? {} : { body: b }),
      }));

    let sent = 0;
    let state = await fingerprint(api);
    const statuses = new Map<number, number>();
    let changedGroups = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: GROUP_SIZE, maxLength: GROUP_SIZE }), async (group) => {
        const t0 = performance.now();
        const results = await Promise.all(
          group.map(async (r) => {
            const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
            const response = await fetch(`${api.url}${r.path}`, {
              method: r.method,
              headers: r.headers,
              ...(hasBody ? { body: r.body } : {}),
            });
            const text = await response.text();
            return { request: r, status: response.status, type: response.headers.get('content-type'), text };
          }),
        );
        sent += group.length;
        requestMs += performance.now() - t0;
        for (const result of results) {
          statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
          const where = `${result.request.method} ${result.request.path} -> ${result.status} ${result.text.slice(0, 300)}`;
          expect(result.status < 500, where).toBe(true);
          expect(KNOWN_STATUSES.has(result.status), where).toBe(true);
          if (result.status >= 400 && result.request.method !== 'HEAD') {
            expect(result.type, where).toBe('application/problem+json');
            ProblemSchema.parse(JSON.parse(result.text));
          }
        }
        const t1 = performance.now();
        const after = await fingerprint(api);
        scanMs += performance.now() - t1;
        const mutated = results.some((r) => r.status === 202);
        if (!mutated) expect(after, 'a group of refused requests changed the table').toBe(state);
        else changedGroups++;
        state = after;
      }),
      { numRuns: GROUPS, endOnFailure: true },
    );
    process.stdout.write(
      `fuzz: ${sent} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; ` +
        `${changedGroups} group(s) with an accepted mutation; requests ${Math.round(requestMs)} ms, scans ${Math.round(scanMs)} ms\n`,
    );
    expect(sent).toBeGreaterThanOrEqual(10_000);
    // The generators reach past routing into every kind of refusal and some successes.
    for (const status of [200, 202, 400, 404, 405, 409, 412, 413, 415, 422, 428]) {
      expect(statuses.get(status) ?? 0, `status ${status} never produced`).toBeGreaterThan(0);
    }
  }, 600_000);
});

/**
 * The functions' logs: exactly one structured line per request, with what an operator needs, and never
 * the body (the spec) or anything from it. Handlers are called directly with API Gateway events.
 */
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as createCluster } from '../../functions/api/create-cluster.ts';
import { handler as getCluster } from '../../functions/api/get-cluster.ts';
import { buildApp, installApp } from '../../functions/shared/app.ts';
import { logger } from '../../functions/shared/logger.ts';
import { localCloud } from '../support/local-cloud.ts';
import { uniqueName } from './support.ts';

const SECRET_MARKER = 'do-not-log-this-0123456789';

function event(method: string, path: string, body?: string, pathParameters?: Record<string, string>) {
  const route = pathParameters ? path.replace(pathParameters.name ?? '', '{name}') : path;
  return {
    version: '2.0',
    routeKey: `${method} ${route}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/yaml', 'idempotency-key': 'log-test-key' },
    isBase64Encoded: false,
    ...(body ? { body } : {}),
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: {
      requestId: `req-${Math.random()}`,
      routeKey: `${method} ${route}`,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/ops', callerId: 'AIDA' } },
    },
  } as unknown as APIGatewayProxyEventV2WithIAMAuthorizer;
}

describe('API logs', () => {
  const lines: string[] = [];
  beforeAll(() => {
    const cloud = localCloud();
    installApp(
      buildApp({
        aws: {
          region: cloud.region,
          endpoint: cloud.endpoint,
          credentials: { accessKeyId: 'kaws-local', secretAccessKey: 'kaws-local' },
        },
        tableName: cloud.resources.tableName,
      }),
    );
    logger.setLogLevel('INFO');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    lines.length = 0;
  });
  const capture = () => {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(chunk.toString());
      return true;
    });
  };

  it('one line per request: method, path, route, status, duration, caller, request id; no body', async () => {
    const name = uniqueName('logs');
    const spec = readFileSync('examples/ha-cluster.yaml', 'utf8')
      .replace(/^clusterName: .*$/m, `clusterName: ${name}`)
      .replace('team: platform', `team: ${SECRET_MARKER}`);
    capture();
    const created = await createCluster(event('POST', '/clusters', spec), {} as Context);
    const refused = await createCluster(
      event('POST', '/clusters', `${spec}\nbogus: ${SECRET_MARKER}`),
      {} as Context,
    );
    const got = await getCluster(event('GET', `/clusters/${name}`, undefined, { name }), {} as Context);
    vi.restoreAllMocks();
    expect([created.statusCode, refused.statusCode, got.statusCode]).toEqual([202, 422, 200]);
    expect(got.body).toContain(SECRET_MARKER);
    const records = lines
      .flatMap((l) => l.split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(3);
    expect(records.map((r) => [r.message, r.method, r.route, r.status])).toEqual([
      ['request', 'POST', 'POST /clusters', 202],
      ['request', 'POST', 'POST /clusters', 422],
      ['request', 'GET', 'GET /clusters/{name}', 200],
    ]);
    for (const record of records) {
      expect(record).toMatchObject({
        caller: 'arn:aws:iam::123456789012:user/ops',
        level: 'INFO',
        service: 'kaws-api',
      });
      expect(typeof record.durationMs).toBe('number');
      expect(String(record.requestId)).toMatch(/^req-/);
    }
    expect(lines.join('')).not.toContain(SECRET_MARKER);
    expect(lines.join('')).not.toContain('kmsKeyArn');
  });
});

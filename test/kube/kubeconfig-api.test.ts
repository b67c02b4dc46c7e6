/**
 * POST /clusters/{name}/kubeconfig through the local API server (the same handler API Gateway runs): the
 * caller's identity in the certificate, TTL from the body or the query, every refusal as a problem, the
 * response as documented (zod schema = OpenAPI), and no private key in the server's log.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KubeconfigSchema } from '../../functions/shared/api-schemas.ts';
import { buildApp } from '../../functions/shared/app.ts';
import { logger } from '../../functions/shared/logger.ts';
import { createLocalEndpointMap } from '../../lib/service/cluster-endpoints.ts';
import { type ApiServer, startApiServer } from '../../local/server.ts';
import { localCloud } from '../support/local-cloud.ts';
import { haSpec, haYaml, renderCredentials, storeClusterEnvelope, uniqueName } from './support.ts';

const cloud = localCloud();

describe('POST /clusters/{name}/kubeconfig', () => {
  let server: ApiServer;
  const lines: string[] = [];
  const name = uniqueName('kcapi');
  const noCa = uniqueName('kcapi-noca');
  const endpoints = createLocalEndpointMap();

  const post = (path: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', ...init });

  beforeAll(async () => {
    logger.setLogLevel('SILENT');
    const app = buildApp(
      {
        aws: {
          region: cloud.region,
          endpoint: cloud.endpoint,
          credentials: { accessKeyId: 'kaws-local', secretAccessKey: 'kaws-local' },
        },
        tableName: cloud.resources.tableName,
        bucketName: cloud.resources.bucketName,
      },
      { endpoints },
    );
    server = await startApiServer({ app, port: 0, log: (line) => lines.push(line) });
    // Two clusters created through the API; only the first has rendered credentials.
    for (const cluster of [name, noCa]) {
      const created = await post('/clusters', {
        body: haYaml(cluster),
        headers: { 'content-type': 'application/yaml' },
      });
      expect(created.status).toBe(202);
    }
    const spec = haSpec(name);
    await storeClusterEnvelope(spec, await renderCredentials(spec));
    endpoints.register(name, { url: 'https://127.0.0.1:6443', serverName: 'api.prod-east.example.com' });
  });
  afterAll(() => server?.close());

  it('returns a kubeconfig for the caller (X-Kaws-Caller locally), 1 h by default, not cacheable', async () => {
    const response = await post(`/clusters/${name}/kubeconfig`, {
      headers: { 'x-kaws-caller': 'arn:aws:iam::123456789012:user/alice' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = KubeconfigSchema.parse(await response.json());
    expect(body).toMatchObject({
      clusterName: name,
      user: 'arn:aws:iam::123456789012:user/alice',
      groups: ['system:masters'],
      server: 'https://127.0.0.1:6443',
    });
    const config = parse(body.kubeconfig) as { users: Array<{ user: Record<string, string> }> };
    const certificate = new X509Certificate(
      Buffer.from(config.users[0]?.user['client-certificate-data'] ?? '', 'base64'),
    );
    expect(certificate.subject).toBe('O=system:masters\nCN=arn:aws:iam::123456789012:user/alice');
    expect(new Date(certificate.validTo).toISOString().replace('.000Z', 'Z')).toBe(body.expiresAt);
    const lifetime = Date.parse(certificate.validTo) - Date.now();
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
  });

  it('takes ttlSeconds from a JSON body, or ttl from the query', async () => {
    const lifetimeOf = async (response: Response) => {
      expect(response.status).toBe(200);
      const body = KubeconfigSchema.parse(await response.json());
      return Math.round((Date.parse(body.expiresAt) - Date.now()) / 60_000);
    };
    const body = await post(`/clusters/${name}/kubeconfig`, {
      body: JSON.stringify({ ttlSeconds: 7200 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(await lifetimeOf(body)).toBe(120);
    expect(await lifetimeOf(await post(`/clusters/${name}/kubeconfig?ttl=30m`))).toBe(30);
  });

  it.each([
    ['?ttl=25h', undefined, 422, 'invalid-ttl', /ttl is 90000 seconds/],
    ['?ttl=soon', undefined, 422, 'invalid-ttl', /not a duration/],
    ['', '{"ttlSeconds": 86401}', 422, 'invalid-ttl', /between 60 seconds and 24 hours/],
    ['', '{"ttlSeconds": "1h"}', 422, 'invalid-ttl', /must be a number/],
    ['?ttl=1h', '{"ttlSeconds": 3600}', 422, 'invalid-ttl', /not both/],
    ['', '{"ttl": 3600}', 400, 'invalid-body', /unknown member\(s\): ttl/],
    ['', '[1]', 400, 'malformed-body', /JSON object/],
    ['', '{', 400, 'malformed-body', /not JSON/],
    ['?lifetime=1h', undefined, 400, 'invalid-parameter', /unknown query parameter\(s\): lifetime/],
  ])('refuses %s %s with %i %s', async (query, body, status, slug, detail) => {
    const response = await post(`/clusters/${name}/kubeconfig${query}`, {
      ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as {
      type: string;
      detail: string;
      errors?: Array<{ path: string }>;
    };
    expect(problem.type).toBe(`urn:kaws:problem:${slug}`);
    expect(problem.detail).toMatch(detail);
    if (slug === 'invalid-ttl') expect(problem.errors?.[0]?.path).toMatch(/^ttl(Seconds)?$/);
  });

  it('refuses a body that is not JSON (415), an unknown cluster (404), a cluster without a CA yet (409)', async () => {
    const yaml = await post(`/clusters/${name}/kubeconfig`, {
      body: 'ttlSeconds: 60',
      headers: { 'content-type': 'application/yaml' },
    });
    expect(yaml.status).toBe(415);
    const unknown = await post('/clusters/no-such-cluster/kubeconfig');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { type: string }).type).toBe('urn:kaws:problem:cluster-not-found');
    const pending = await post(`/clusters/${noCa}/kubeconfig`);
    expect(pending.status).toBe(409);
    expect(await pending.json()).toMatchObject({
      type: 'urn:kaws:problem:cluster-has-no-ca',
      clusterName: noCa,
      detail: `cluster ${noCa} has no CA to sign a client certificate with: its credentials are not rendered yet`,
    });
  });

  it('is POST only, and logs no key', async () => {
    const get = await fetch(`${server.url}/clusters/${name}/kubeconfig`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(lines.some((line) => line.includes('/kubeconfig 200'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/PRIVATE KEY|LS0tLS1CRUdJTi/);
  });
});

/**
 * The API functions as they are deployed: each bundled with serverless.yml's esbuild options
 * (bench/api-bundles.ts), loaded in a fresh Node process with only the Lambda environment (no tsx, no
 * repository modules), and invoked with an API Gateway event against the local cloud. Catches what only
 * bundling breaks (dynamic requires, ESM/CJS interop, the composition root reading its environment).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiBundles, type FunctionBundle } from '../../bench/api-bundles.ts';
import { localCloud } from '../support/local-cloud.ts';
import { uniqueName } from './support.ts';

const run = promisify(execFile);

describe('API bundles', () => {
  const cloud = localCloud();
  let dir: string;
  let bundles: FunctionBundle[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kaws-bundles-'));
    bundles = await buildApiBundles(dir);
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Invokes a bundle's handler in a fresh process, as Lambda would, and returns its result. */
  async function invoke(
    name: string,
    method: string,
    route: string,
    path: string,
    extra: Record<string, unknown> = {},
  ) {
    const bundle = bundles.find((b) => b.name === name);
    if (!bundle) throw new Error(`no bundle ${name}`);
    const event = {
      version: '2.0',
      routeKey: route === '$default' ? route : `${method} ${route}`,
      rawPath: path,
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: {
        requestId: `bundle-${name}`,
        routeKey: `${method} ${route}`,
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
        authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/bundles', callerId: 'AIDA' } },
      },
      ...extra,
    };
    const script = `const { handler } = await import(${JSON.stringify(bundle.file)});
      const result = await handler(${JSON.stringify(event)}, { awsRequestId: 'x', getRemainingTimeInMillis: () => 29000 });
      process.stdout.write(JSON.stringify(result));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: cloud.region,
        KAWS_TABLE: cloud.resources.tableName,
        AWS_ENDPOINT_URL: cloud.endpoint,
        AWS_ACCESS_KEY_ID: 'kaws-local',
        AWS_SECRET_ACCESS_KEY: 'kaws-local',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    });
    const result = JSON.parse(stdout) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    return { ...result, json: JSON.parse(result.body) as Record<string, unknown> };
  }

  it('every route works bundled, against DynamoDB', async () => {
    const name = uniqueName('bundled');
    const spec = (await readFile('examples/ha-cluster.yaml', 'utf8')).replace(
      /^clusterName: .*$/m,
      `clusterName: ${name}`,
    );
    const yaml = { headers: { 'content-type': 'application/yaml' }, body: spec };
    const params = { pathParameters: { name } };

    expect((await invoke('validate-spec', 'POST', '/validate', '/validate', yaml)).json.valid).toBe(true);
    const created = await invoke('create-cluster', 'POST', '/clusters', '/clusters', yaml);
    expect(created.statusCode).toBe(202);
    const operationId = (created.json.operation as { id: string }).id;
    expect(created.headers.location).toBe(`/operations/${operationId}`);

    const got = await invoke('get-cluster', 'GET', '/clusters/{name}', `/clusters/${name}`, params);
    expect([got.statusCode, got.json.status, got.json.createdBy]).toEqual([
      200,
      'CREATE_PENDING',
      'arn:aws:iam::123456789012:user/bundles',
    ]);
    expect((await invoke('list-clusters', 'GET', '/clusters', '/clusters')).statusCode).toBe(200);
    const operation = await invoke('get-operation', 'GET', '/operations/{id}', `/operations/${operationId}`, {
      pathParameters: { id: operationId },
    });
    expect(operation.json.status).toBe('PENDING');
    const operations = await invoke(
      'list-operations',
      'GET',
      '/clusters/{name}/operations',
      `/clusters/${name}/operations`,
      params,
    );
    expect((operations.json.items as unknown[]).length).toBe(1);
    const events = await invoke(
      'list-events',
      'GET',
      '/clusters/{name}/events',
      `/clusters/${name}/events`,
      params,
    );
    expect((events.json.items as unknown[]).length).toBe(1);
    // Without state machines configured the operation stays PENDING and holds the lock.
    const update = await invoke('update-cluster', 'PUT', '/clusters/{name}', `/clusters/${name}`, {
      ...params,
      ...yaml,
      headers: { ...yaml.headers, 'if-match': '"1"' },
    });
    expect([update.statusCode, update.json.type]).toEqual([409, 'urn:kaws:problem:operation-in-progress']);
    const remove = await invoke('delete-cluster', 'DELETE', '/clusters/{name}', `/clusters/${name}`, params);
    expect(remove.statusCode).toBe(409);
    expect((await invoke('get-openapi', 'GET', '/openapi.json', '/openapi.json')).json.openapi).toBe('3.1.0');
    const fallback = await invoke('not-found', 'PATCH', '$default', `/clusters/${name}`);
    expect([fallback.statusCode, fallback.headers.allow]).toEqual([405, 'GET, PUT, DELETE']);
  });

  it('a bad environment: a bare 500 to the caller, every problem named in the log', async () => {
    const bundle = bundles.find((b) => b.name === 'get-cluster') as FunctionBundle;
    const event = {
      rawPath: '/clusters/x',
      pathParameters: { name: 'x' },
      requestContext: { requestId: 'r', http: { method: 'GET' } },
    };
    const script = `const { handler } = await import(${JSON.stringify(bundle.file)});
      const result = await handler(${JSON.stringify(event)}, {});
      process.stdout.write('RESULT ' + JSON.stringify(result));`;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    // Powertools writes errors to stderr (CloudWatch collects both streams).
    const log = stdout.split('RESULT ')[0] + stderr;
    const result = stdout.split('RESULT ')[1] ?? '';
    const response = JSON.parse(result) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body).detail).toBe('an internal error occurred');
    expect(response.body).not.toMatch(/AWS_REGION|KAWS_TABLE/);
    expect(log).toMatch(/invalid configuration: AWS_REGION: .*; KAWS_TABLE: /);
  });
});

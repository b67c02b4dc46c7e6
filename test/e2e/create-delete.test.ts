/**
 * End to end, as `npm start` runs it (local/engine-runtime.ts: the local engine, the API server
 * stand-ins, the event queue) behind the local API server: examples/ha-cluster.yaml is created through
 * the API and becomes ACTIVE with every stack present, kubectl lists its pools' nodes, every status
 * change is published on the bus (read from an SQS queue, checked against schemas/events), and the
 * destroy leaves it DELETED with no stack and no object left. Throughout, no PEM private key appears
 * in plaintext in the table, the bucket, the logs or an API response.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildApp } from '../../functions/shared/app.ts';
import { logger } from '../../functions/shared/logger.ts';
import { openClusterCredentials } from '../../lib/aws/assets.ts';
import type { NodeList } from '../../lib/kube/types.ts';
import { nodeLabelKeys, stackNames } from '../../lib/render/naming.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/engine-runtime.ts';
import type { DeliveredEvent, EventQueue } from '../../local/event-queue.ts';
import { type ApiServer, startApiServer } from '../../local/server.ts';
import { localCloud } from '../support/local-cloud.ts';
import { drainEvents, eventQueue, haYaml, uniqueName } from '../workflow/support.ts';

const run = promisify(execFile);
const cloud = localCloud();
const { clients, resources } = cloud;
const KUBECTL = '/usr/bin/kubectl';
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

const name = uniqueName('e2e');
const stacks = [
  stackNames.network(name),
  stackNames.etcd(name),
  stackNames.controlPlane(name),
  stackNames.nodePool(name, 'general'),
  stackNames.nodePool(name, 'spot'),
  stackNames.nodePool(name, 'gpu'),
];

let runtime: LocalRuntime;
let server: ApiServer;
let queue: EventQueue;
let dir: string;
/** Every API response body, every log line and everything the process wrote while the test ran. */
const responses: Array<{ path: string; body: string }> = [];
const logs: string[] = [];
const restore: Array<() => void> = [];

/** The parts of the API's JSON the test reads. */
interface Body {
  status: string;
  error?: { code: string; message: string };
  steps: Array<{ name: string; status: string }>;
  operation: { id: string };
  cluster: { status: string };
  outputs: Record<string, string>;
  currentOperation?: unknown;
  kubeconfig: string;
  items: Array<{ id: string; newStatus?: string }>;
}

async function api(method: string, path: string, body?: string): Promise<{ status: number; json: Body }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/yaml' } } : {}),
  });
  const text = await response.text();
  responses.push({ path, body: text });
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Body };
}

/** Polls GET /operations/{id} as a client would, until the operation finished. */
async function finished(operationId: string): Promise<Body> {
  for (const started = Date.now(); Date.now() - started < 120_000; ) {
    const { json } = await api('GET', `/operations/${operationId}`);
    if (json.status === 'SUCCEEDED' || json.status === 'FAILED') return json;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`operation ${operationId} did not finish`);
}

const stackStatus = (stack: string) =>
  clients.cloudformation
    .send(new DescribeStacksCommand({ StackName: stack }))
    .then((r) => r.Stacks?.[0]?.StackStatus)
    .catch(() => undefined);

function tee(stream: NodeJS.WriteStream) {
  const write = stream.write.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    logs.push(String(chunk));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
  restore.push(() => {
    stream.write = write;
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kaws-e2e-'));
  tee(process.stdout);
  tee(process.stderr);
  // The functions' own logs at their most talkative: they are scanned too.
  logger.setLogLevel('DEBUG');
  queue = await eventQueue(`kaws-e2e-${name}`);
  runtime = await startLocalRuntime(cloud, { log: (line) => logs.push(line) });
  const app = buildApp(
    {
      aws: {
        region: cloud.region,
        endpoint: cloud.endpoint,
        credentials: { accessKeyId: 'kaws-local', secretAccessKey: 'kaws-local' },
      },
      tableName: resources.tableName,
      bucketName: resources.bucketName,
    },
    { workflows: runtime.engine, endpoints: runtime.endpoints },
  );
  server = await startApiServer({ app, port: 0, log: (line) => logs.push(line) });
});

afterAll(async () => {
  for (const undo of restore) undo();
  logger.setLogLevel('SILENT');
  await server?.close();
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('examples/ha-cluster.yaml through the API', () => {
  let clusterEvents: DeliveredEvent[] = [];

  it('create: 202, then the operation succeeds and the cluster is ACTIVE with its API endpoint', async () => {
    const created = await api('POST', '/clusters', haYaml(name));
    expect(created.status).toBe(202);
    expect(created.json.cluster.status).toBe('CREATE_PENDING');
    const operation = await finished(created.json.operation.id);
    expect(operation.error).toBeUndefined();
    expect(operation.status).toBe('SUCCEEDED');
    const steps = operation.steps.map((s) => `${s.name} ${s.status}`);
    expect(steps.slice(0, 5)).toEqual([
      'render-credentials SUCCEEDED',
      'render-stacks SUCCEEDED',
      ...stacks.slice(0, 3).map((s) => `deploy-stack:${s} SUCCEEDED`),
    ]);
    // The node pools run in parallel: in any order, after the control plane.
    expect(steps.slice(5, 8).sort()).toEqual(
      stacks
        .slice(3)
        .map((s) => `deploy-stack:${s} SUCCEEDED`)
        .sort(),
    );
    expect(steps.slice(8)).toEqual(['check-health SUCCEEDED']);
    const cluster = await api('GET', `/clusters/${name}`);
    expect(cluster.json.status).toBe('ACTIVE');
    expect(cluster.json.outputs.apiEndpoint).toBe('https://api.prod-east.example.com');
    expect(cluster.json.currentOperation).toBeUndefined();
  });

  it('every stack is there, complete', async () => {
    for (const stack of stacks) expect(await stackStatus(stack), stack).toBe('CREATE_COMPLETE');
  });

  it.skipIf(!existsSync(KUBECTL))(
    'kubectl with the kubeconfig from the API lists 3 general, 1 gpu and the spot pool nodes',
    async () => {
      const issued = await api('POST', `/clusters/${name}/kubeconfig`);
      expect(issued.status).toBe(200);
      const file = join(dir, 'kubeconfig');
      await writeFile(file, issued.json.kubeconfig, { mode: 0o600 });
      const { stdout } = await run(
        KUBECTL,
        ['--kubeconfig', file, '--request-timeout', '10s', 'get', 'nodes', '-o', 'json'],
        {
          env: { PATH: process.env.PATH ?? '', HOME: dir },
        },
      );
      const nodes = (JSON.parse(stdout) as NodeList).items;
      const perPool = (pool: string) =>
        nodes.filter((n) => n.metadata.labels?.[nodeLabelKeys.nodePool] === pool).length;
      // The spot pool gives no count: one node, within its group's bounds (minSize 0, maxSize 10).
      expect({ general: perPool('general'), gpu: perPool('gpu'), spot: perPool('spot') }).toEqual({
        general: 3,
        gpu: 1,
        spot: 1,
      });
      // The kubeconfig's key is the caller's own, new one: no stored cluster key.
      const config = parse(await readFile(file, 'utf8')) as {
        users: Array<{ user: Record<string, string> }>;
      };
      const key = Buffer.from(config.users[0]?.user['client-key-data'] ?? '', 'base64').toString('utf8');
      const stored = await openClusterCredentials({
        s3: clients.s3,
        kms: clients.kms,
        bucket: resources.bucketName,
        clusterName: name,
        names: ['admin-key.pem', 'ca-key.pem'],
      });
      expect(Object.values(stored)).not.toContain(key);
    },
  );

  it('no object kaws stored for the cluster holds a private key in plaintext', async () => {
    const listed = await clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: resources.bucketName, Prefix: `clusters/${name}/` }),
    );
    const versions = listed.Versions ?? [];
    // Four credential envelopes, the node configs and nothing else.
    expect(versions.filter((v) => v.Key?.includes('/credentials/'))).toHaveLength(4);
    for (const version of versions) {
      const object = await clients.s3.send(
        new GetObjectCommand({
          Bucket: resources.bucketName,
          Key: version.Key,
          VersionId: version.VersionId,
        }),
      );
      expect(await object.Body?.transformToString(), version.Key).not.toMatch(PRIVATE_KEY);
    }
  });

  it('destroy: the operation succeeds, the cluster is DELETED (record and history kept), nothing left', async () => {
    const deleted = await api('DELETE', `/clusters/${name}`);
    expect(deleted.status).toBe(202);
    const operation = await finished(deleted.json.operation.id);
    expect(operation.status).toBe('SUCCEEDED');
    expect((await api('GET', `/clusters/${name}`)).json.status).toBe('DELETED');
    for (const stack of stacks) expect(await stackStatus(stack), stack).toBeUndefined();
    const left = await clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: resources.bucketName, Prefix: `clusters/${name}/` }),
    );
    expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]).toEqual([]);
    // The stand-in goes with the cluster, once the workflow's execution has ended.
    await runtime.engine.wait(deleted.json.operation.id);
    expect(runtime.standIns.clusters()).not.toContain(name);
  });

  it('every status change was published, once per history entry, each event valid against its schema', async () => {
    clusterEvents = await drainEvents(queue, name);
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validators: Record<string, ReturnType<typeof ajv.compile>> = {
      'Cluster State Change': ajv.compile(
        JSON.parse(await readFile('schemas/events/cluster-state-change.json', 'utf8')),
      ),
      'Operation State Change': ajv.compile(
        JSON.parse(await readFile('schemas/events/operation-state-change.json', 'utf8')),
      ),
    };
    for (const event of clusterEvents) {
      const validate = validators[event['detail-type']];
      expect(validate, event['detail-type']).toBeDefined();
      expect(validate?.(event), ajv.errorsText(validate?.errors)).toBe(true);
    }
    const unique = new Map(clusterEvents.map((e) => [`${e['detail-type']}/${e.detail.eventId}`, e]));
    const changes = [...unique.values()]
      .filter((e) => e['detail-type'] === 'Cluster State Change')
      .map((e) => `${e.detail.previousStatus} -> ${e.detail.status}`);
    expect(changes).toEqual([
      'null -> CREATE_PENDING',
      'CREATE_PENDING -> CREATE_IN_PROGRESS',
      'CREATE_IN_PROGRESS -> ACTIVE',
      'ACTIVE -> DELETE_PENDING',
      'DELETE_PENDING -> DELETE_IN_PROGRESS',
      'DELETE_IN_PROGRESS -> DELETED',
    ]);
    // Each event is the history entry of the same id (GET /clusters/{name}/events).
    const history = (await api('GET', `/clusters/${name}/events?limit=100`)).json.items;
    const statusEntries = history
      .filter((h) => h.newStatus)
      .map((h) => h.id)
      .sort();
    expect([...new Set(clusterEvents.map((e) => String(e.detail.eventId)))].sort()).toEqual(statusEntries);
  });

  it('no PEM private key in plaintext in the table, the logs or any API response', async () => {
    let startKey: Record<string, unknown> | undefined;
    let items = 0;
    do {
      const page = await clients.documents.send(
        new ScanCommand({
          TableName: resources.tableName,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        items++;
        expect(JSON.stringify(item)).not.toMatch(PRIVATE_KEY);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(items).toBeGreaterThan(0);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('')).not.toMatch(PRIVATE_KEY);
    expect(responses.length).toBeGreaterThan(10);
    for (const response of responses) expect(response.body, response.path).not.toMatch(PRIVATE_KEY);
  });
});

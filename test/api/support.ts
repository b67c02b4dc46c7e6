/**
 * Test support for the API: the local server started in-process on a free port against the run's shared
 * local cloud, a valid spec per test, and a way to drive an operation as the workflows will (through the
 * store), since no workflow runs locally yet.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { monotonicFactory } from 'ulid';
import { buildApp } from '../../functions/shared/app.ts';
import { logger } from '../../functions/shared/logger.ts';
import type { WorkflowStarter } from '../../lib/service/ports.ts';
import { DynamoClusterStore } from '../../lib/store/dynamo-cluster-store.ts';
import { type ApiServer, startApiServer } from '../../local/server.ts';
import { localCloud } from '../support/local-cloud.ts';

const HA_CLUSTER = readFileSync(new URL('../../examples/ha-cluster.yaml', import.meta.url), 'utf8');

/** A cluster name no other test uses (the cloud is shared by every test file of the run). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** examples/ha-cluster.yaml, named `name`. */
export function specYaml(name: string, edit: (yaml: string) => string = (y) => y): string {
  return edit(HA_CLUSTER.replace(/^clusterName: .*$/m, `clusterName: ${name}`));
}

export interface TestApi {
  url: string;
  server: ApiServer;
  store: DynamoClusterStore;
  cloud: ReturnType<typeof localCloud>;
  tableName: string;
  /** Log lines the server wrote. */
  lines: string[];
  close(): Promise<void>;
}

export async function startTestApi(
  options: { corsOrigins?: string[]; tableName?: string; workflows?: WorkflowStarter } = {},
): Promise<TestApi> {
  const cloud = localCloud();
  const tableName = options.tableName ?? cloud.resources.tableName;
  const aws = {
    region: cloud.region,
    endpoint: cloud.endpoint,
    credentials: { accessKeyId: 'kaws-local', secretAccessKey: 'kaws-local' },
  };
  logger.setLogLevel('SILENT');
  const app = buildApp({ aws, tableName }, options.workflows ? { workflows: options.workflows } : {});
  const lines: string[] = [];
  const server = await startApiServer({
    app,
    port: 0,
    log: (line) => lines.push(line),
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
  });
  const store = new DynamoClusterStore({ documents: cloud.clients.documents, tableName });
  return { url: server.url, server, store, cloud, tableName, lines, close: () => server.close() };
}

/** A fetch with a YAML body and optional headers. */
export function send(
  api: Pick<TestApi, 'url'>,
  method: string,
  path: string,
  options: { body?: string | Uint8Array; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/yaml';
  return fetch(`${api.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
}

/** Creates a cluster through the API; returns the 202 body. */
export async function createCluster(api: TestApi, name: string, headers: Record<string, string> = {}) {
  const response = await send(api, 'POST', '/clusters', { body: specYaml(name), headers });
  if (response.status !== 202) throw new Error(`create ${name}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { cluster: { specVersion: number }; operation: { id: string } };
}

/** Sortable ids for events a test writes through the store (as the app's own ULIDs). */
export const nextId = monotonicFactory();
const eventId = nextId;

/** Drives an operation to success as a workflow will: start, then succeed (lock released). */
export async function completeOperation(
  store: DynamoClusterStore,
  operationId: string,
  outputs: Record<string, string> = {},
): Promise<void> {
  await store.startOperation({ operationId, now: new Date(), eventId: eventId() });
  await store.succeedOperation({ operationId, now: new Date(), eventId: eventId(), outputs });
}

/** Creates a cluster and makes it ACTIVE. */
export async function activeCluster(api: TestApi, name: string) {
  const created = await createCluster(api, name);
  await completeOperation(api.store, created.operation.id, {
    apiEndpoint: `https://api.${name}.example.com`,
  });
  return created;
}

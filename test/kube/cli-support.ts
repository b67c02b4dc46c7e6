/**
 * Support for the CLI tests: the API as `npm start` serves it (local engine, API server stand-ins, the
 * same handlers) in process on a free port, or with operations left PENDING; the real CLI (`node
 * bin/kaws`) run against it as a child process, once or long-running; specs written to files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../functions/shared/app.ts';
import { logger } from '../../functions/shared/logger.ts';
import { createLocalEndpointMap } from '../../lib/service/cluster-endpoints.ts';
import { PendingWorkflowStarter } from '../../lib/service/pending-workflow-starter.ts';
import { DynamoClusterStore } from '../../lib/store/dynamo-cluster-store.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/engine-runtime.ts';
import { type ApiServer, startApiServer } from '../../local/server.ts';
import { localCloud } from '../support/local-cloud.ts';
import { haYaml } from './support.ts';

const KAWS = fileURLToPath(new URL('../../bin/kaws', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CliApi {
  url: string;
  store: DynamoClusterStore;
  runtime?: LocalRuntime;
  /** A folder for this file's specs and kubeconfigs. */
  dir: string;
  close(): Promise<void>;
}

/**
 * The local API server. `workflows: 'local'` runs operations on the local engine as `npm start` does;
 * `'pending'` leaves them PENDING (a test then drives them through the store).
 */
export async function startCliApi(workflows: 'local' | 'pending'): Promise<CliApi> {
  const cloud = localCloud();
  const { resources } = cloud;
  logger.setLogLevel('SILENT');
  const runtime = workflows === 'local' ? await startLocalRuntime(cloud) : undefined;
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
    runtime
      ? { workflows: runtime.engine, endpoints: runtime.endpoints }
      : { workflows: new PendingWorkflowStarter(), endpoints: createLocalEndpointMap() },
  );
  const server: ApiServer = await startApiServer({ app, port: 0, log: false });
  const dir = await mkdtemp(join(tmpdir(), 'kaws-cli-'));
  return {
    url: server.url,
    store: new DynamoClusterStore({ documents: cloud.clients.documents, tableName: resources.tableName }),
    ...(runtime ? { runtime } : {}),
    dir,
    async close() {
      await server.close();
      await runtime?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** examples/ha-cluster.yaml named `name`, written to a file in the API's folder; returns its path. */
export async function specFile(
  api: CliApi,
  name: string,
  edit: (yaml: string) => string = (y) => y,
): Promise<string> {
  const path = join(api.dir, `${name}.yaml`);
  await writeFile(path, edit(haYaml(name)));
  return path;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kaws <args> --endpoint <api>` to completion (stdin closed: not a terminal). */
export function kaws(
  api: Pick<CliApi, 'url'>,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<CliRun> {
  const child = startKaws(api, args);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.process.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.process.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: child.stdout(), stderr: child.stderr() });
    });
  });
}

export interface RunningKaws {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Starts `kaws <args> --endpoint <api>` and leaves it running. */
export function startKaws(api: Pick<CliApi, 'url'>, args: string[]): RunningKaws {
  const child = spawn(process.execPath, [KAWS, ...args, '--endpoint', api.url], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only what the command line says: no KAWS_ENDPOINT or KAWS_CALLER from the outside.
    env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('KAWS_'))),
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(stdout)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `kaws ${args.join(' ')}: no ${pattern} in ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}

/**
 * API benchmark, against a local cloud of its own:
 * - GET /clusters/{name} and POST /validate through the local HTTP server (real handlers, real DynamoDB on
 *   moto) under a fixed concurrency for a fixed time: p50, p99, throughput.
 * - Baseline, in the same run and the same conditions: a bare DynamoDB GetItem (consistent, the same item
 *   GET /clusters/{name} reads) at the same concurrency. Rounds alternate (GetItem, GET, GetItem, GET, ...)
 *   so drift hits both. Target: GET p99 <= 1.5x GetItem p99.
 * - Each function's bundle as serverless.yml builds it (its custom.esbuild options; the AWS SDK bundled): size (target <= 1 MB) and module import time in a fresh Node process (median and minimum
 *   of 9, interleaved; target <= 150 ms; on a loaded machine the minimum is the better estimate of the intrinsic cost).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { buildApp } from '../functions/shared/app.ts';
import { logger } from '../functions/shared/logger.ts';
import { tableKeys } from '../lib/render/naming.ts';
import { loadClusterSpec } from '../lib/spec/index.ts';
import { DynamoClusterStore } from '../lib/store/dynamo-cluster-store.ts';
import { startLocalCloud } from '../local/cloud.ts';
import { startApiServer } from '../local/server.ts';
import { buildApiBundles } from './api-bundles.ts';
import { type BenchReport, fmt, percentile } from './stats.ts';

const execFileAsync = promisify(execFile);
const CONCURRENCY = 8;
const ROUND_MS = 3_000;
const ROUNDS = 5;
const IMPORT_RUNS = 9;
const MAX_BUNDLE_BYTES = 1024 * 1024;
const MAX_IMPORT_MS = 150;

interface LoadResult {
  latencies: number[];
  elapsedMs: number;
  errors: number;
}

/** `concurrency` workers call `fn` back to back until `durationMs` has passed. */
async function load(
  fn: () => Promise<boolean>,
  concurrency: number,
  durationMs: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      const ok = await fn().catch(() => false);
      latencies.push(performance.now() - t);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, elapsedMs: performance.now() - started, errors };
}

function merge(results: LoadResult[]): LoadResult {
  return {
    latencies: results.flatMap((r) => r.latencies),
    elapsedMs: results.reduce((sum, r) => sum + r.elapsedMs, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

function summarize(name: string, result: LoadResult) {
  const p50 = percentile(result.latencies, 50);
  const p99 = percentile(result.latencies, 99);
  const throughput = result.latencies.length / (result.elapsedMs / 1000);
  return {
    p50,
    p99,
    throughput,
    line: `${name.padEnd(28)} p50 ${fmt(p50).padStart(9)}  p99 ${fmt(p99).padStart(9)}  ${throughput.toFixed(0).padStart(5)} req/s  (${result.latencies.length} requests, ${result.errors} errors)`,
  };
}

/** Every API function bundled as serverless.yml does (api-bundles.ts): sizes and fresh-process import times. */
async function bundles(): Promise<
  Array<{ name: string; bytes: number; importMs: number; importMinMs: number }>
> {
  const out = await mkdtemp(join(tmpdir(), 'kaws-api-bundles-'));
  try {
    const built = await buildApiBundles(out);
    // Round-robin over the bundles, so a burst of load elsewhere on the machine hits all of them alike.
    const times = new Map<string, number[]>(built.map((b) => [b.name, []]));
    for (let i = 0; i < IMPORT_RUNS; i++) {
      for (const bundle of built) {
        const { stdout } = await execFileAsync(process.execPath, [
          '--input-type=module',
          '-e',
          `const t = performance.now(); await import(${JSON.stringify(bundle.file)}); console.log(performance.now() - t);`,
        ]);
        times.get(bundle.name)?.push(Number(stdout.trim()));
      }
    }
    const results = built.map((bundle) => {
      const runs = times.get(bundle.name) ?? [];
      return {
        name: bundle.name,
        bytes: bundle.bytes,
        importMs: percentile(runs, 50),
        importMinMs: Math.min(...runs),
      };
    });
    return results;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchReport> {
  const cloud = await startLocalCloud({ stackName: 'kaws-bench-api' });
  logger.setLogLevel('SILENT');
  const app = buildApp({ aws: cloud.awsConfig, tableName: cloud.resources.tableName });
  const server = await startApiServer({ app, port: 0, log: false });
  try {
    const ids = monotonicFactory();
    const name = `bench-${ids().slice(-6).toLowerCase()}`;
    const yaml = (await readFile('examples/ha-cluster.yaml', 'utf8')).replace(
      /^clusterName: .*$/m,
      `clusterName: ${name}`,
    );
    const store = new DynamoClusterStore({
      documents: cloud.clients.documents,
      tableName: cloud.resources.tableName,
    });
    const { operation } = await store.requestOperation({
      type: 'CREATE',
      clusterName: name,
      caller: 'bench',
      spec: loadClusterSpec(yaml),
      operationId: ids(),
      eventId: ids(),
      now: new Date(),
    });
    await store.startOperation({ operationId: operation.id, now: new Date(), eventId: ids() });
    await store.succeedOperation({ operationId: operation.id, now: new Date(), eventId: ids() });

    const getItem = async () =>
      Boolean(
        (
          await cloud.clients.documents.send(
            new GetCommand({
              TableName: cloud.resources.tableName,
              Key: { pk: tableKeys.clusterPk(name), sk: tableKeys.metaSk },
              ConsistentRead: true,
            }),
          )
        ).Item,
      );
    const getCluster = async () => {
      const response = await fetch(`${server.url}/clusters/${name}`);
      await response.arrayBuffer();
      return response.status === 200;
    };
    const validate = async () => {
      const response = await fetch(`${server.url}/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/yaml' },
        body: yaml,
      });
      await response.arrayBuffer();
      return response.status === 200;
    };

    // Warm-up: connections, JIT, the emulator's first-call costs.
    await load(getItem, CONCURRENCY, 500);
    await load(getCluster, CONCURRENCY, 500);
    await load(validate, CONCURRENCY, 500);
    const baseline: LoadResult[] = [];
    const api: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push(await load(getItem, CONCURRENCY, ROUND_MS));
      api.push(await load(getCluster, CONCURRENCY, ROUND_MS));
    }
    const validation = await load(validate, CONCURRENCY, ROUND_MS * ROUNDS);

    const base = summarize('DynamoDB GetItem (bare)', merge(baseline));
    const get = summarize('GET /clusters/{name}', merge(api));
    const val = summarize('POST /validate', validation);
    const ratio = get.p99 / base.p99;
    const built = await bundles();
    const largest = Math.max(...built.map((b) => b.bytes));
    const slowest = Math.max(...built.map((b) => b.importMs));
    const slowestMin = Math.max(...built.map((b) => b.importMinMs));
    const lines = [
      `concurrency ${CONCURRENCY}, ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s each (local server + moto); ` +
        `${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} at the end (absolute times inflate with load)`,
      base.line,
      get.line,
      val.line,
      `GET /clusters/{name} p99 / GetItem p99 = ${ratio.toFixed(2)}x (target <= 1.5x), p50 ratio ${(get.p50 / base.p50).toFixed(2)}x`,
      `bundles (as serverless.yml builds them; import time of a fresh process, median and min of ${IMPORT_RUNS}):`,
      ...built.map(
        (b) =>
          `  ${b.name.padEnd(16)} ${(b.bytes / 1024).toFixed(0).padStart(5)} KiB  import ${fmt(b.importMs).padStart(9)}` +
          ` (min ${fmt(b.importMinMs)})`,
      ),
      `largest bundle ${(largest / 1024).toFixed(0)} KiB (target <= ${MAX_BUNDLE_BYTES / 1024} KiB), ` +
        `slowest import ${fmt(slowest)} median, ${fmt(slowestMin)} min (target <= ${MAX_IMPORT_MS} ms)`,
    ];
    return {
      name: 'api',
      lines,
      figures: {
        concurrency: CONCURRENCY,
        loadAverage: loadavg()[0] ?? 0,
        getItemP50Ms: base.p50,
        getItemP99Ms: base.p99,
        getItemThroughput: base.throughput,
        getClusterP50Ms: get.p50,
        getClusterP99Ms: get.p99,
        getClusterThroughput: get.throughput,
        validateP50Ms: val.p50,
        validateP99Ms: val.p99,
        validateThroughput: val.throughput,
        getClusterToGetItemP99Ratio: ratio,
        largestBundleBytes: largest,
        slowestImportMs: slowest,
        slowestImportMinMs: slowestMin,
        ...Object.fromEntries(
          built.flatMap((b) => [
            [`bundleBytes.${b.name}`, b.bytes],
            [`importMs.${b.name}`, b.importMs],
            [`importMinMs.${b.name}`, b.importMinMs],
          ]),
        ),
      },
    };
  } finally {
    await server.close();
    await cloud.stop();
  }
}

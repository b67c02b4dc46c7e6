/**
 * The create and delete workflows of the HA example on the local cloud (the local engine running the
 * real ASL and step handlers): wall time, step (Lambda) invocations and their total duration, state
 * transitions, AWS requests per service (counted by SDK middleware on the clients the steps use), and
 * the estimated AWS cost of one operation from list prices. Baseline, in the same run: the same six
 * stacks created and deleted directly (render, upload, CreateStack/DeleteStack in order), so the ratio
 * is what the workflow adds around CloudFormation.
 *
 * Local durations are not Lambda's: no cold start, and moto answers faster than AWS for most calls and
 * slower for CloudFormation (it creates every resource synchronously). The counts are exact.
 */
import { CreateStackCommand, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { monotonicFactory } from 'ulid';
import { type AwsClients, createAwsClients } from '../lib/aws/clients.ts';
import { renderCluster } from '../lib/render/index.ts';
import { allAssetNames } from '../lib/render/input.ts';
import { createLocalEndpointMap } from '../lib/service/cluster-endpoints.ts';
import type { OperationType } from '../lib/service/cluster-status.ts';
import { loadClusterSpec } from '../lib/spec/index.ts';
import { DynamoClusterStore } from '../lib/store/dynamo-cluster-store.ts';
import { startLocalCloud } from '../local/cloud.ts';
import type { LocalExecution } from '../local/engine.ts';
import { ensureSpecHostedZones } from '../local/engine-account.ts';
import { createLocalEngine, localWorkflowDeps } from '../local/engine-deps.ts';
import { KubeApiStandIns, localCloudStandInSources } from '../local/kube-apiserver-manager.ts';
import { type BenchReport, median } from './stats.ts';

const RUNS = 3;
const LAMBDA_MEMORY_GB = 1; // serverless.yml provider.memorySize: 1024

/**
 * List prices, us-east-1, as published on the AWS pricing pages (Lambda, Step Functions, DynamoDB,
 * KMS, S3, EventBridge), as of 2025 (DynamoDB on-demand after its November 2024 reduction); not fetched
 * by this run. Free tiers ignored.
 */
export const PRICES = {
  date: '2025 (us-east-1 list prices)',
  lambdaPerRequest: 0.2 / 1e6,
  lambdaPerGbSecondArm: 0.0000133334,
  stepFunctionsPerTransition: 0.025 / 1000,
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
  kmsPerRequest: 0.03 / 10_000,
  s3PerPutListRequest: 0.005 / 1000,
  s3PerGetRequest: 0.0004 / 1000,
  eventBridgePerEvent: 1 / 1e6,
} as const;

interface Usage {
  requests: Map<string, number>;
  readUnits: number;
  writeUnits: number;
  events: number;
}

const newUsage = (): Usage => ({ requests: new Map(), readUnits: 0, writeUnits: 0, events: 0 });

const kb = (value: unknown, unit: number) =>
  Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(value ?? {})) / unit));

/**
 * Counts every request the clients send, by service and command, and estimates DynamoDB capacity units
 * from item sizes (JSON of the marshalled item: close to DynamoDB's own size): a strongly consistent
 * read 1 RRU per 4 KB, a write 1 WRU per KB, a transactional item twice that.
 */
function counted(clients: AwsClients, usage: { current: Usage }): AwsClients {
  const services = ['dynamodb', 'kms', 's3', 'cloudformation', 'eventbridge', 'ec2', 'route53'] as const;
  for (const service of services) {
    const client = clients[service] as unknown as {
      middlewareStack: { add(m: unknown, o: { step: string; name: string }): void };
    };
    client.middlewareStack.add(
      (
        next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
        context: { commandName?: string },
      ) =>
        async (args: { input: Record<string, unknown> }) => {
          const u = usage.current;
          const key = `${service}:${(context.commandName ?? '?').replace(/Command$/, '')}`;
          u.requests.set(key, (u.requests.get(key) ?? 0) + 1);
          const result = await next(args);
          const command = context.commandName ?? '';
          if (service === 'dynamodb') {
            if (command === 'GetItemCommand') u.readUnits += kb(result.output.Item, 4096);
            if (command === 'QueryCommand') u.readUnits += kb(result.output.Items, 4096);
            if (command === 'PutItemCommand' || command === 'UpdateItemCommand')
              u.writeUnits += kb(args.input.Item ?? args.input, 1024);
            if (command === 'TransactWriteItemsCommand') {
              for (const item of (args.input.TransactItems as unknown[]) ?? [])
                u.writeUnits += 2 * kb(item, 1024);
            }
          }
          if (service === 'eventbridge' && command === 'PutEventsCommand') {
            u.events += ((args.input.Entries as unknown[]) ?? []).length;
          }
          return result;
        },
      { step: 'initialize', name: 'kawsBenchCounter' },
    );
  }
  return clients;
}

function costOf(execution: LocalExecution, usage: Usage) {
  const steps = Object.values(execution.steps);
  const invocations = steps.reduce((n, s) => n + s.invocations, 0);
  const lambdaMs = steps.reduce((n, s) => n + s.totalMs, 0);
  const count = (prefix: string, commands?: string[]) =>
    [...usage.requests]
      .filter(([k]) => k.startsWith(prefix) && (!commands || commands.includes(k.split(':')[1] ?? '')))
      .reduce((n, [, c]) => n + c, 0);
  const s3Get = count('s3:', ['GetObject', 'HeadObject']);
  const s3Put = count('s3:', ['PutObject', 'ListObjectVersions', 'ListObjectsV2', 'DeleteObjects']);
  const parts = {
    lambda:
      invocations * PRICES.lambdaPerRequest +
      (lambdaMs / 1000) * LAMBDA_MEMORY_GB * PRICES.lambdaPerGbSecondArm,
    stepFunctions: execution.transitions * PRICES.stepFunctionsPerTransition,
    dynamodb: usage.writeUnits * PRICES.dynamoPerWriteUnit + usage.readUnits * PRICES.dynamoPerReadUnit,
    kms: count('kms:') * PRICES.kmsPerRequest,
    s3: s3Get * PRICES.s3PerGetRequest + s3Put * PRICES.s3PerPutListRequest,
    eventBridge: usage.events * PRICES.eventBridgePerEvent,
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { invocations, lambdaMs, parts, total, dynamoRequests: count('dynamodb:') };
}

export async function run(): Promise<BenchReport> {
  const cloud = await startLocalCloud({ stackName: 'kaws-bench-workflow' });
  const usage = { current: newUsage() };
  const clients = counted(createAwsClients(cloud.awsConfig), usage);
  const { resources, region } = cloud;
  const store = new DynamoClusterStore({ documents: clients.documents, tableName: resources.tableName });
  const endpoints = createLocalEndpointMap();
  // The stand-in plays the cluster's API server: its requests are not kaws's, so it has its own clients.
  const standIns = new KubeApiStandIns({
    sources: localCloudStandInSources({
      clients: cloud.clients,
      bucketName: resources.bucketName,
      clusters: store,
    }),
    endpoints,
  });
  const deps = localWorkflowDeps({
    clients,
    region,
    resources,
    store,
    endpoints: { resolve: (name) => standIns.ensureStandIn(name) },
  });
  const engine = createLocalEngine({
    clients: cloud.clients,
    region,
    resources,
    store,
    endpoints: deps.endpoints,
    deps,
    onFinished: async (e) => {
      if (e.input.type === 'DELETE') await standIns.stop(e.input.clusterName);
    },
  });
  const ids = monotonicFactory();
  const yaml = await import('node:fs/promises').then((fs) => fs.readFile('examples/ha-cluster.yaml', 'utf8'));
  const specOf = (name: string) =>
    loadClusterSpec(yaml.replace(/^clusterName: .*$/m, `clusterName: ${name}`));

  async function operate(type: OperationType, name: string) {
    usage.current = newUsage();
    const started = performance.now();
    const { operation } = await store.requestOperation({
      clusterName: name,
      type,
      caller: 'bench',
      operationId: ids(),
      eventId: ids(),
      now: new Date(),
      ...(type === 'CREATE' ? { spec: specOf(name) } : {}),
    });
    await engine.start({
      operationId: operation.id,
      clusterName: name,
      type,
      specVersion: operation.specVersion,
    });
    const execution = await engine.wait(operation.id);
    const wallMs = performance.now() - started;
    if (execution.status !== 'SUCCEEDED') throw new Error(`${type} ${name}: ${execution.error?.message}`);
    return { wallMs, execution, usage: usage.current, ...costOf(execution, usage.current) };
  }

  /** The baseline: the same stacks, rendered, uploaded and created then deleted directly, in order. */
  async function direct(name: string) {
    const spec = specOf(name);
    await ensureSpecHostedZones(cloud.clients.route53, spec);
    const started = performance.now();
    const rendered = renderCluster({
      spec,
      assets: Object.fromEntries(allAssetNames().map((a) => [a, { fingerprint: '0'.repeat(64) }])),
      artifacts: { bucket: resources.bucketName, rootPrefix: '' },
    });
    for (const upload of rendered.uploads) {
      await cloud.clients.s3.send(
        new PutObjectCommand({ Bucket: resources.bucketName, Key: upload.key, Body: upload.body }),
      );
    }
    const imageId =
      (
        await cloud.clients.ec2.send(
          new DescribeImagesCommand({ Filters: [{ Name: 'architecture', Values: ['x86_64'] }] }),
        )
      ).Images?.[0]?.ImageId ?? '';
    for (const stack of rendered.stacks) {
      await cloud.clients.cloudformation.send(
        new CreateStackCommand({
          StackName: stack.name,
          TemplateBody: stack.template,
          Capabilities: ['CAPABILITY_IAM'],
          Parameters: Object.entries(stack.parameters)
            .filter(([, p]) => p.default === undefined)
            .map(([ParameterKey]) => ({ ParameterKey, ParameterValue: imageId })),
          Tags: Object.entries(stack.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    }
    const created = performance.now() - started;
    const deleting = performance.now();
    for (const stack of [...rendered.stacks].reverse()) {
      await cloud.clients.cloudformation.send(new DeleteStackCommand({ StackName: stack.name }));
    }
    return { createMs: created, deleteMs: performance.now() - deleting };
  }

  try {
    const creates: Awaited<ReturnType<typeof operate>>[] = [];
    const deletes: Awaited<ReturnType<typeof operate>>[] = [];
    const baseline: Array<{ createMs: number; deleteMs: number }> = [];
    // Warm-up (imports, the emulator's first calls, the first key generation).
    const warm = `bench-warm-${ids().slice(-6).toLowerCase()}`;
    await operate('CREATE', warm);
    await operate('DELETE', warm);
    for (let i = 0; i < RUNS; i++) {
      baseline.push(await direct(`bench-direct-${ids().slice(-6).toLowerCase()}`));
      const name = `bench-wf-${ids().slice(-6).toLowerCase()}`;
      creates.push(await operate('CREATE', name));
      deletes.push(await operate('DELETE', name));
    }
    const med = (values: number[]) => median(values);
    const summary = (label: string, results: typeof creates, baseMs: number) => {
      const r = results[results.length - 1] as (typeof creates)[number];
      const wall = med(results.map((x) => x.wallMs));
      const requests = [...r.usage.requests].sort(([a], [b]) => a.localeCompare(b));
      return {
        wall,
        ratio: wall / baseMs,
        r,
        lines: [
          `${label}: wall ${wall.toFixed(0)} ms median of ${RUNS} (direct CloudFormation ${baseMs.toFixed(0)} ms: ${(wall / baseMs).toFixed(2)}x), ` +
            `${r.execution.transitions} state transitions, ${r.invocations} step invocations taking ${r.lambdaMs.toFixed(0)} ms in all`,
          `  per step: ${Object.entries(r.execution.steps)
            .map(([k, s]) => `${k} ${s.invocations}x ${s.totalMs.toFixed(0)} ms`)
            .join(', ')}`,
          `  requests: ${requests.map(([k, c]) => `${k} ${c}`).join(', ')}`,
          `  DynamoDB: ${r.dynamoRequests} requests, ~${r.usage.readUnits} RRU, ~${r.usage.writeUnits} WRU; EventBridge: ${r.usage.events} events`,
          `  estimated AWS cost: $${r.total.toFixed(6)} (${Object.entries(r.parts)
            .map(([k, v]) => `${k} $${v.toFixed(6)}`)
            .join(', ')})`,
        ],
      };
    };
    const c = summary('create', creates, med(baseline.map((b) => b.createMs)));
    const d = summary('delete', deletes, med(baseline.map((b) => b.deleteMs)));
    return {
      name: 'workflow',
      lines: [
        `HA example (6 stacks, 3 pools) on the local engine and cloud; prices: ${PRICES.date} ` +
          `(Lambda arm64 $${PRICES.lambdaPerGbSecondArm}/GB-s + $0.20/1M requests at ${LAMBDA_MEMORY_GB} GB, Step Functions standard $0.025/1k transitions, ` +
          'DynamoDB on-demand $0.625/1M WRU and $0.125/1M RRU, KMS $0.03/10k requests, S3 $0.005/1k PUT/LIST/POST and $0.0004/1k GET, EventBridge $1/1M events)',
        ...c.lines,
        ...d.lines,
        'CloudFormation charges nothing for these resource types; the instances, load balancers and volumes the stacks create are billed on their own and are not included.',
      ],
      figures: {
        createWallMs: c.wall,
        createVsDirectRatio: c.ratio,
        createTransitions: c.r.execution.transitions,
        createInvocations: c.r.invocations,
        createStepMs: c.r.lambdaMs,
        createDynamoRequests: c.r.dynamoRequests,
        createCostUsd: c.r.total,
        deleteWallMs: d.wall,
        deleteVsDirectRatio: d.ratio,
        deleteTransitions: d.r.execution.transitions,
        deleteInvocations: d.r.invocations,
        deleteStepMs: d.r.lambdaMs,
        deleteDynamoRequests: d.r.dynamoRequests,
        deleteCostUsd: d.r.total,
      },
    };
  } finally {
    await engine.stop();
    await standIns.stopAll();
    await cloud.stop();
  }
}

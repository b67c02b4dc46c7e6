/**
 * Test support for the workflows: the local engine on the run's shared local cloud, with the real step
 * handlers, store, KMS, S3, CloudFormation, EventBridge and each cluster's API server stand-in; a way to
 * request an operation as the API does (store + engine); and an EventBridge -> SQS queue per test file
 * to read what was published.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { monotonicFactory } from 'ulid';
import { createLocalEndpointMap } from '../../lib/service/cluster-endpoints.ts';
import type { OperationType } from '../../lib/service/cluster-status.ts';
import type { OperationRecord } from '../../lib/service/model.ts';
import { loadClusterSpec } from '../../lib/spec/index.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import { DynamoClusterStore } from '../../lib/store/dynamo-cluster-store.ts';
import type { WorkflowDeps, WorkflowSettings } from '../../lib/workflow/deps.ts';
import type { LocalExecution, StepRunner } from '../../local/engine.ts';
import { createLocalEngine, localWorkflowDeps } from '../../local/engine-deps.ts';
import {
  createEventQueue,
  type DeliveredEvent,
  type EventQueue,
  receiveEvents,
} from '../../local/event-queue.ts';
import { KubeApiStandIns, localCloudStandInSources } from '../../local/kube-apiserver-manager.ts';
import { localCloud } from '../support/local-cloud.ts';

export const HA_CLUSTER_YAML = readFileSync(
  new URL('../../examples/ha-cluster.yaml', import.meta.url),
  'utf8',
);

/** A cluster name no other test uses (the cloud is shared by every test file of the run). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** examples/ha-cluster.yaml named `name`, as its YAML text. */
export const haYaml = (name: string) => HA_CLUSTER_YAML.replace(/^clusterName: .*$/m, `clusterName: ${name}`);

/** examples/ha-cluster.yaml named `name`, normalized. */
export const haSpec = (name: string): ClusterSpec => loadClusterSpec(haYaml(name));

/** Fast local timings for tests: short deadlines where a test waits for a timeout. */
export const TEST_SETTINGS: Partial<WorkflowSettings> = { pollInitialSeconds: 1, pollMaxSeconds: 4 };

export interface HarnessOptions {
  wrapStep?: (stepKey: string, run: StepRunner) => StepRunner;
  settings?: Partial<WorkflowSettings>;
  /** Replaces the CloudFormation client (only for what the emulator cannot do; the test says so). */
  cloudformation?: CloudFormationClient;
  clock?: WorkflowDeps['clock'];
}

export function workflowHarness(options: HarnessOptions = {}) {
  const cloud = localCloud();
  const { clients, resources } = cloud;
  const store = new DynamoClusterStore({ documents: clients.documents, tableName: resources.tableName });
  const endpoints = createLocalEndpointMap();
  const standIns = new KubeApiStandIns({
    sources: localCloudStandInSources({ clients, bucketName: resources.bucketName, clusters: store }),
    endpoints,
  });
  const base = localWorkflowDeps({
    clients,
    region: cloud.region,
    resources,
    store,
    endpoints: { resolve: (name) => standIns.ensureStandIn(name) },
    settings: { ...TEST_SETTINGS, ...options.settings },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const deps: WorkflowDeps = {
    ...base,
    ...(options.cloudformation ? { cloudformation: options.cloudformation } : {}),
  };
  const lines: string[] = [];
  const engine = createLocalEngine({
    clients,
    region: cloud.region,
    resources,
    store,
    endpoints: deps.endpoints,
    deps,
    waitMs: 5,
    retryMs: 5,
    log: (line) => lines.push(line),
    ...(options.wrapStep ? { wrapStep: options.wrapStep } : {}),
    onFinished: async (execution) => {
      if (execution.input.type === 'DELETE' && execution.status === 'SUCCEEDED') {
        await standIns.stop(execution.input.clusterName);
      }
    },
  });
  const nextId = monotonicFactory();

  /** Requests an operation as the API does (store transaction), starts its workflow, waits for it. */
  async function operate(
    type: OperationType,
    clusterName: string,
    spec?: ClusterSpec,
  ): Promise<{ execution: LocalExecution; operation: OperationRecord }> {
    const { operation } = await store.requestOperation({
      clusterName,
      type,
      caller: 'arn:aws:iam::000000000000:user/tester',
      operationId: nextId(),
      eventId: nextId(),
      now: new Date(),
      ...(spec ? { spec } : {}),
    });
    await engine.start({
      operationId: operation.id,
      clusterName,
      type,
      specVersion: operation.specVersion,
    });
    const execution = await engine.wait(operation.id);
    const finished = await store.getOperation(operation.id);
    if (!finished) throw new Error(`operation ${operation.id} vanished`);
    return { execution, operation: finished };
  }

  return {
    cloud,
    store,
    deps,
    engine,
    standIns,
    lines,
    operate,
    create: (spec: ClusterSpec) => operate('CREATE', spec.clusterName, spec),
    destroy: (clusterName: string) => operate('DELETE', clusterName),
    async stop() {
      await engine.stop();
      await standIns.stopAll();
    },
  };
}

/** An EventBridge -> SQS queue of its own (tests of one run share the bus); filter by cluster when reading. */
export async function eventQueue(name: string): Promise<EventQueue> {
  const { clients, resources } = localCloud();
  return createEventQueue(clients, { eventBusName: resources.eventBusName, name });
}

/** Reads the queue until it stays empty, keeping the events of `clusterName`. */
export async function drainEvents(queue: EventQueue, clusterName: string): Promise<DeliveredEvent[]> {
  const { clients } = localCloud();
  const events: DeliveredEvent[] = [];
  for (let empty = 0; empty < 2; ) {
    const batch = await receiveEvents(clients, queue, { waitSeconds: 1, max: 10 });
    if (batch.length === 0) empty++;
    events.push(...batch.filter((e) => e.detail.clusterName === clusterName));
  }
  return events.sort((a, b) => String(a.detail.eventId).localeCompare(String(b.detail.eventId)));
}

/** Every object version under the cluster's prefix in kaws's bucket. */
export async function objectVersions(clusterName: string): Promise<string[]> {
  const { clients, resources } = localCloud();
  const result = await clients.s3.send(
    new ListObjectVersionsCommand({ Bucket: resources.bucketName, Prefix: `clusters/${clusterName}/` }),
  );
  return [...(result.Versions ?? []), ...(result.DeleteMarkers ?? [])].map((v) => `${v.Key}@${v.VersionId}`);
}

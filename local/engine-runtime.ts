/**
 * Everything `npm start` runs besides the API: the local workflow engine, each cluster's Kubernetes
 * API server stand-in (started when the health check first looks for the cluster, stopped once the
 * cluster is deleted), and the event queue kaws reads to print every event it publishes.
 */
import { createLocalEndpointMap, type LocalEndpointMap } from '../lib/service/cluster-endpoints.ts';
import { DynamoClusterStore } from '../lib/store/dynamo-cluster-store.ts';
import type { LocalCloud } from './cloud.ts';
import type { LocalWorkflowEngine } from './engine.ts';
import { createLocalEngine } from './engine-deps.ts';
import { createEventQueue, type DeliveredEvent, followEventQueue } from './event-queue.ts';
import { KubeApiStandIns, localCloudStandInSources } from './kube-apiserver-manager.ts';

export interface LocalRuntime {
  engine: LocalWorkflowEngine;
  standIns: KubeApiStandIns;
  /** Where each cluster's stand-in is registered (the kubeconfig use case's resolver locally). */
  endpoints: LocalEndpointMap;
  stop(): Promise<void>;
}

export async function startLocalRuntime(
  cloud: Pick<LocalCloud, 'clients' | 'region' | 'resources'>,
  options: {
    log?: (line: string) => void;
    onEvent?: (event: DeliveredEvent) => void;
    queueName?: string;
  } = {},
): Promise<LocalRuntime> {
  const { clients, resources } = cloud;
  const store = new DynamoClusterStore({ documents: clients.documents, tableName: resources.tableName });
  const endpoints = createLocalEndpointMap();
  const standIns = new KubeApiStandIns({
    sources: localCloudStandInSources({ clients, bucketName: resources.bucketName, clusters: store }),
    endpoints,
  });
  const engine = createLocalEngine({
    clients,
    region: cloud.region,
    resources,
    store,
    // The health check's first look starts the cluster's stand-in (its stacks exist by then).
    endpoints: { resolve: (name) => standIns.ensureStandIn(name) },
    ...(options.log ? { log: options.log } : {}),
    onFinished: async (execution) => {
      if (execution.input.type === 'DELETE' && execution.status === 'SUCCEEDED') {
        await standIns.stop(execution.input.clusterName);
      }
    },
  });
  const queue = options.onEvent
    ? await createEventQueue(clients, {
        eventBusName: resources.eventBusName,
        name: options.queueName ?? 'kaws-local-events',
      })
    : undefined;
  const follower = queue && options.onEvent ? followEventQueue(clients, queue, options.onEvent) : undefined;
  return {
    engine,
    standIns,
    endpoints,
    async stop() {
      await engine.stop();
      await follower?.stop();
      await standIns.stopAll();
    },
  };
}

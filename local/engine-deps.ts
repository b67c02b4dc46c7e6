/**
 * The local engine's composition root: WorkflowDeps built from the local cloud (the same use cases and
 * adapters as on Lambda; only the endpoints, the image source and the node key differ), and the engine
 * wired with local mode's account stand-in (hosted zones the spec names).
 */
import { monotonicFactory } from 'ulid';
import type { AwsClients } from '../lib/aws/clients.ts';
import { anyImageOfArchitecture } from '../lib/aws/cloudformation-images.ts';
import { EventBridgePublisher } from '../lib/aws/events.ts';
import type { ClusterEndpointResolver } from '../lib/service/cluster-endpoints.ts';
import type { Clock, ClusterStore } from '../lib/service/ports.ts';
import { systemTlsDependencies } from '../lib/tls/index.ts';
import { DEFAULT_WORKFLOW_SETTINGS, type WorkflowDeps, type WorkflowSettings } from '../lib/workflow/deps.ts';
import type { KawsResources } from './cloud.ts';
import { type LocalEngineOptions, LocalWorkflowEngine } from './engine.ts';
import { ensureSpecHostedZones } from './engine-account.ts';

export interface LocalWorkflowOptions {
  clients: AwsClients;
  region: string;
  resources: KawsResources;
  store: ClusterStore;
  /** Where the health check finds each cluster's API server (locally: the stand-ins). */
  endpoints: ClusterEndpointResolver;
  settings?: Partial<WorkflowSettings>;
  clock?: Clock;
}

/**
 * Local timings: the emulator creates stacks synchronously and the stand-in reports nodes at once, so
 * the deadlines only bound a run that is going wrong.
 */
export const LOCAL_WORKFLOW_SETTINGS = {
  nodeAssetsKey: 'kaws',
  stackTimeoutSeconds: 300,
  healthTimeoutSeconds: 60,
  pollInitialSeconds: DEFAULT_WORKFLOW_SETTINGS.pollInitialSeconds,
  pollMaxSeconds: DEFAULT_WORKFLOW_SETTINGS.pollMaxSeconds,
} as const satisfies Partial<WorkflowSettings>;

export function localWorkflowDeps(options: LocalWorkflowOptions): WorkflowDeps {
  const { clients, resources } = options;
  const nextUlid = monotonicFactory();
  return {
    store: options.store,
    clock: options.clock ?? { now: () => new Date() },
    ids: { next: () => nextUlid() },
    s3: clients.s3,
    kms: clients.kms,
    cloudformation: clients.cloudformation,
    events: new EventBridgePublisher(clients.eventbridge, resources.eventBusName),
    images: anyImageOfArchitecture(clients.ec2),
    endpoints: options.endpoints,
    tls: systemTlsDependencies,
    settings: {
      region: options.region,
      bucket: resources.bucketName,
      bucketKeyArn: resources.keyArn,
      kmsKeyArn: resources.keyArn,
      ...LOCAL_WORKFLOW_SETTINGS,
      ...options.settings,
    },
  };
}

/** The local engine over the local cloud; before a create or update, the spec's hosted zones are made to exist. */
export function createLocalEngine(
  options: LocalWorkflowOptions & Omit<LocalEngineOptions, 'deps' | 'region'> & { deps?: WorkflowDeps },
): LocalWorkflowEngine {
  const deps = options.deps ?? localWorkflowDeps(options);
  return new LocalWorkflowEngine({
    ...options,
    deps,
    region: options.region,
    beforeStart: async (input) => {
      if (input.type !== 'DELETE') {
        const spec = await deps.store.getSpec(input.clusterName, input.specVersion);
        if (spec) await ensureSpecHostedZones(options.clients.route53, spec);
      }
      await options.beforeStart?.(input);
    },
  });
}

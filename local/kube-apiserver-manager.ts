/**
 * The local "cluster runtime": one Kubernetes API server stand-in per cluster whose stacks exist,
 * started when the create workflow asks (after the control-plane stack) and stopped on delete. Each
 * stand-in is registered in the local endpoint map, through which the health check and the kubeconfig
 * use case find it (no DNS). A pool can be switched NotReady (setPoolFault) for fault drills.
 */
import type { AwsClients } from '../lib/aws/clients.ts';
import { listNodePoolInstances, type PoolInstance } from '../lib/aws/node-pool-instances.ts';
import { openRoleAssets } from '../lib/aws/role-envelope-reader.ts';
import { artifactLocationFor } from '../lib/render/input.ts';
import { credentialFiles } from '../lib/render/naming.ts';
import type {
  ClusterEndpoint,
  ClusterEndpointResolver,
  LocalEndpointMap,
} from '../lib/service/cluster-endpoints.ts';
import type { ClusterRecord } from '../lib/service/model.ts';
import type { ClusterSpec } from '../lib/spec/types.ts';
import { type KubeApiStandIn, type StandInTls, startKubeApiStandIn } from './kube-apiserver.ts';
import { clusterNodes, type PoolFault } from './kube-apiserver-nodes.ts';

/** Where a stand-in gets what a real control plane would have. */
export interface StandInSources {
  /** The cluster's current spec; undefined for an unknown or deleted cluster. */
  spec(clusterName: string): Promise<ClusterSpec | undefined>;
  /** The CA and the apiserver certificate and key, as a controller fetches them at boot. */
  servingTls(spec: ClusterSpec): Promise<StandInTls>;
  /** The instances of the spec's node pools (any lifecycle state). */
  poolInstances(spec: ClusterSpec): Promise<PoolInstance[]>;
}

/** What the local workflow engine asks of the runtime. */
export interface LocalClusterRuntime {
  /** Starts the cluster's stand-in (or refreshes a running one); idempotent. */
  ensureStandIn(clusterName: string): Promise<ClusterEndpoint>;
  /** Stops the cluster's stand-in, if any; idempotent. */
  stop(clusterName: string): Promise<void>;
}

export class StandInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StandInError';
  }
}

interface Running {
  standIn: KubeApiStandIn;
  spec: ClusterSpec;
  tls: StandInTls;
  endpoint: ClusterEndpoint;
}

const sameTls = (a: StandInTls, b: StandInTls) =>
  a.caCertificatePem === b.caCertificatePem &&
  a.certificatePem === b.certificatePem &&
  a.privateKeyPem === b.privateKeyPem;

export class KubeApiStandIns implements LocalClusterRuntime, ClusterEndpointResolver {
  private readonly running = new Map<string, Running>();
  private readonly faults = new Map<string, Map<string, PoolFault>>();
  /** Per-cluster chain: an ensure and a stop of one cluster never interleave. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly now: () => Date;

  constructor(
    private readonly deps: {
      sources: StandInSources;
      endpoints: LocalEndpointMap;
      now?: () => Date;
    },
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  private serialize<T>(clusterName: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(clusterName) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.queues.set(clusterName, settled);
    void settled.then(() => {
      if (this.queues.get(clusterName) === settled) this.queues.delete(clusterName);
    });
    return next;
  }

  ensureStandIn(clusterName: string): Promise<ClusterEndpoint> {
    return this.serialize(clusterName, async () => {
      const spec = await this.deps.sources.spec(clusterName);
      if (!spec) throw new StandInError(`no cluster named ${clusterName}: nothing to stand in for`);
      const serverName = spec.apiEndpoints[0]?.dnsName;
      if (!serverName) throw new StandInError(`cluster ${clusterName} has no API endpoint`);
      const tls = await this.deps.sources.servingTls(spec);
      const current = this.running.get(clusterName);
      if (current) {
        // An update re-renders: serve the new certificate and the new pools from now on.
        current.spec = spec;
        if (!sameTls(current.tls, tls)) {
          current.standIn.updateTls(tls);
          current.tls = tls;
        }
        if (current.endpoint.serverName !== serverName) {
          current.endpoint = { url: current.standIn.url, serverName };
          this.deps.endpoints.register(clusterName, current.endpoint);
        }
        return current.endpoint;
      }
      const entry = { spec } as Running;
      entry.standIn = await startKubeApiStandIn({
        clusterName,
        kubernetesVersion: spec.kubernetesVersion,
        tls,
        now: this.now,
        nodes: async () =>
          clusterNodes({
            spec: entry.spec,
            instances: await this.deps.sources.poolInstances(entry.spec),
            now: this.now(),
            faults: this.faults.get(clusterName) ?? new Map(),
          }),
      });
      entry.tls = tls;
      entry.endpoint = { url: entry.standIn.url, serverName };
      this.running.set(clusterName, entry);
      this.deps.endpoints.register(clusterName, entry.endpoint);
      return entry.endpoint;
    });
  }

  stop(clusterName: string): Promise<void> {
    return this.serialize(clusterName, async () => {
      const current = this.running.get(clusterName);
      this.deps.endpoints.unregister(clusterName);
      this.faults.delete(clusterName);
      if (!current) return;
      this.running.delete(clusterName);
      await current.standIn.close();
    });
  }

  /** Stops every stand-in (process shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.stop(name)));
  }

  /** The endpoint of a running stand-in (the local endpoint map's answer). */
  resolve(clusterName: string): Promise<ClusterEndpoint> {
    return this.deps.endpoints.resolve(clusterName);
  }

  /** Clusters with a running stand-in. */
  clusters(): string[] {
    return [...this.running.keys()].sort();
  }

  /**
   * Makes every node of `pool` NotReady with `fault` (or Ready again with undefined), as a kubelet
   * that stopped posting status would. The instances are untouched.
   */
  setPoolFault(clusterName: string, pool: string, fault: PoolFault | undefined): void {
    const pools = this.faults.get(clusterName) ?? new Map<string, PoolFault>();
    if (fault) pools.set(pool, fault);
    else pools.delete(pool);
    if (pools.size > 0) this.faults.set(clusterName, pools);
    else this.faults.delete(clusterName);
  }
}

/** The asset files a stand-in serves with: what the controller role's envelope holds for kube-apiserver. */
export const STAND_IN_ASSETS = {
  ca: credentialFiles.certificate('ca'),
  certificate: credentialFiles.certificate('apiserver'),
  key: credentialFiles.privateKey('apiserver'),
} as const;

/**
 * Sources backed by the local cloud: the spec from the cluster store, the serving credentials from the
 * controller role's KMS envelope in the artifact bucket, the nodes from the pools' Auto Scaling groups.
 */
export function localCloudStandInSources(options: {
  clients: Pick<AwsClients, 's3' | 'kms' | 'cloudformation' | 'autoscaling' | 'ec2'>;
  bucketName: string;
  clusters: { getCluster(name: string): Promise<ClusterRecord | undefined> };
}): StandInSources {
  const { clients } = options;
  return {
    async spec(clusterName) {
      const cluster = await options.clusters.getCluster(clusterName);
      return cluster && cluster.status !== 'DELETED' ? cluster.spec : undefined;
    },
    async servingTls(spec) {
      const location = artifactLocationFor(spec, options.bucketName);
      if (!location)
        throw new StandInError(`cluster ${spec.clusterName}: s3URI ${spec.s3URI} is not an S3 URI`);
      const assets = await openRoleAssets({
        s3: clients.s3,
        kms: clients.kms,
        location,
        clusterName: spec.clusterName,
        role: 'controller',
        names: Object.values(STAND_IN_ASSETS),
      });
      return {
        caCertificatePem: assets[STAND_IN_ASSETS.ca] ?? '',
        certificatePem: assets[STAND_IN_ASSETS.certificate] ?? '',
        privateKeyPem: assets[STAND_IN_ASSETS.key] ?? '',
      };
    },
    poolInstances: (spec) =>
      listNodePoolInstances(
        clients,
        spec.clusterName,
        spec.worker.nodePools.map((pool) => pool.name),
      ),
  };
}

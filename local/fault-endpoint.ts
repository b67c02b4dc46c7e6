/**
 * The local-only fault switch of `npm start` (never deployed: the local server answers it before the
 * API's routes): `POST /_local/clusters/{name}/nodepools/{pool}/fault` with `{"notReady": true}` makes
 * every node of the pool NotReady on the cluster's API server stand-in, as kubelets that stopped posting
 * status would; `{"notReady": false}` clears it. `kaws local fault` calls it.
 */
import type { ApiResult } from '../functions/shared/http.ts';
import type { ClusterRecord } from '../lib/service/model.ts';
import type { KubeApiStandIns } from './kube-apiserver-manager.ts';

const PATH = /^\/_local\/clusters\/([^/]+)\/nodepools\/([^/]+)\/fault$/;

/** The fault a pool's nodes report unless the request names another. */
export const DEFAULT_FAULT = {
  reason: 'KubeletNotReady',
  message: 'kaws local fault: the node pool was made NotReady',
};

function answer(statusCode: number, body: Record<string, unknown>): ApiResult {
  const problem = statusCode >= 400;
  return {
    statusCode,
    headers: { 'content-type': problem ? 'application/problem+json' : 'application/json' },
    body: JSON.stringify(
      problem
        ? {
            type: `urn:kaws:problem:${body.slug}`,
            title: body.title,
            status: statusCode,
            detail: body.detail,
          }
        : body,
    ),
  };
}

const refuse = (statusCode: number, slug: string, title: string, detail: string) =>
  answer(statusCode, { slug, title, detail });

export function faultEndpoint(deps: {
  standIns: Pick<KubeApiStandIns, 'setPoolFault'>;
  clusters: { getCluster(name: string): Promise<ClusterRecord | undefined> };
}) {
  return async (request: { method: string; path: string; body: Buffer }): Promise<ApiResult | undefined> => {
    const match = PATH.exec(request.path);
    if (!match) return undefined;
    if (request.method !== 'POST') {
      return {
        ...refuse(405, 'method-not-allowed', 'Method Not Allowed', 'use POST'),
        headers: { allow: 'POST' },
      };
    }
    let clusterName: string;
    let nodePool: string;
    try {
      clusterName = decodeURIComponent(match[1] as string);
      nodePool = decodeURIComponent(match[2] as string);
    } catch {
      return refuse(400, 'malformed-path', 'Bad Request', 'the path is not valid percent-encoding');
    }
    let body: { notReady?: unknown; reason?: unknown; message?: unknown };
    try {
      body = JSON.parse(request.body.toString('utf8') || '{}') as typeof body;
    } catch {
      return refuse(400, 'malformed-body', 'Bad Request', 'send {"notReady": true} or {"notReady": false}');
    }
    if (typeof body !== 'object' || body === null || typeof body.notReady !== 'boolean') {
      return refuse(400, 'invalid-body', 'Bad Request', 'send {"notReady": true} or {"notReady": false}');
    }
    const cluster = await deps.clusters.getCluster(clusterName);
    if (!cluster || cluster.status === 'DELETED') {
      return refuse(404, 'cluster-not-found', 'Not Found', `no cluster named ${clusterName}`);
    }
    const pools = cluster.spec.worker.nodePools.map((p) => p.name);
    const pool = cluster.spec.worker.nodePools.find((p) => p.name === nodePool);
    if (!pool) {
      return refuse(
        404,
        'node-pool-not-found',
        'Not Found',
        `cluster ${clusterName} has no node pool named ${nodePool} (its pools: ${pools.join(', ') || 'none'})`,
      );
    }
    const fault = body.notReady
      ? {
          reason: typeof body.reason === 'string' ? body.reason : DEFAULT_FAULT.reason,
          message: typeof body.message === 'string' ? body.message : DEFAULT_FAULT.message,
        }
      : undefined;
    deps.standIns.setPoolFault(clusterName, nodePool, fault);
    // desiredNodes 0: nothing to be NotReady, so no gate can fail on this pool (the CLI says so).
    return answer(200, {
      clusterName,
      nodePool,
      notReady: body.notReady,
      desiredNodes: pool.count,
      ...(fault ? { fault } : {}),
    });
  };
}

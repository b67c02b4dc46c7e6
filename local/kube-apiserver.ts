/**
 * A stand-in for one cluster's Kubernetes API server: HTTPS on loopback with the cluster's rendered
 * apiserver certificate, requiring a client certificate signed by the cluster CA (as kube-apiserver
 * with --client-ca-file does), serving health (/healthz, /livez, /readyz), /version, the legacy
 * discovery documents and read-only nodes, enough for `kubectl get nodes` and kaws's health check.
 * Everything else is answered with a Kubernetes Status, never silently.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { nodeTable } from '../lib/kube/nodes.ts';
import type { KubeNode, NodeList, Status } from '../lib/kube/types.ts';

export interface StandInTls {
  caCertificatePem: string;
  certificatePem: string;
  privateKeyPem: string;
}

export interface KubeApiStandInOptions {
  clusterName: string;
  /** e.g. `v1.31.2`; what /version and the nodes' kubelets report. */
  kubernetesVersion: string;
  tls: StandInTls;
  /** The cluster's nodes now (asked on every request). */
  nodes: () => Promise<KubeNode[]>;
  now?: () => Date;
  /** Default 0: a free port. */
  port?: number;
}

export interface KubeApiStandIn {
  clusterName: string;
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Serves with new credentials from the next connection on (a re-rendered certificate). */
  updateTls(tls: StandInTls): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const HEALTH_CHECKS = ['ping', 'log', 'etcd', 'informer-sync', 'poststarthook/start-apiserver'];

function status(code: number, reason: string, message: string): Status {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason, code };
}

interface Reply {
  code: number;
  body: string;
  contentType: string;
}

const jsonReply = (code: number, body: unknown): Reply => ({
  code,
  body: JSON.stringify(body),
  contentType: 'application/json',
});
const failure = (code: number, reason: string, message: string) =>
  jsonReply(code, status(code, reason, message));

/** A label selector of equality terms: `k=v`, `k==v`, `k!=v`, `k`, `!k` (comma = and). */
export function parseLabelSelector(
  selector: string,
): ((labels: Record<string, string>) => boolean) | undefined {
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const tests: Array<(labels: Record<string, string>) => boolean> = [];
  for (const term of terms) {
    const match = /^(!?)([A-Za-z0-9._/-]+)(?:\s*(==|=|!=)\s*([A-Za-z0-9._-]*))?$/.exec(term);
    if (!match) return undefined;
    const [, not, key = '', op, value = ''] = match;
    if (not && op) return undefined;
    if (not) tests.push((labels) => !(key in labels));
    else if (!op) tests.push((labels) => key in labels);
    else if (op === '!=') tests.push((labels) => labels[key] !== value);
    else tests.push((labels) => labels[key] === value);
  }
  return (labels) => tests.every((test) => test(labels));
}

/** kubectl asks for server-side printing with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...`. */
const wantsTable = (accept: string | undefined) =>
  (accept ?? '')
    .split(',')
    .some(
      (part) =>
        /;\s*as=Table/.test(part) && /;\s*g=meta\.k8s\.io/.test(part) && /;\s*v=v1(\s*;|$)/.test(part),
    );

function versionInfo(kubernetesVersion: string) {
  const [, major = '1', minor = '0'] = /^v?(\d+)\.(\d+)/.exec(kubernetesVersion) ?? [];
  return {
    major,
    minor,
    gitVersion: kubernetesVersion.startsWith('v') ? kubernetesVersion : `v${kubernetesVersion}`,
    gitCommit: 'kaws-local-stand-in',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: 'none',
    compiler: 'none',
    platform: 'linux/amd64',
  };
}

function healthReply(path: string, verbose: boolean): Reply {
  const name = path.slice(1);
  const body = verbose
    ? `${HEALTH_CHECKS.map((check) => `[+]${check} ok`).join('\n')}\n${name} check passed\n`
    : 'ok';
  return { code: 200, body, contentType: 'text/plain; charset=utf-8' };
}

/** Starts the stand-in; resolves once it listens. */
export async function startKubeApiStandIn(options: KubeApiStandInOptions): Promise<KubeApiStandIn> {
  const now = options.now ?? (() => new Date());
  let port = 0;

  const nodesReply = async (url: URL, accept: string | undefined, name?: string): Promise<Reply> => {
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      return failure(405, 'MethodNotAllowed', 'watch is not supported by the kaws local API server stand-in');
    }
    if (url.searchParams.get('fieldSelector')) {
      return failure(
        400,
        'BadRequest',
        'fieldSelector is not supported by the kaws local API server stand-in',
      );
    }
    const nodes = await options.nodes();
    if (name !== undefined) {
      const node = nodes.find((n) => n.metadata.name === name);
      if (!node) return failure(404, 'NotFound', `nodes "${name}" not found`);
      return wantsTable(accept) ? jsonReply(200, nodeTable([node], now(), '1')) : jsonReply(200, node);
    }
    const selector = url.searchParams.get('labelSelector');
    const matches = selector ? parseLabelSelector(selector) : () => true;
    if (!matches) {
      return failure(
        400,
        'BadRequest',
        `unable to parse requirement: labelSelector ${JSON.stringify(selector)} (the stand-in supports k=v, k!=v, k, !k)`,
      );
    }
    const selected = nodes.filter((node) => matches(node.metadata.labels ?? {}));
    if (wantsTable(accept)) return jsonReply(200, nodeTable(selected, now(), '1'));
    const list: NodeList = {
      apiVersion: 'v1',
      kind: 'NodeList',
      metadata: { resourceVersion: '1' },
      items: selected,
    };
    return jsonReply(200, list);
  };

  const route = async (request: IncomingMessage): Promise<Reply> => {
    const url = new URL(request.url ?? '/', `https://${HOST}`);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return failure(
        405,
        'MethodNotAllowed',
        `the kaws local API server stand-in is read-only (${request.method})`,
      );
    }
    const accept = request.headers.accept;
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      return healthReply(path, url.searchParams.has('verbose'));
    }
    if (path === '/version') return jsonReply(200, versionInfo(options.kubernetesVersion));
    if (path === '/api') {
      return jsonReply(200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${HOST}:${port}` }],
      });
    }
    if (path === '/apis') return jsonReply(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (path === '/api/v1') {
      return jsonReply(200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          {
            name: 'nodes',
            singularName: 'node',
            namespaced: false,
            kind: 'Node',
            verbs: ['get', 'list'],
            shortNames: ['no'],
          },
        ],
      });
    }
    if (path === '/api/v1/nodes') return nodesReply(url, accept);
    const node = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
    if (node?.[1]) return nodesReply(url, accept, decodeURIComponent(node[1]));
    return failure(404, 'NotFound', `the server could not find the requested resource (${path})`);
  };

  const server: Server = createServer(
    {
      key: options.tls.privateKeyPem,
      cert: options.tls.certificatePem,
      ca: options.tls.caCertificatePem,
      // kube-apiserver --client-ca-file: no certificate from the cluster CA, no TLS session.
      requestCert: true,
      rejectUnauthorized: true,
    },
    (request: IncomingMessage, response: ServerResponse) => {
      route(request)
        .catch((error: unknown) =>
          failure(
            500,
            'InternalError',
            `the stand-in could not list nodes: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
        .then((reply) => {
          const body = Buffer.from(reply.body, 'utf8');
          response.writeHead(reply.code, {
            'content-type': reply.contentType,
            'content-length': String(body.length),
            'cache-control': 'no-cache, private',
          });
          response.end(request.method === 'HEAD' ? undefined : body);
        });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    clusterName: options.clusterName,
    url: `https://${HOST}:${port}`,
    port,
    updateTls(tls) {
      server.setSecureContext({ key: tls.privateKeyPem, cert: tls.certificatePem, ca: tls.caCertificatePem });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

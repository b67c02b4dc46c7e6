/**
 * `kaws status [NAME] [--output text|json]`: one cluster (status, reason, API endpoint, current operation,
 * node pools) or, without NAME, every cluster. JSON is the API's own representation.
 */
import { type Command, Option } from 'commander';
import type {
  ClusterSummaryView,
  ClusterView,
  OperationView,
} from '../../../functions/shared/api-schemas.ts';
import type { ClusterSpec } from '../../../lib/spec/types.ts';
import { type ApiOptions, apiFrom, type KawsApi, segment, withApiOptions } from '../api-client.ts';
import { readCluster } from '../operation-progress.ts';

interface StatusOptions extends ApiOptions {
  output: 'text' | 'json';
}

async function allClusters(api: KawsApi): Promise<ClusterSummaryView[]> {
  const clusters: ClusterSummaryView[] = [];
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '100', ...(token ? { nextToken: token } : {}) });
    const page = (
      await api.request<{ items: ClusterSummaryView[]; nextToken?: string }>('GET', `/clusters?${query}`)
    ).body;
    clusters.push(...page.items);
    token = page.nextToken;
  } while (token);
  return clusters;
}

/** Rows as aligned columns. */
export function columns(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

function poolsOf(spec: ClusterSpec): string {
  return spec.worker.nodePools
    .map(
      (p) => `${p.name} ${p.count} x ${p.instanceType}${p.spotPrice ? ` (spot, max $${p.spotPrice}/h)` : ''}`,
    )
    .join(', ');
}

async function describeCluster(api: KawsApi, cluster: ClusterView): Promise<string> {
  const spec = cluster.spec as unknown as ClusterSpec;
  const rows: string[][] = [
    ['cluster', cluster.name],
    ['status', cluster.status],
  ];
  if (cluster.statusReason) rows.push(['reason', cluster.statusReason]);
  rows.push([
    'endpoint',
    cluster.outputs.apiEndpoint ?? `(not yet; https://${spec.apiEndpoints?.[0]?.dnsName ?? '?'})`,
  ]);
  if (cluster.currentOperation) {
    const { id, type } = cluster.currentOperation;
    const operation = (await api.request<OperationView>('GET', `/operations/${segment(id)}`)).body;
    const running = operation.steps.filter((s) => s.status === 'IN_PROGRESS').map((s) => s.name);
    rows.push([
      'operation',
      `${type} ${id} ${operation.status}${running.length ? ` (${running.join(', ')})` : ''}`,
    ]);
  }
  rows.push(
    [
      'spec',
      `version ${cluster.specVersion}, Kubernetes ${spec.kubernetesVersion ?? '?'}, ${spec.region ?? '?'}`,
    ],
    ['controllers', `${spec.controller?.count ?? '?'} x ${spec.controller?.instanceType ?? '?'}`],
    ['etcd', `${spec.etcd?.count ?? '?'} x ${spec.etcd?.instanceType ?? '?'}`],
    ['node pools', spec.worker ? poolsOf(spec) : '?'],
    ['created', `${cluster.createdAt} by ${cluster.createdBy}`],
    ['updated', `${cluster.updatedAt} by ${cluster.updatedBy}`],
  );
  return columns(rows);
}

export function register(program: Command): void {
  withApiOptions(
    program
      .command('status')
      .description("a cluster's status, API endpoint and current operation; every cluster without NAME")
      .argument('[name]', 'the cluster')
      .addOption(
        new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'),
      ),
  ).action(async (name: string | undefined, options: StatusOptions) => {
    const api = apiFrom(options);
    const print = (text: string) => {
      process.stdout.write(`${text}\n`);
    };
    if (name !== undefined) {
      const cluster = await readCluster(api, name);
      print(
        options.output === 'json' ? JSON.stringify(cluster, null, 2) : await describeCluster(api, cluster),
      );
      return;
    }
    const clusters = await allClusters(api);
    if (options.output === 'json') {
      print(JSON.stringify(clusters, null, 2));
      return;
    }
    if (clusters.length === 0) {
      print('no clusters');
      return;
    }
    print(
      columns([
        ['NAME', 'STATUS', 'OPERATION', 'UPDATED'],
        ...clusters.map((c) => [
          c.name,
          c.status,
          c.currentOperation ? `${c.currentOperation.type} ${c.currentOperation.id}` : '-',
          c.updatedAt,
        ]),
      ]),
    );
  });
}

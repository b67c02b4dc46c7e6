/**
 * `kaws nodepool add -f pool.yaml NAME` and `kaws nodepool remove NAME POOL [--allow-empty]`: one node pool
 * added or removed (POST/DELETE /clusters/{name}/nodepools), as an UPDATE operation that creates or deletes
 * that pool's stack only, followed until the cluster is ACTIVE again. The cluster's ETag is read first and
 * sent as If-Match, so a concurrent change is refused, never overwritten. Removal asks to confirm on a
 * terminal unless --force.
 */
import type { Command } from 'commander';
import type { OperationView } from '../../../functions/shared/api-schemas.ts';
import { type ApiOptions, apiFrom, type KawsApi, segment, withApiOptions } from '../api-client.ts';
import { readCluster } from '../operation-progress.ts';
import { readSpecFile } from '../read-spec.ts';
import { confirmOrRefuse, type FollowOptions, followUpdate, withFollowOptions } from './update.ts';

type Accepted = { operation: OperationView };

async function etagOf(api: KawsApi, name: string): Promise<string> {
  return `"${(await readCluster(api, name)).specVersion}"`;
}

export function register(program: Command): void {
  const nodepool = program.command('nodepool').description("add or remove one of a cluster's node pools");
  withApiOptions(
    withFollowOptions(
      nodepool
        .command('add')
        .description('add a node pool (as in cluster.yaml worker.nodePools[]) and create its stack')
        .argument('<name>', 'the cluster')
        .requiredOption('-f, --file <path>', 'the node pool, YAML or JSON ("-" reads standard input)'),
    ),
  ).action(async (name: string, options: ApiOptions & FollowOptions & { file: string }) => {
    const pool = await readSpecFile(options.file);
    const api = apiFrom(options);
    const accepted = await api.request<Accepted>('POST', `/clusters/${segment(name)}/nodepools`, {
      body: pool,
      contentType: 'application/yaml',
      headers: { 'if-match': await etagOf(api, name) },
    });
    await followUpdate(api, name, accepted.body.operation.id, options);
  });
  withApiOptions(
    withFollowOptions(
      nodepool
        .command('remove')
        .description('remove a node pool and delete its stack (its nodes go with it)')
        .argument('<name>', 'the cluster')
        .argument('<pool>', 'the node pool')
        .option('--allow-empty', 'allow removing the last node pool (the cluster is left without workers)')
        .option('--force', 'do not ask for confirmation (required without a terminal)'),
    ),
  ).action(
    async (
      name: string,
      pool: string,
      options: ApiOptions & FollowOptions & { allowEmpty?: boolean; force?: boolean },
    ) => {
      await confirmOrRefuse(
        `Remove node pool ${pool} of cluster ${name}, and its nodes?`,
        `remove node pool ${pool}`,
        options.force,
      );
      const api = apiFrom(options);
      const query = options.allowEmpty ? '?allowEmpty=true' : '';
      const accepted = await api.request<Accepted>(
        'DELETE',
        `/clusters/${segment(name)}/nodepools/${segment(pool)}${query}`,
        {
          headers: { 'if-match': await etagOf(api, name) },
        },
      );
      await followUpdate(api, name, accepted.body.operation.id, options);
    },
  );
}

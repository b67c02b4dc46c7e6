/**
 * `kaws local fault CLUSTER --pool POOL --not-ready | --clear`: the local-only fault switch of `npm start`
 * (POST /_local/clusters/{name}/nodepools/{pool}/fault): the pool's nodes turn NotReady on the cluster's
 * API server stand-in, so a health gate can be seen failing; --clear makes them Ready again. Refused
 * against anything but a local endpoint (a deployed kaws has no such switch).
 */
import { type Command, Option } from 'commander';
import { type ApiOptions, apiFrom, segment, withApiOptions } from '../api-client.ts';
import { CliError, EXIT_USAGE } from '../errors.ts';
import { write } from './update.ts';

interface FaultOptions extends ApiOptions {
  pool: string;
  notReady?: boolean;
  clear?: boolean;
  reason?: string;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function register(program: Command): void {
  const local = program
    .command('local')
    .description('drills against the local kaws of `npm start` (local only)');
  withApiOptions(
    local
      .command('fault')
      .description("make a node pool's nodes NotReady on the local API server stand-in, or Ready again")
      .argument('<cluster>', 'the cluster')
      .requiredOption('--pool <pool>', 'the node pool')
      .addOption(new Option('--not-ready', 'make the pool NotReady').conflicts('clear'))
      .addOption(new Option('--clear', 'make the pool Ready again').conflicts('notReady'))
      .option('--reason <reason>', 'the NotReady condition reason', 'KubeletNotReady'),
  ).action(async (cluster: string, options: FaultOptions) => {
    if (!options.notReady && !options.clear) throw new CliError('say --not-ready or --clear', EXIT_USAGE);
    const api = apiFrom(options);
    if (!LOCAL_HOSTS.has(api.endpoint.hostname)) {
      throw new CliError(
        `kaws local fault works only against the local kaws (npm start): ${api.endpoint.origin} is not local`,
        EXIT_USAGE,
      );
    }
    const answer = await api.request<{ desiredNodes?: number }>(
      'POST',
      `/_local/clusters/${segment(cluster)}/nodepools/${segment(options.pool)}/fault`,
      {
        body: JSON.stringify({
          notReady: Boolean(options.notReady),
          ...(options.notReady ? { reason: options.reason } : {}),
        }),
      },
    );
    write(
      options.notReady
        ? `kaws: node pool ${options.pool} of cluster ${cluster} is NotReady (${options.reason}) until \`kaws local fault ${cluster} --pool ${options.pool} --clear\``
        : `kaws: node pool ${options.pool} of cluster ${cluster} is Ready again`,
    );
    if (options.notReady && answer.body.desiredNodes === 0) {
      write(
        `kaws: warning: node pool ${options.pool} has no nodes (count 0): nothing can be NotReady, so no health ` +
          'gate will fail on it; give it nodes (count) in the spec you update to',
      );
    }
  });
}

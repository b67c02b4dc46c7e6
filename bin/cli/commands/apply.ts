/**
 * `kaws apply [-f cluster.yaml] [--force]`: create the cluster when it does not exist (as `kaws up`),
 * update it when it does (as `kaws update`: plan, confirm, roll). Exit 0 only when it ends ACTIVE.
 */
import type { Command } from 'commander';
import { type ApiOptions, ApiProblemError, apiFrom, withApiOptions } from '../api-client.ts';
import { CliError } from '../errors.ts';
import { parseDuration, readCluster, watchOperation } from '../operation-progress.ts';
import { readSpecFile } from '../read-spec.ts';
import { failureOf, submit } from './up.ts';
import { clusterNameOf, type FollowOptions, updateCluster, withFollowOptions, write } from './update.ts';

interface ApplyOptions extends ApiOptions, FollowOptions {
  file: string;
  force?: boolean;
}

/** Whether the cluster exists (and is not DELETED). */
async function exists(api: ReturnType<typeof apiFrom>, name: string): Promise<boolean> {
  try {
    return (await readCluster(api, name)).status !== 'DELETED';
  } catch (error) {
    if (error instanceof ApiProblemError && error.status === 404) return false;
    throw error;
  }
}

export function register(program: Command): void {
  withApiOptions(
    withFollowOptions(
      program
        .command('apply')
        .description('create the cluster of a cluster.yaml, or update it to the file when it exists')
        .option('-f, --file <path>', 'the cluster spec ("-" reads standard input)', 'cluster.yaml')
        .option('--force', 'do not ask to confirm an update (required without a terminal)'),
    ),
  ).action(async (options: ApplyOptions) => {
    const spec = await readSpecFile(options.file);
    const name = clusterNameOf(spec, options.file);
    const api = apiFrom(options);
    if (await exists(api, name)) {
      await updateCluster(api, name, spec, options);
      return;
    }
    const accepted = await submit(api, spec, write);
    if (!options.wait) return;
    const operation = await watchOperation(api, accepted.operation.id, {
      intervalMs: parseDuration(options.interval, '--interval'),
      timeoutMs: parseDuration(options.timeout, '--timeout'),
      write,
    });
    if (operation.status === 'FAILED') {
      throw new CliError(`cluster ${name}: operation ${operation.id} failed: ${failureOf(operation)}`);
    }
    const cluster = await readCluster(api, name);
    if (cluster.status !== 'ACTIVE') throw new CliError(`cluster ${name} is ${cluster.status}, not ACTIVE`);
    write(`kaws: cluster ${name} is ACTIVE`);
  });
}

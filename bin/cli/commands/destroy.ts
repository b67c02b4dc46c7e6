/**
 * `kaws destroy NAME [--force] [--no-wait]`: deletes the cluster and everything it created, then follows
 * the DELETE operation until the cluster is DELETED (exit 0) or the operation fails (exit 1). Asks you to
 * type the cluster's name unless --force; with no terminal to ask on and no --force, refuses (exit 2).
 * Destroying a cluster that is already being deleted follows that deletion; an already DELETED one is done.
 */
import { createInterface } from 'node:readline/promises';
import { type Command, Option } from 'commander';
import type { ClusterView, OperationView } from '../../../functions/shared/api-schemas.ts';
import {
  type ApiOptions,
  ApiProblemError,
  apiFrom,
  type KawsApi,
  segment,
  withApiOptions,
} from '../api-client.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from '../errors.ts';
import { parseDuration, readCluster, watchOperation } from '../operation-progress.ts';
import { failureOf } from './up.ts';

interface DestroyOptions extends ApiOptions {
  force?: boolean;
  wait: boolean;
  timeout: string;
  interval: string;
}

async function confirm(name: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(
      `Destroy cluster ${name} and everything it created (stacks, instances, credentials)?\n` +
        `Type the cluster's name to confirm: `,
    );
    return answer.trim() === name;
  } finally {
    prompt.close();
  }
}

/** The DELETE operation to follow: a new one, or the one already deleting the cluster; undefined when DELETED. */
async function requestDelete(api: KawsApi, name: string): Promise<string | undefined> {
  try {
    const accepted = await api.request<{ cluster: ClusterView; operation: OperationView }>(
      'DELETE',
      `/clusters/${segment(name)}`,
    );
    return accepted.body.operation.id;
  } catch (error) {
    if (!(error instanceof ApiProblemError) || error.status !== 409) throw error;
    const current = error.problem.currentOperation;
    if (current?.type === 'DELETE') return current.id;
    if (error.slug === 'illegal-transition' && error.problem.clusterStatus === 'DELETED') return undefined;
    throw error;
  }
}

export function register(program: Command): void {
  withApiOptions(
    program
      .command('destroy')
      .description('delete a cluster and everything it created, and wait until it is DELETED')
      .argument('<name>', 'the cluster')
      .option('--force', 'do not ask for confirmation (required without a terminal)')
      .option('--no-wait', 'return once the delete is accepted')
      .option('--timeout <duration>', 'how long to follow the operation', '60m')
      .addOption(new Option('--interval <duration>', 'how often to poll').default('1s').hideHelp()),
  ).action(async (name: string, options: DestroyOptions) => {
    const timeoutMs = parseDuration(options.timeout, '--timeout');
    const intervalMs = parseDuration(options.interval, '--interval');
    const write = (line: string) => process.stdout.write(`${line}\n`);
    if (!options.force) {
      if (!process.stdin.isTTY) {
        throw new CliError(
          `refusing to destroy ${name} without confirmation: no terminal to ask on; pass --force`,
          EXIT_USAGE,
        );
      }
      if (!(await confirm(name)))
        throw new CliError(`not destroying ${name}: the name was not confirmed`, EXIT_FAILED);
    }
    const api = apiFrom(options);
    const operationId = await requestDelete(api, name);
    if (operationId === undefined) {
      write(`kaws: cluster ${name} is already DELETED`);
      return;
    }
    write(`kaws: destroying cluster ${name}: operation ${operationId}`);
    if (!options.wait) return;
    const operation = await watchOperation(api, operationId, { intervalMs, timeoutMs, write });
    if (operation.status === 'FAILED') {
      throw new CliError(`cluster ${name}: operation ${operation.id} failed: ${failureOf(operation)}`);
    }
    const cluster = await readCluster(api, name);
    if (cluster.status !== 'DELETED') throw new CliError(`cluster ${name} is ${cluster.status}, not DELETED`);
    write(`kaws: cluster ${name} is DELETED`);
  });
}

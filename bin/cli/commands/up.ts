/**
 * `kaws up [-f cluster.yaml] [--no-wait]`: creates the cluster through the API and follows its operation
 * (steps, stacks, health) until the cluster is ACTIVE (exit 0) or the operation fails (exit 1).
 *
 * The request carries an Idempotency-Key derived from the spec's bytes, so running `kaws up` again (after
 * a lost response, a Ctrl-C) follows the same operation instead of creating twice. Once that cluster has
 * been destroyed, the key moves on (derived from the spec and the replayed operation), so the same file
 * creates it anew.
 */
import { createHash } from 'node:crypto';
import { type Command, Option } from 'commander';
import type { ClusterView, OperationView } from '../../../functions/shared/api-schemas.ts';
import { type ApiOptions, apiFrom, type KawsApi, segment, withApiOptions } from '../api-client.ts';
import { CliError } from '../errors.ts';
import { parseDuration, readCluster, watchOperation } from '../operation-progress.ts';
import { readSpecFile } from '../read-spec.ts';

interface UpOptions extends ApiOptions {
  file: string;
  wait: boolean;
  timeout: string;
  interval: string;
}

interface Accepted {
  cluster: ClusterView;
  operation: OperationView;
}

/** The Idempotency-Key of a spec; `after` = the operation a replay returned for a since-destroyed cluster. */
export function upIdempotencyKey(spec: Uint8Array, after?: string): string {
  const hash = createHash('sha256').update(spec);
  if (after) hash.update(`\0after:${after}`);
  return `kaws-up-${hash.digest('hex').slice(0, 48)}`;
}

/** The cluster's newest CREATE operation's id (operations are listed newest first). */
async function newestCreate(api: KawsApi, name: string): Promise<string | undefined> {
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '100', ...(token ? { nextToken: token } : {}) });
    const page = (
      await api.request<{ items: OperationView[]; nextToken?: string }>(
        'GET',
        `/clusters/${segment(name)}/operations?${query}`,
      )
    ).body;
    const create = page.items.find((operation) => operation.type === 'CREATE');
    if (create) return create.id;
    token = page.nextToken;
  } while (token);
  return undefined;
}

/**
 * The create this spec stands for: a new one, or the one a previous `kaws up` of it started. A replayed
 * create is followed only while it is still the cluster's newest create and the cluster is not DELETED;
 * otherwise the key moves on (spec + the replayed operation), which replays the next `kaws up` of the
 * same file or, at the end of that chain, creates the cluster anew.
 */
export async function submit(api: KawsApi, spec: Buffer, write: (line: string) => void): Promise<Accepted> {
  let key = upIdempotencyKey(spec);
  // Each incarnation of the cluster moves the key on once; the bound only guards against a loop.
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await api.request<Accepted>('POST', '/clusters', {
      body: spec,
      contentType: 'application/yaml',
      headers: { 'idempotency-key': key },
    });
    const accepted = response.body;
    if (response.headers.get('idempotent-replayed') !== 'true') {
      write(`kaws: creating cluster ${accepted.cluster.name}: operation ${accepted.operation.id}`);
      return accepted;
    }
    const name = accepted.cluster.name;
    const cluster = await readCluster(api, name);
    if (cluster.status !== 'DELETED' && (await newestCreate(api, name)) === accepted.operation.id) {
      write(
        `kaws: this spec was already submitted: following cluster ${name}'s operation ${accepted.operation.id}`,
      );
      return accepted;
    }
    key = upIdempotencyKey(spec, accepted.operation.id);
  }
  throw new CliError('this spec was created and destroyed too many times in 24 hours; change it or wait');
}

/** Why an operation failed, in one line: its error, and its failed step. */
export function failureOf(operation: OperationView): string {
  const failedStep = operation.steps.find((s) => s.status === 'FAILED');
  const error = operation.error ? `${operation.error.code}: ${operation.error.message}` : 'no reason given';
  return failedStep && !error.includes(failedStep.name) ? `${error} (step ${failedStep.name})` : error;
}

export function register(program: Command): void {
  withApiOptions(
    program
      .command('up')
      .description('create the cluster of a cluster.yaml and follow it until it is ACTIVE')
      .option('-f, --file <path>', 'the cluster spec ("-" reads standard input)', 'cluster.yaml')
      .option('--no-wait', 'return once the create is accepted (prints the operation id)')
      .option('--timeout <duration>', 'how long to follow the operation', '60m')
      .addOption(new Option('--interval <duration>', 'how often to poll').default('1s').hideHelp()),
  ).action(async (options: UpOptions) => {
    const timeoutMs = parseDuration(options.timeout, '--timeout');
    const intervalMs = parseDuration(options.interval, '--interval');
    const write = (line: string) => process.stdout.write(`${line}\n`);
    const api = apiFrom(options);
    const spec = await readSpecFile(options.file);
    const accepted = await submit(api, spec, write);
    const name = accepted.cluster.name;
    if (!options.wait) {
      write(`kaws: follow it with \`kaws status ${name}\` or \`kaws events ${name} --follow\``);
      return;
    }
    const started = Date.now();
    const operation = await watchOperation(api, accepted.operation.id, { intervalMs, timeoutMs, write });
    if (operation.status === 'FAILED') {
      throw new CliError(`cluster ${name}: operation ${operation.id} failed: ${failureOf(operation)}`);
    }
    const cluster = await readCluster(api, name);
    if (cluster.status !== 'ACTIVE') {
      throw new CliError(
        `cluster ${name} is ${cluster.status}, not ACTIVE${cluster.statusReason ? `: ${cluster.statusReason}` : ''}`,
      );
    }
    const endpoint = cluster.outputs.apiEndpoint;
    write(
      `kaws: cluster ${name} is ACTIVE after ${Math.round((Date.now() - started) / 1000)}s` +
        `${endpoint ? `; API endpoint ${endpoint}` : ''}`,
    );
    write(`kaws: \`kaws kubeconfig ${name} > kubeconfig\` for kubectl access`);
  });
}

/**
 * `kaws update [-f cluster.yaml] [--force]`: shows the plan (POST /clusters/{name}/plan: what changes,
 * the pools' roll order, certificates reissued), asks to confirm on a terminal unless --force, applies it
 * (PUT with If-Match = the spec version the plan compared with) and shows the roll live, pool by pool.
 * Exit 0 only when the cluster ends ACTIVE; a failed roll exits 1 naming the pool and why.
 *
 * The plan, the confirmation and the follow-up are shared with `kaws apply`, `kaws diff` and
 * `kaws nodepool`.
 */
import { createInterface } from 'node:readline/promises';
import { type Command, Option } from 'commander';
import type { ClusterView, OperationView } from '../../../functions/shared/api-schemas.ts';
import type { ClusterPlan } from '../../../lib/service/plan.ts';
import { validateClusterSpec } from '../../../lib/spec/index.ts';
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
import { readSpecFile } from '../read-spec.ts';
import { failureOf } from './up.ts';

export interface FollowOptions {
  wait: boolean;
  timeout: string;
  interval: string;
}

interface UpdateOptions extends ApiOptions, FollowOptions {
  file: string;
  force?: boolean;
}

export const write = (line: string) => process.stdout.write(`${line}\n`);

/** Adds --no-wait, --timeout and the hidden --interval to a verb that follows an operation. */
export function withFollowOptions(command: Command): Command {
  return command
    .option('--no-wait', 'return once the operation is accepted')
    .option('--timeout <duration>', 'how long to follow the operation', '60m')
    .addOption(new Option('--interval <duration>', 'how often to poll').default('1s').hideHelp());
}

/** The cluster name of a spec file's bytes, or a refusal naming every problem (exit 1). */
export function clusterNameOf(spec: Uint8Array, file: string): string {
  const result = validateClusterSpec(spec);
  if (!result.valid || !result.spec) {
    const lines = result.errors.map((e) => `  ${e.path || '(document)'}: ${e.message}`);
    throw new CliError([`${file} is not a valid cluster spec:`, ...lines].join('\n'), EXIT_FAILED);
  }
  return result.spec.clusterName;
}

/** POST /clusters/{name}/plan. */
export async function planFor(api: KawsApi, name: string, spec: Uint8Array): Promise<ClusterPlan> {
  return (
    await api.request<ClusterPlan>('POST', `/clusters/${segment(name)}/plan`, {
      body: spec,
      contentType: 'application/yaml',
    })
  ).body;
}

const changes = (plan: ClusterPlan) =>
  plan.stacks.filter((s) => s.action !== 'unchanged').length + plan.removedNodePools.length;

/** The plan as a person reads it. */
export function planLines(plan: ClusterPlan): string[] {
  if (!plan.valid) {
    return [
      `kaws: the spec is not valid for cluster ${plan.clusterName}:`,
      ...plan.errors.map((e) => `  ${e.path || '(document)'}: ${e.message}`),
    ];
  }
  const width = Math.max(...plan.stacks.map((s) => s.name.length), 10);
  const stacks = plan.stacks.map((s) => {
    const resources = [
      ...s.resources.added.map((id) => `+${id}`),
      ...s.resources.removed.map((id) => `-${id}`),
      ...s.resources.modified.map((id) => `~${id}`),
    ];
    const why =
      s.action === 'unchanged'
        ? ''
        : `  ${s.reasons.join(', ')}${resources.length ? ` (${resources.join(' ')})` : ''}`;
    return `    ${s.name.padEnd(width)}  ${s.action}${why}`;
  });
  return [
    `kaws: plan for cluster ${plan.clusterName} (spec version ${plan.currentSpecVersion}; stack changes by ${plan.backend})`,
    `  certificates: ${plan.certificates.length === 0 ? 'none reissued' : plan.certificates.map((c) => `${c.asset} (${c.reason})`).join('; ')}`,
    '  stacks:',
    ...stacks,
    `  node pools roll in this order: ${plan.nodePoolRoll.length ? plan.nodePoolRoll.join(', ') : 'none'}`,
    ...(plan.removedNodePools.length ? [`  node pools removed: ${plan.removedNodePools.join(', ')}`] : []),
    ...plan.warnings.map((w) => `  warning: ${w.path ? `${w.path}: ` : ''}${w.message}`),
    changes(plan) === 0 ? '  nothing to change' : `  ${changes(plan)} change(s)`,
  ];
}

/** Asks on the terminal (unless --force); without a terminal, --force is required. */
export async function confirmOrRefuse(
  question: string,
  what: string,
  force: boolean | undefined,
): Promise<void> {
  if (force) return;
  if (!process.stdin.isTTY) {
    throw new CliError(
      `refusing to ${what} without confirmation: no terminal to ask on; pass --force`,
      EXIT_USAGE,
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new CliError(`not going to ${what}: not confirmed`, EXIT_FAILED);
  } finally {
    prompt.close();
  }
}

/** How each node pool's roll ended, from the operation's steps. */
export function rollSummary(operation: OperationView): string[] {
  return operation.steps
    .filter((s) => s.name.startsWith('roll-node-pool:'))
    .map((s) => {
      const pool = s.name.slice('roll-node-pool:'.length);
      const outcome =
        s.status === 'SUCCEEDED' ? 'rolled, gate passed' : s.status === 'FAILED' ? 'FAILED' : s.status;
      return `  node pool ${pool}: ${outcome}`;
    });
}

/** Follows an UPDATE operation to its end; exit 0 only when the cluster is ACTIVE. */
export async function followUpdate(
  api: KawsApi,
  name: string,
  operationId: string,
  options: FollowOptions,
): Promise<void> {
  write(`kaws: updating cluster ${name}: operation ${operationId}`);
  if (!options.wait) {
    write(`kaws: follow it with \`kaws status ${name}\` or \`kaws events ${name} --follow\``);
    return;
  }
  const started = Date.now();
  const operation = await watchOperation(api, operationId, {
    intervalMs: parseDuration(options.interval, '--interval'),
    timeoutMs: parseDuration(options.timeout, '--timeout'),
    write,
  });
  for (const line of rollSummary(operation)) write(line);
  const cluster: ClusterView = await readCluster(api, name);
  if (operation.status === 'FAILED') {
    throw new CliError(
      `cluster ${name} is ${cluster.status}: operation ${operation.id} failed: ${failureOf(operation)}`,
    );
  }
  if (cluster.status !== 'ACTIVE') {
    throw new CliError(
      `cluster ${name} is ${cluster.status}, not ACTIVE${cluster.statusReason ? `: ${cluster.statusReason}` : ''}`,
    );
  }
  write(`kaws: cluster ${name} is ACTIVE after ${Math.round((Date.now() - started) / 1000)}s`);
}

/** Plan, confirm, PUT, follow: the update of an existing cluster to `spec`. */
export async function updateCluster(
  api: KawsApi,
  name: string,
  spec: Uint8Array,
  options: FollowOptions & { force?: boolean },
): Promise<void> {
  const plan = await planFor(api, name, spec);
  for (const line of planLines(plan)) write(line);
  if (!plan.valid) throw new CliError('', EXIT_FAILED);
  if (changes(plan) === 0) {
    write(`kaws: cluster ${name} already runs this spec: nothing to update`);
    return;
  }
  await confirmOrRefuse(`Apply this update to cluster ${name}?`, `update ${name}`, options.force);
  let accepted: { operation: OperationView };
  try {
    accepted = (
      await api.request<{ operation: OperationView }>('PUT', `/clusters/${segment(name)}`, {
        body: spec,
        contentType: 'application/yaml',
        // The version the plan compared with: a change in between is refused (412), never overwritten.
        headers: { 'if-match': `"${plan.currentSpecVersion}"` },
      })
    ).body;
  } catch (error) {
    if (error instanceof ApiProblemError && error.status === 412) {
      throw new CliError(
        `cluster ${name} changed since the plan was made: run the command again to see the new plan`,
      );
    }
    throw error;
  }
  await followUpdate(api, name, accepted.operation.id, options);
}

export function register(program: Command): void {
  withApiOptions(
    withFollowOptions(
      program
        .command('update')
        .description(
          'update a cluster to a cluster.yaml: show the plan, confirm, roll the node pools one at a time',
        )
        .option('-f, --file <path>', 'the cluster spec ("-" reads standard input)', 'cluster.yaml')
        .option('--force', 'do not ask for confirmation (required without a terminal)'),
    ),
  ).action(async (options: UpdateOptions) => {
    const spec = await readSpecFile(options.file);
    const name = clusterNameOf(spec, options.file);
    const api = apiFrom(options);
    await readCluster(api, name);
    await updateCluster(api, name, spec, options);
  });
}

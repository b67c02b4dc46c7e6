/**
 * Following an operation from the CLI: polls GET /operations/{id} and prints a line whenever the
 * operation or one of its steps changes (status, progress, message), until it succeeds or fails.
 */
import type { ClusterView, OperationView } from '../../functions/shared/api-schemas.ts';
import { ApiProblemError, type KawsApi, segment } from './api-client.ts';
import { CliError } from './errors.ts';

export interface WatchOptions {
  intervalMs: number;
  timeoutMs: number;
  /** Where progress lines go. */
  write: (line: string) => void;
  now?: () => number;
}

const time = (iso?: string) => (iso ? iso.slice(11, 19) : new Date().toISOString().slice(11, 19));

type Step = OperationView['steps'][number];

function stepLine(step: Step, width: number): string {
  const progress = step.progress ? ` ${step.progress.done}/${step.progress.total}` : '';
  const at = step.status === 'SUCCEEDED' || step.status === 'FAILED' ? step.finishedAt : step.startedAt;
  const message = step.message ? `  ${step.message}` : '';
  return `  ${time(at)}  ${step.name.padEnd(width)}  ${step.status}${progress}${message}`;
}

const stepKey = (step: Step) => JSON.stringify([step.status, step.progress, step.message]);

/** Transient trouble while polling (a restart of the local server, a 5xx) is retried this many times. */
const TRANSIENT_POLL_FAILURES = 5;

/** Polls the operation until it is SUCCEEDED or FAILED (or the timeout passes, which throws). */
export async function watchOperation(
  api: KawsApi,
  operationId: string,
  options: WatchOptions,
): Promise<OperationView> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const seen = new Map<string, string>();
  let lastStatus = '';
  let failures = 0;
  // Step names grow as stacks start; the column only ever widens.
  let width = 20;
  for (;;) {
    let operation: OperationView;
    try {
      operation = (await api.request<OperationView>('GET', `/operations/${segment(operationId)}`)).body;
      failures = 0;
    } catch (error) {
      const transient = !(error instanceof ApiProblemError) || error.status >= 500;
      if (!transient || ++failures > TRANSIENT_POLL_FAILURES) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
      continue;
    }
    width = Math.max(width, ...operation.steps.map((s) => s.name.length));
    for (const step of operation.steps) {
      const key = stepKey(step);
      if (seen.get(step.name) === key) continue;
      seen.set(step.name, key);
      options.write(stepLine(step, width));
    }
    if (operation.status !== lastStatus) {
      lastStatus = operation.status;
      options.write(`  ${time(operation.updatedAt)}  operation ${operation.type} ${operation.status}`);
    }
    if (operation.status === 'SUCCEEDED' || operation.status === 'FAILED') return operation;
    if (now() >= deadline) {
      throw new CliError(
        `operation ${operationId} is still ${operation.status} after ${Math.round(options.timeoutMs / 1000)}s; ` +
          `it goes on: follow it with \`kaws status ${operation.clusterName}\``,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

/** The cluster, read after an operation ends. */
export async function readCluster(api: KawsApi, name: string): Promise<ClusterView> {
  return (await api.request<ClusterView>('GET', `/clusters/${segment(name)}`)).body;
}

/** Parses `90s`, `10m`, `1h`, or milliseconds-free seconds (`600`) into milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d{1,7})(s|m|h)?$/.exec(text.trim());
  if (!match)
    throw new CliError(`${option} ${JSON.stringify(text)} is not a duration (600, 90s, 10m, 1h)`, 2);
  const unit = { s: 1, m: 60, h: 3600 }[(match[2] ?? 's') as 's' | 'm' | 'h'];
  return Number(match[1]) * unit * 1000;
}

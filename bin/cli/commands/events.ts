/**
 * `kaws events NAME [--follow] [--output text|json]`: the cluster's history, oldest first: every event with
 * its type, time, operation, status change or step, reason, and for node pool events the pool's name.
 * `--follow` keeps polling for new events until interrupted (JSON then comes one object per line).
 */
import { type Command, Option } from 'commander';
import type { ClusterEventView } from '../../../functions/shared/api-schemas.ts';
import { stackNames } from '../../../lib/render/naming.ts';
import { type ApiOptions, apiFrom, type KawsApi, segment, withApiOptions } from '../api-client.ts';
import { parseDuration } from '../operation-progress.ts';

interface EventsOptions extends ApiOptions {
  follow?: boolean;
  output: 'text' | 'json';
  interval: string;
}

export type EventLine = ClusterEventView & { pool?: string };

/**
 * The node pool a step is about: `deploy-stack:<cluster>-nodepool-<pool>` (and delete-stack:...), or a
 * step named `<action>-node-pool:<pool>` (rolls).
 */
export function poolOfStep(cluster: string, step: string | undefined): string | undefined {
  if (!step) return undefined;
  const separator = step.indexOf(':');
  if (separator < 0) return undefined;
  const action = step.slice(0, separator);
  const subject = step.slice(separator + 1);
  if (action.endsWith('-node-pool')) return subject || undefined;
  const prefix = stackNames.nodePool(cluster, '');
  return subject.startsWith(prefix) && subject.length > prefix.length
    ? subject.slice(prefix.length)
    : undefined;
}

const withPool = (event: ClusterEventView): EventLine => {
  const pool = poolOfStep(event.clusterName, event.step);
  return pool ? { ...event, pool } : event;
};

export function eventText(event: EventLine): string {
  const change =
    event.previousStatus || event.newStatus
      ? `${event.previousStatus ?? '(none)'} -> ${event.newStatus ?? '?'}`
      : '';
  const detail = [
    change,
    event.step ? `step ${event.step}` : '',
    event.pool ? `pool ${event.pool}` : '',
    event.reason ? `: ${event.reason}` : '',
  ]
    .filter(Boolean)
    .join('  ')
    .replace(/ {2}: /, ': ');
  return `${event.time}  ${event.type.padEnd(19)}  ${event.operationType.padEnd(6)}  ${detail}`;
}

/** Events newer than `afterId` (all when undefined), oldest first. Ids are ULIDs: they sort by time. */
async function eventsAfter(
  api: KawsApi,
  cluster: string,
  afterId: string | undefined,
): Promise<ClusterEventView[]> {
  const newer: ClusterEventView[] = [];
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '100', ...(token ? { nextToken: token } : {}) });
    const page = (
      await api.request<{ items: ClusterEventView[]; nextToken?: string }>(
        'GET',
        `/clusters/${segment(cluster)}/events?${query}`,
      )
    ).body;
    const fresh = afterId === undefined ? page.items : page.items.filter((e) => e.id > afterId);
    newer.push(...fresh);
    // Newest first: once a page reaches what was already seen, the rest is older still.
    token = fresh.length === page.items.length ? page.nextToken : undefined;
  } while (token);
  return newer.reverse();
}

export function register(program: Command): void {
  withApiOptions(
    program
      .command('events')
      .description("a cluster's history, oldest first (with --follow, new events as they happen)")
      .argument('<name>', 'the cluster')
      .option('-f, --follow', 'keep printing new events until interrupted')
      .addOption(
        new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'),
      )
      .addOption(new Option('--interval <duration>', 'how often --follow polls').default('2s').hideHelp()),
  ).action(async (name: string, options: EventsOptions) => {
    const api = apiFrom(options);
    const intervalMs = parseDuration(options.interval, '--interval');
    const write = (text: string) => process.stdout.write(`${text}\n`);
    const initial = (await eventsAfter(api, name, undefined)).map(withPool);
    if (!options.follow) {
      if (options.output === 'json') write(JSON.stringify(initial, null, 2));
      else for (const event of initial) write(eventText(event));
      return;
    }
    const print = (event: EventLine) =>
      write(options.output === 'json' ? JSON.stringify(event) : eventText(event));
    initial.forEach(print);
    let last = initial.at(-1)?.id;
    let stopped = false;
    process.once('SIGINT', () => {
      stopped = true;
    });
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      const fresh = (await eventsAfter(api, name, last)).map(withPool);
      fresh.forEach(print);
      last = fresh.at(-1)?.id ?? last;
    }
  });
}

/**
 * `kaws events`, the real CLI against the local API (operations driven through the store as a workflow
 * drives them): the history oldest first with type, time, status change, step and, for node pool steps,
 * the pool's name, in text and JSON; --follow prints new events as they happen; the pool is read from
 * the step name (unit).
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolOfStep } from '../../bin/cli/commands/events.ts';
import { stackNames } from '../../lib/render/naming.ts';
import { type CliApi, kaws, specFile, startCliApi, startKaws } from '../kube/cli-support.ts';
import { uniqueName } from '../kube/support.ts';

interface EventLine {
  id: string;
  type: string;
  time: string;
  operationType: string;
  previousStatus?: string;
  newStatus?: string;
  step?: string;
  reason?: string;
  pool?: string;
}

describe('poolOfStep', () => {
  it.each([
    ['deploy-stack:prod-east-nodepool-gpu', 'gpu'],
    ['delete-stack:prod-east-nodepool-spot-2', 'spot-2'],
    ['roll-node-pool:general', 'general'],
    ['deploy-stack:prod-east-control-plane', undefined],
    ['deploy-stack:other-nodepool-gpu', undefined],
    ['check-health', undefined],
    [undefined, undefined],
  ])('%s -> %s', (step, pool) => {
    expect(poolOfStep('prod-east', step)).toBe(pool);
  });
});

describe('kaws events', () => {
  let api: CliApi;
  const name = uniqueName('events');
  let operationId = '';
  const step = async (stepName: string, status: 'IN_PROGRESS' | 'SUCCEEDED', message?: string) =>
    api.store.recordStep({
      operationId,
      now: new Date(),
      eventId: ulid(),
      historyEvent: true,
      step: { name: stepName, status, ...(message ? { message } : {}) },
    });

  beforeAll(async () => {
    api = await startCliApi('pending');
    const run = await kaws(api, ['up', '-f', await specFile(api, name), '--no-wait']);
    operationId = /operation ([0-9A-Z]{26})/.exec(run.stdout)?.[1] ?? '';
    await api.store.startOperation({ operationId, now: new Date(), eventId: ulid() });
    await step(`deploy-stack:${stackNames.controlPlane(name)}`, 'SUCCEEDED', 'CREATE_COMPLETE');
    await step(`deploy-stack:${stackNames.nodePool(name, 'gpu')}`, 'SUCCEEDED', 'CREATE_COMPLETE');
  });
  afterAll(() => api?.close());

  it('prints the history oldest first, with the pool of node pool events', async () => {
    const run = await kaws(api, ['events', name]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    const time = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    expect(lines[0]).toMatch(
      new RegExp(`^${time} {2}OPERATION_REQUESTED {2}CREATE {2}\\(none\\) -> CREATE_PENDING$`),
    );
    expect(lines[1]).toMatch(
      new RegExp(`^${time} {2}OPERATION_STARTED {4}CREATE {2}CREATE_PENDING -> CREATE_IN_PROGRESS$`),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^${time} {2}STEP_PROGRESS {8}CREATE {2}step deploy-stack:${name}-control-plane: CREATE_COMPLETE$`,
      ),
    );
    expect(lines[3]).toMatch(
      new RegExp(
        `^${time} {2}STEP_PROGRESS {8}CREATE {2}step deploy-stack:${name}-nodepool-gpu {2}pool gpu: CREATE_COMPLETE$`,
      ),
    );
  });

  it('--output json: every event with its type and time, and pool for node pool events', async () => {
    const run = await kaws(api, ['events', name, '--output', 'json']);
    const events = JSON.parse(run.stdout) as EventLine[];
    expect(events.map((e) => [e.type, e.pool])).toEqual([
      ['OPERATION_REQUESTED', undefined],
      ['OPERATION_STARTED', undefined],
      ['STEP_PROGRESS', undefined],
      ['STEP_PROGRESS', 'gpu'],
    ]);
    for (const event of events) expect(Date.parse(event.time)).not.toBeNaN();
    expect([...events].sort((a, b) => a.id.localeCompare(b.id))).toEqual(events);
  });

  it('--follow: prints what happens next, as it happens, until interrupted', async () => {
    const follow = startKaws(api, ['events', name, '--follow', '--output', 'json', '--interval', '1']);
    try {
      await follow.waitFor(/"pool":"gpu"/);
      await step(`deploy-stack:${stackNames.nodePool(name, 'general')}`, 'SUCCEEDED', 'CREATE_COMPLETE');
      await follow.waitFor(/"pool":"general"/, 30_000);
      await api.store.succeedOperation({ operationId, now: new Date(), eventId: ulid() });
      await follow.waitFor(/"newStatus":"ACTIVE"/, 30_000);
    } finally {
      follow.process.kill('SIGINT');
    }
    const code = await new Promise<number | null>((resolve) => follow.process.on('close', resolve));
    expect(code).toBe(0);
    const events = follow
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EventLine);
    expect(events.map((e) => e.type)).toEqual([
      'OPERATION_REQUESTED',
      'OPERATION_STARTED',
      'STEP_PROGRESS',
      'STEP_PROGRESS',
      'STEP_PROGRESS',
      'OPERATION_SUCCEEDED',
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('an unknown cluster is exit 1 with the API problem', async () => {
    const run = await kaws(api, ['events', 'no-such-cluster']);
    expect([run.code, run.stderr]).toEqual([1, 'kaws: Not Found: no cluster named no-such-cluster\n']);
  });
});

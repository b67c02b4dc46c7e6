/**
 * The update workflow on the local engine (the real ASL, step handlers, store, KMS, S3, CloudFormation
 * in the local cloud and the API server stand-in): node pools rolled one at a time behind health
 * gates, a failed gate stopping the roll and rolling that pool back, updates that change nothing or
 * one pool, and the Node Pool Roll Progress events.
 *
 * moto applies an UpdateStack at once and ignores UpdatePolicy: the roll's order and its gates are the
 * workflow's, which is what these tests check; CloudFormation's own rolling of instances is not.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackNames } from '../../lib/render/naming.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import { drainEvents, eventQueue, uniqueName, workflowHarness } from './support.ts';
import {
  gateClock,
  haWithSpotNodes,
  historyOf,
  NEW_TYPES,
  POOLS,
  poolLaunchState,
  rollLines,
  stackStatusHistory,
  withNewInstanceTypes,
} from './update-support.ts';

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);
const rollSchema = ajv.compile(
  JSON.parse(readFileSync('schemas/events/node-pool-roll-progress.json', 'utf8')),
);

/** The Node Pool Roll Progress events of `cluster` delivered to `queue`, each checked against its schema. */
async function rollEvents(queue: Promise<Awaited<ReturnType<typeof eventQueue>>>, cluster: string) {
  const events = (await drainEvents(await queue, cluster)).filter(
    (e) => e['detail-type'] === 'Node Pool Roll Progress',
  );
  for (const event of events) expect(rollSchema(event), ajv.errorsText(rollSchema.errors)).toBe(true);
  return events;
}

const OLD_TYPES = { general: 'm5.xlarge', spot: 'c5.xlarge', gpu: 'g5.xlarge' } as const;

const infraStacks = (cluster: string) => [
  stackNames.network(cluster),
  stackNames.etcd(cluster),
  stackNames.controlPlane(cluster),
];

async function launchStates(cluster: string) {
  const states: Partial<Record<(typeof POOLS)[number], Awaited<ReturnType<typeof poolLaunchState>>>> = {};
  for (const pool of POOLS) states[pool] = await poolLaunchState(cluster, pool);
  return states;
}

describe('updating the three node pools of the HA example', () => {
  const queue = eventQueue(uniqueName('update-events'));
  const harness = workflowHarness();
  const name = uniqueName('roll');
  let created: ClusterSpec;

  beforeAll(async () => {
    created = haWithSpotNodes(name);
    const { operation } = await harness.create(created);
    expect(operation.status).toBe('SUCCEEDED');
  });
  afterAll(async () => {
    await harness.destroy(name);
    await harness.stop();
  });

  it('new instance types for all three pools roll them strictly one after another, each gated, ACTIVE', async () => {
    const before = await launchStates(name);
    const spec = withNewInstanceTypes(created);
    const { operation, execution } = await harness.operate('UPDATE', name, spec);
    expect(execution.error).toBeUndefined();
    expect(operation.status).toBe('SUCCEEDED');
    expect((await harness.store.getCluster(name))?.status).toBe('ACTIVE');

    // Each pool's start comes after the previous pool's gate passed (history ids are ULIDs, in order).
    const history = await historyOf(harness.store, name, operation.id);
    expect(rollLines(history)).toEqual(
      POOLS.flatMap((pool) => [`roll-node-pool:${pool} IN_PROGRESS`, `roll-node-pool:${pool} SUCCEEDED`]),
    );
    for (const pool of POOLS) {
      const after = await poolLaunchState(name, pool);
      // Exactly one new launch template version, the one the group launches, with the new type.
      expect(
        after.versions.map((v) => v.instanceType),
        pool,
      ).toEqual([...(before[pool]?.versions.map((v) => v.instanceType) ?? []), NEW_TYPES[pool]]);
      expect(after.instanceType, pool).toBe(NEW_TYPES[pool]);
      expect(await stackStatusHistory(stackNames.nodePool(name, pool)), pool).toEqual([
        'CREATE_IN_PROGRESS',
        'CREATE_COMPLETE',
        'UPDATE_IN_PROGRESS',
        'UPDATE_COMPLETE',
      ]);
    }
    for (const stack of infraStacks(name))
      expect(await stackStatusHistory(stack), stack).not.toContain('UPDATE_IN_PROGRESS');
    created = spec;
    console.log(`update rolling 3 pools: ${execution.transitions} state transitions`);
  });

  it('an update that changes nothing starts no stack update', async () => {
    const stacks = [...infraStacks(name), ...POOLS.map((p) => stackNames.nodePool(name, p))];
    const before = await Promise.all(stacks.map(stackStatusHistory));
    const { operation, execution } = await harness.operate('UPDATE', name, structuredClone(created));
    expect(execution.error).toBeUndefined();
    expect(operation.status).toBe('SUCCEEDED');
    expect((await harness.store.getCluster(name))?.status).toBe('ACTIVE');
    expect(operation.steps.filter((s) => s.name.startsWith('update-stack:'))).toEqual(
      stacks.map((stack) => expect.objectContaining({ name: `update-stack:${stack}`, status: 'SKIPPED' })),
    );
    // CloudFormation saw no update of any stack.
    expect(await Promise.all(stacks.map(stackStatusHistory))).toEqual(before);
    expect(execution.steps.updateStack).toBeUndefined();
    expect(execution.steps.gateStack).toBeUndefined();
  });

  it('an update that changes one pool touches only that pool stack', async () => {
    const others = [
      ...infraStacks(name),
      stackNames.nodePool(name, 'general'),
      stackNames.nodePool(name, 'spot'),
    ];
    const before = await Promise.all(others.map(stackStatusHistory));
    const gpuBefore = await stackStatusHistory(stackNames.nodePool(name, 'gpu'));
    const spec = structuredClone(created);
    (spec.worker.nodePools[2] as { instanceType: string }).instanceType = 'g5.4xlarge';
    const { operation } = await harness.operate('UPDATE', name, spec);
    expect(operation.status).toBe('SUCCEEDED');
    const updated = operation.steps.filter(
      (s) => s.name.startsWith('update-stack:') && s.status !== 'SKIPPED',
    );
    expect(updated.map((s) => s.name)).toEqual([`update-stack:${stackNames.nodePool(name, 'gpu')}`]);
    expect(await stackStatusHistory(stackNames.nodePool(name, 'gpu'))).toEqual([
      ...gpuBefore,
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE',
    ]);
    expect(await Promise.all(others.map(stackStatusHistory))).toEqual(before);
    expect((await poolLaunchState(name, 'gpu')).instanceType).toBe('g5.4xlarge');
    created = spec;
  });

  it('a control-plane change updates that stack alone, behind its own health gate; no pool rolls', async () => {
    const spec = structuredClone(created);
    (spec.controller as { instanceType: string }).instanceType = 'm5.xlarge';
    const controlPlane = stackNames.controlPlane(name);
    const before = await stackStatusHistory(controlPlane);
    const { operation } = await harness.operate('UPDATE', name, spec);
    expect(operation.status).toBe('SUCCEEDED');
    const changed = operation.steps.filter(
      (s) => s.status !== 'SKIPPED' && /^(update-stack|health-gate|roll-node-pool):/.test(s.name),
    );
    expect(changed.map((s) => `${s.name} ${s.status}`)).toEqual([
      `update-stack:${controlPlane} SUCCEEDED`,
      `health-gate:${controlPlane} SUCCEEDED`,
    ]);
    expect(changed[1]?.message).toBe(
      'health gate passed: readyz ok; Ready nodes: general 3/3, spot 2/2, gpu 1/1',
    );
    expect(await stackStatusHistory(controlPlane)).toEqual([
      ...before,
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE',
    ]);
    created = spec;
  });

  it('publishes the roll as Node Pool Roll Progress events, in order, one per history entry', async () => {
    const events = (await drainEvents(await queue, name)).filter(
      (e) => e['detail-type'] === 'Node Pool Roll Progress',
    );
    const lines = events.map(
      (e) => `${e.detail.nodePool} ${e.detail.phase} ${e.detail.position}/${e.detail.poolsRolling}`,
    );
    expect(lines).toEqual([
      'general STARTED 1/3',
      'general GATE_PASSED 1/3',
      'spot STARTED 2/3',
      'spot GATE_PASSED 2/3',
      'gpu STARTED 3/3',
      'gpu GATE_PASSED 3/3',
      'gpu STARTED 1/1',
      'gpu GATE_PASSED 1/1',
    ]);
    const ids = new Set((await harness.store.listEvents(name, { limit: 100 })).items.map((e) => e.id));
    for (const event of events) expect(ids.has(String(event.detail.eventId))).toBe(true);
  });
});

describe('a node pool that fails its health gate', () => {
  const queue = eventQueue(uniqueName('gate-events'));
  const gate = gateClock();
  const harness = workflowHarness({ ...gate, settings: { healthTimeoutSeconds: 60 } });
  const name = uniqueName('gate');
  let created: ClusterSpec;

  beforeAll(async () => {
    created = haWithSpotNodes(name);
    expect((await harness.create(created)).operation.status).toBe('SUCCEEDED');
  });
  afterAll(async () => {
    await harness.destroy(name);
    await harness.stop();
  });

  it('stops the roll there: pool 1 rolled, pool 2 rolled back, pool 3 untouched, UPDATE_FAILED naming the pool', async () => {
    const before = await launchStates(name);
    harness.standIns.setPoolFault(name, 'spot', {
      reason: 'KubeletNotReady',
      message: 'container runtime is down',
    });
    const { operation, execution } = await harness.operate('UPDATE', name, withNewInstanceTypes(created));
    expect(operation.status).toBe('FAILED');
    const cluster = await harness.store.getCluster(name);
    expect(cluster?.status).toBe('UPDATE_FAILED');
    expect(operation.error).toEqual({
      code: 'GateFailed',
      message:
        'roll-node-pool:spot failed: node pool spot did not pass its health gate within 60 s: ' +
        'too few Ready nodes: spot 0/2 Ready; node pool spot was rolled back to the template it ran before the update',
    });
    expect(cluster?.statusReason).toBe(operation.error?.message);

    const general = await poolLaunchState(name, 'general');
    expect(general.instanceType).toBe(NEW_TYPES.general);
    const spot = await poolLaunchState(name, 'spot');
    // Rolled to the new type, then back: the group launches the old type again.
    expect(spot.instanceType).toBe(OLD_TYPES.spot);
    expect(spot.versions.map((v) => v.instanceType)).toEqual([
      OLD_TYPES.spot,
      NEW_TYPES.spot,
      OLD_TYPES.spot,
    ]);
    const gpu = await poolLaunchState(name, 'gpu');
    expect(gpu.versions).toEqual(before.gpu?.versions);
    expect(await stackStatusHistory(stackNames.nodePool(name, 'gpu'))).not.toContain('UPDATE_IN_PROGRESS');

    const history = await historyOf(harness.store, name, operation.id);
    expect(rollLines(history)).toEqual([
      'roll-node-pool:general IN_PROGRESS',
      'roll-node-pool:general SUCCEEDED',
      'roll-node-pool:spot IN_PROGRESS',
      'roll-node-pool:spot FAILED',
      `rollback-stack:${stackNames.nodePool(name, 'spot')} SUCCEEDED`,
    ]);
    // Looks at 0, 10, ..., 60 s, then the deadline.
    expect(execution.steps.gateStack?.invocations).toBe(1 + 7);
    const events = (await rollEvents(queue, name)).filter((e) => e.detail.operationId === operation.id);
    expect(events.map((e) => `${e.detail.nodePool} ${e.detail.phase}`)).toEqual([
      'general STARTED',
      'general GATE_PASSED',
      'spot STARTED',
      'spot FAILED',
      'spot ROLLED_BACK',
    ]);
    expect(events[3]?.detail.reason).toBe(
      'node pool spot did not pass its health gate within 60 s: too few Ready nodes: spot 0/2 Ready',
    );
  });

  it('once the fault is cleared, the corrected spec applied again ends ACTIVE', async () => {
    harness.standIns.setPoolFault(name, 'spot', undefined);
    const { operation } = await harness.operate('UPDATE', name, withNewInstanceTypes(created));
    expect(operation.status).toBe('SUCCEEDED');
    expect((await harness.store.getCluster(name))?.status).toBe('ACTIVE');
    // general already runs the new type: spot and gpu roll.
    const history = await historyOf(harness.store, name, operation.id);
    expect(rollLines(history)).toEqual([
      'roll-node-pool:spot IN_PROGRESS',
      'roll-node-pool:spot SUCCEEDED',
      'roll-node-pool:gpu IN_PROGRESS',
      'roll-node-pool:gpu SUCCEEDED',
    ]);
    for (const pool of POOLS)
      expect((await poolLaunchState(name, pool)).instanceType, pool).toBe(NEW_TYPES[pool]);
  });
});

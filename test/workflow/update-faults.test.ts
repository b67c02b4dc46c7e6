/**
 * The update workflow with faults: a stack update CloudFormation rolls back itself, and every update
 * step losing its response once (retried: nothing is updated or recorded twice).
 *
 * moto applies an UpdateStack at once and never reports UPDATE_ROLLBACK_COMPLETE: the first test wraps
 * the real client so that, once the spot pool's update is sent, DescribeStacks, DescribeStackEvents and
 * GetTemplate answer for that stack what AWS would after rolling it back (its status and reason, and
 * the template it ran before); every other call still goes to the emulator.
 */
import {
  type CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, describe, expect, it } from 'vitest';
import { stackNames } from '../../lib/render/naming.ts';
import { StepError } from '../../lib/workflow/errors.ts';
import type { StepRunner } from '../../local/engine.ts';
import { localCloud } from '../support/local-cloud.ts';
import { uniqueName, workflowHarness } from './support.ts';
import {
  haWithSpotNodes,
  historyOf,
  NEW_TYPES,
  POOLS,
  poolLaunchState,
  rollLines,
  stackStatusHistory,
  withNewInstanceTypes,
} from './update-support.ts';

const REASON = 'The following resource(s) failed to update: [WorkerAutoScalingGroup].';
const RESOURCE_REASON =
  'Received 0 SUCCESS signal(s) out of 2. Unable to satisfy 100% MinSuccessfulInstancesPercent';

/** The real client, except that `stack` reads as rolled back by CloudFormation once its update was sent. */
function rolledBackByCloudFormation(stack: string): CloudFormationClient {
  const real = localCloud().clients.cloudformation;
  let previousTemplate: string | undefined;
  let rolledBack = false;
  const send = real.send.bind(real) as (command: unknown) => Promise<unknown>;
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: unknown) => {
        const input = (command as { input?: { StackName?: string; ClientRequestToken?: string } }).input;
        const mine = input?.StackName === stack;
        if (mine && command instanceof GetTemplateCommand) {
          const result = (await send(command)) as { TemplateBody?: string };
          if (!rolledBack) previousTemplate = result.TemplateBody;
          return rolledBack ? { ...result, TemplateBody: previousTemplate } : result;
        }
        if (
          mine &&
          command instanceof UpdateStackCommand &&
          /-update-/.test(input?.ClientRequestToken ?? '')
        ) {
          const result = await send(command);
          rolledBack = true;
          return result;
        }
        if (mine && rolledBack && command instanceof DescribeStacksCommand) {
          const result = (await send(command)) as { Stacks?: Array<Record<string, unknown>> };
          return {
            Stacks: (result.Stacks ?? []).map((s) => ({
              ...s,
              StackStatus: 'UPDATE_ROLLBACK_COMPLETE',
              StackStatusReason: REASON,
            })),
          };
        }
        if (mine && rolledBack && command instanceof DescribeStackEventsCommand) {
          return {
            StackEvents: [
              { LogicalResourceId: stack, ResourceStatus: 'UPDATE_ROLLBACK_COMPLETE' },
              {
                LogicalResourceId: 'WorkerAutoScalingGroup',
                ResourceType: 'AWS::AutoScaling::AutoScalingGroup',
                ResourceStatus: 'UPDATE_FAILED',
                ResourceStatusReason: RESOURCE_REASON,
              },
            ],
          };
        }
        return send(command);
      };
    },
  });
}

describe('a stack update CloudFormation rolls back (mocked statuses: moto applies updates at once)', () => {
  const name = uniqueName('cfnroll');
  const harness = workflowHarness({
    cloudformation: rolledBackByCloudFormation(stackNames.nodePool(name, 'spot')),
  });
  afterAll(async () => {
    await harness.destroy(name);
    await harness.stop();
  });

  it('fails the roll at that pool with CloudFormation reason; no gate for it; later pools untouched', async () => {
    const spec = haWithSpotNodes(name);
    expect((await harness.create(spec)).operation.status).toBe('SUCCEEDED');
    const gpuBefore = await poolLaunchState(name, 'gpu');
    const { operation, execution } = await harness.operate('UPDATE', name, withNewInstanceTypes(spec));
    expect(operation.status).toBe('FAILED');
    expect((await harness.store.getCluster(name))?.status).toBe('UPDATE_FAILED');
    const spot = stackNames.nodePool(name, 'spot');
    expect(operation.error).toEqual({
      code: 'StackFailed',
      message:
        `roll-node-pool:spot failed: stack ${spot} ended UPDATE_ROLLBACK_COMPLETE: ${REASON}; ` +
        `WorkerAutoScalingGroup (AWS::AutoScaling::AutoScalingGroup): ${RESOURCE_REASON}; ` +
        'node pool spot was rolled back to the template it ran before the update',
    });
    const history = await historyOf(harness.store, name, operation.id);
    expect(rollLines(history)).toEqual([
      'roll-node-pool:general IN_PROGRESS',
      'roll-node-pool:general SUCCEEDED',
      'roll-node-pool:spot IN_PROGRESS',
      'roll-node-pool:spot FAILED',
      `rollback-stack:${spot} SUCCEEDED`,
    ]);
    // CloudFormation had put it back already: kaws only waited, it did not update the stack again.
    const rollback = operation.steps.find((s) => s.name === `rollback-stack:${spot}`);
    expect(rollback?.message).toBe(
      `stack ${spot} already runs the template it ran before the update (UPDATE_ROLLBACK_COMPLETE)`,
    );
    // One gate (general's); spot's failed update was never gated.
    expect(execution.steps.gateStack?.invocations).toBe(1);
    expect(await poolLaunchState(name, 'gpu')).toEqual(gpuBefore);
    expect(await stackStatusHistory(stackNames.nodePool(name, 'gpu'))).not.toContain('UPDATE_IN_PROGRESS');
  });
});

describe('every update step losing its response once', () => {
  const seen = new Set<string>();
  const injected: string[] = [];
  const UPDATE_STEPS = ['planUpdate', 'updateStack', 'checkUpdate', 'gateStack'];
  const wrapStep = (key: string, run: StepRunner): StepRunner =>
    UPDATE_STEPS.includes(key)
      ? async (input) => {
          const output = await run(input);
          const change = (input as { change?: { stack: { name: string } } }).change;
          const id = `${key}:${change?.stack.name ?? ''}`;
          if (!seen.has(id)) {
            seen.add(id);
            injected.push(id);
            throw new StepError('TransientAwsError', `injected: ${id} lost its response`);
          }
          return output;
        }
      : run;
  const harness = workflowHarness({ wrapStep });
  const name = uniqueName('uretry');
  afterAll(async () => {
    await harness.destroy(name);
    await harness.stop();
  });

  it('is retried: ACTIVE, each pool updated once, each roll phase recorded once', async () => {
    const spec = haWithSpotNodes(name);
    expect((await harness.create(spec)).operation.status).toBe('SUCCEEDED');
    const { operation, execution } = await harness.operate('UPDATE', name, withNewInstanceTypes(spec));
    expect(execution.error).toBeUndefined();
    expect(operation.status).toBe('SUCCEEDED');
    const pools = POOLS.map((pool) => stackNames.nodePool(name, pool));
    expect(injected.sort()).toEqual(
      ['planUpdate:', ...pools.flatMap((p) => [`updateStack:${p}`, `gateStack:${p}`])].sort(),
    );
    for (const pool of POOLS) {
      const state = await poolLaunchState(name, pool);
      expect(
        state.versions.map((v) => v.instanceType),
        pool,
      ).toHaveLength(2);
      expect(state.instanceType, pool).toBe(NEW_TYPES[pool]);
      expect(await stackStatusHistory(stackNames.nodePool(name, pool)), pool).toEqual([
        'CREATE_IN_PROGRESS',
        'CREATE_COMPLETE',
        'UPDATE_IN_PROGRESS',
        'UPDATE_COMPLETE',
      ]);
    }
    const history = await historyOf(harness.store, name, operation.id);
    expect(rollLines(history)).toEqual(
      POOLS.flatMap((pool) => [`roll-node-pool:${pool} IN_PROGRESS`, `roll-node-pool:${pool} SUCCEEDED`]),
    );
  });
});

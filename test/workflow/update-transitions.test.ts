/**
 * What an update costs in Step Functions state transitions (what a standard workflow bills): the HA
 * example's three node pools rolled (network, etcd and control plane unchanged), once with stack updates
 * that finish at once (moto) and once with each pool's update taking 20 minutes and its gate passing on
 * the first look. The slow update is simulated: the real stacks are updated in the local cloud, but
 * DescribeStacks reports UPDATE_IN_PROGRESS until the stack has waited 20 minutes, counted from the Wait
 * states' own durations (check-update's input says how long the Wait before it waited). The engine's
 * count is compared with a model computed from the backoff alone.
 */
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalExecution } from '../../local/engine.ts';
import { localCloud } from '../support/local-cloud.ts';
import { uniqueName, workflowHarness } from './support.ts';
import { haWithSpotNodes, POOLS, withNewInstanceTypes } from './update-support.ts';

const BACKOFF = { pollInitialSeconds: 5, pollMaxSeconds: 120 };

/** Polls a stack of `seconds` needs with doubling waits from `initial` capped at `cap`. */
function pollsFor(seconds: number, initial: number, cap: number): number {
  let waited = 0;
  let polls = 0;
  for (let delay = initial; waited < seconds; delay = Math.min(delay * 2, cap)) {
    waited += delay;
    polls++;
  }
  return polls;
}

/**
 * The update's transitions: 4 states before the roll (start, credentials, plan, the loop's start), 6 per
 * rolled pool (next?, update, done?, gate, passed?, next index), 3 per poll of a stack (wait, check,
 * done?), 3 at the end (next? no more, the removed-pools Map, finish). Unchanged stacks cost nothing.
 */
const modelTransitions = (pools: number, pollsPerPool: number) => 4 + pools * (6 + 3 * pollsPerPool) + 3;

/** The real client; a stack whose update was sent reads UPDATE_IN_PROGRESS until it waited `seconds`. */
function slowUpdates(seconds: number, waited: Map<string, number>): CloudFormationClient {
  const real = localCloud().clients.cloudformation;
  const send = real.send.bind(real) as (command: unknown) => Promise<unknown>;
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: { input: { StackName?: string } }) => {
        const result = await send(command);
        const name = command.input.StackName ?? '';
        if (command instanceof UpdateStackCommand) waited.set(name, 0);
        if (command instanceof DescribeStacksCommand && (waited.get(name) ?? seconds) < seconds) {
          const stacks = (result as { Stacks?: Array<Record<string, unknown>> }).Stacks ?? [];
          return {
            ...(result as object),
            Stacks: stacks.map((s) => ({ ...s, StackStatus: 'UPDATE_IN_PROGRESS' })),
          };
        }
        return result;
      };
    },
  });
}

const figures: Record<string, LocalExecution> = {};

describe('state transitions of an update rolling the 3 node pools of the HA example', () => {
  afterAll(() => {
    const line = (label: string, e: LocalExecution | undefined) =>
      `${label}: ${e?.transitions} transitions, ${Object.values(e?.steps ?? {}).reduce((n, s) => n + s.invocations, 0)} step invocations`;
    process.stdout.write(
      `update, ${line('pool stacks at once', figures.instant)}\nupdate, ${line('pool stacks of 20 minutes', figures.slow)}\n`,
    );
  });

  it('pool stacks that update at once: 25 transitions, 6 per pool', async () => {
    const harness = workflowHarness({ settings: BACKOFF });
    const name = uniqueName('utrans');
    try {
      const spec = haWithSpotNodes(name);
      expect((await harness.create(spec)).operation.status).toBe('SUCCEEDED');
      const { execution } = await harness.operate('UPDATE', name, withNewInstanceTypes(spec));
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.steps.checkUpdate).toBeUndefined();
      expect(execution.transitions).toBe(modelTransitions(POOLS.length, 0));
      expect(execution.transitions).toBe(25);
      figures.instant = execution;
      await harness.destroy(name);
    } finally {
      await harness.stop();
    }
  });

  it('pool stacks of 20 minutes each: 14 backoff polls per pool, as the model says', async () => {
    const name = uniqueName('uslow');
    const waited = new Map<string, number>();
    const harness = workflowHarness({
      settings: { ...BACKOFF, stackTimeoutSeconds: 3600 },
      cloudformation: slowUpdates(20 * 60, waited),
      wrapStep: (key, run) => async (input) => {
        const poll = input as { change?: { stack: { name: string } }; poll?: { delaySeconds: number } };
        if (key === 'checkUpdate' && poll.change && poll.poll) {
          const stack = poll.change.stack.name;
          waited.set(stack, (waited.get(stack) ?? 0) + poll.poll.delaySeconds);
        }
        return run(input);
      },
    });
    try {
      const spec = haWithSpotNodes(name);
      expect((await harness.create(spec)).operation.status).toBe('SUCCEEDED');
      const { execution } = await harness.operate('UPDATE', name, withNewInstanceTypes(spec));
      expect(execution.status).toBe('SUCCEEDED');
      const polls = pollsFor(20 * 60, BACKOFF.pollInitialSeconds, BACKOFF.pollMaxSeconds);
      expect(polls).toBe(14);
      expect(execution.steps.checkUpdate?.invocations).toBe(POOLS.length * polls);
      expect(execution.transitions).toBe(modelTransitions(POOLS.length, polls));
      expect([...waited.values()]).toEqual([1235, 1235, 1235]);
      figures.slow = execution;
      await harness.destroy(name);
    } finally {
      await harness.stop();
    }
  });
});

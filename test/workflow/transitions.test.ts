/**
 * What waiting on CloudFormation costs, in Step Functions state transitions (what a standard workflow
 * bills): a create of the HA example (6 stacks, 3 node pools) whose stacks complete at once, and one
 * whose every stack takes 20 minutes. The slow create is simulated: the real stacks are created in the
 * local cloud, but DescribeStacks reports CREATE_IN_PROGRESS until the stack has waited 20 minutes, time
 * counted from the Wait states' own durations (the check-stack input says how long the Wait before it
 * waited). The engine's count is compared with a model computed from the backoff alone.
 */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalExecution } from '../../local/engine.ts';
import { localCloud } from '../support/local-cloud.ts';
import { haSpec, uniqueName, workflowHarness } from './support.ts';

const STACKS = 6;
const POOLS = 3;
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
 * The create's transitions: 13 states on the way (start, credentials, stacks, three deploys and their
 * done-choices, the Map, the health check and its choice, finish), 3 per node pool in the Map
 * (deploy, choice, done), and 3 per poll of any stack (wait, check, choice).
 */
const modelTransitions = (pollsPerStack: number) => 13 + 3 * POOLS + STACKS * 3 * pollsPerStack;

function slowCloudFormation(seconds: number, waited: Map<string, number>): CloudFormationClient {
  const real = localCloud().clients.cloudformation;
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: { input: { StackName?: string } }) => {
        const result = await (real.send as (c: unknown) => Promise<unknown>)(command);
        const name = command.input.StackName ?? '';
        if (
          command instanceof DescribeStacksCommand &&
          waited.has(name) &&
          (waited.get(name) ?? 0) < seconds
        ) {
          const stacks = (result as { Stacks?: Array<Record<string, unknown>> }).Stacks ?? [];
          return {
            ...(result as object),
            Stacks: stacks.map((s) => ({ ...s, StackStatus: 'CREATE_IN_PROGRESS' })),
          };
        }
        return result;
      };
    },
  });
}

const figures: Record<string, LocalExecution> = {};

describe('state transitions of a create (HA example: 6 stacks, 3 pools)', () => {
  afterAll(() => {
    const line = (label: string, e: LocalExecution | undefined) =>
      `${label}: ${e?.transitions} transitions, ${Object.values(e?.steps ?? {}).reduce((n, s) => n + s.invocations, 0)} step invocations`;
    process.stdout.write(
      `${line('stacks at once', figures.instant)}\n${line('stacks of 20 minutes', figures.slow)}\n`,
    );
  });

  it('stacks that finish at once: no poll at all', async () => {
    const harness = workflowHarness({ settings: BACKOFF });
    const name = uniqueName('instant');
    try {
      const { execution } = await harness.create(haSpec(name));
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.steps.checkStack).toBeUndefined();
      expect(execution.transitions).toBe(modelTransitions(0));
      figures.instant = execution;
      await harness.destroy(name);
    } finally {
      await harness.stop();
    }
  });

  it('stacks of 20 minutes each: 14 backoff polls per stack (5 s doubling to 120 s), as the model says', async () => {
    const name = uniqueName('twenty');
    const waited = new Map<string, number>();
    const harness = workflowHarness({
      settings: BACKOFF,
      cloudformation: slowCloudFormation(20 * 60, waited),
      wrapStep: (key, run) => async (input) => {
        const stack = input as {
          stack?: { name: string };
          poll?: { stack: { name: string }; delaySeconds: number };
        };
        if (key === 'deployStack' && stack.stack) waited.set(stack.stack.name, 0);
        if (key === 'checkStack' && stack.poll) {
          const name = stack.poll.stack.name;
          waited.set(name, (waited.get(name) ?? 0) + stack.poll.delaySeconds);
        }
        return run(input);
      },
    });
    try {
      const { execution } = await harness.create(haSpec(name));
      expect(execution.status).toBe('SUCCEEDED');
      const polls = pollsFor(20 * 60, BACKOFF.pollInitialSeconds, BACKOFF.pollMaxSeconds);
      expect(polls).toBe(14);
      expect(execution.steps.checkStack?.invocations).toBe(STACKS * polls);
      expect(execution.transitions).toBe(modelTransitions(polls));
      for (const [stack, seconds] of waited) expect(seconds, stack).toBe(1235);
      figures.slow = execution;
      await harness.destroy(name);
    } finally {
      await harness.stop();
    }
  });

  it('the backoff keeps a long wait cheap: polls grow with the log of the duration until the cap', () => {
    expect([60, 300, 1200, 3600].map((s) => pollsFor(s, 5, 120))).toEqual([4, 7, 14, 34]);
    // Without the cap the count would be logarithmic throughout; the cap trades that for latency.
    expect([60, 300, 1200, 3600].map((s) => pollsFor(s, 5, Number.POSITIVE_INFINITY))).toEqual([4, 6, 8, 10]);
  });
});

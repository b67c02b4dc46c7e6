/**
 * The create and delete workflows on the local engine (the real ASL, step handlers, store, KMS, S3,
 * CloudFormation in the local cloud, the API server stand-in), with faults injected: every step failing
 * once after doing its work, a step that keeps failing, a stack that never completes, a stack that
 * CloudFormation rolls back, a cluster that never becomes healthy.
 *
 * moto's CloudFormation is synchronous and never reports CREATE_IN_PROGRESS, CREATE_FAILED or
 * ROLLBACK_*: the two tests that need those statuses wrap the real client so DescribeStacks (and
 * DescribeStackEvents) answer what AWS would; everything else still goes to the emulator.
 */
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  type CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { stackNames, tagKeys } from '../../lib/render/naming.ts';
import { StepError, toStepError } from '../../lib/workflow/errors.ts';
import type { StepRunner } from '../../local/engine.ts';
import { localCloud } from '../support/local-cloud.ts';
import { haSpec, objectVersions, uniqueName, workflowHarness } from './support.ts';

const { clients } = localCloud();

async function stackStatus(name: string): Promise<string | undefined> {
  return clients.cloudformation
    .send(new DescribeStacksCommand({ StackName: name }))
    .then((r) => r.Stacks?.[0]?.StackStatus)
    .catch(() => undefined);
}

const allStacks = (cluster: string) => [
  stackNames.network(cluster),
  stackNames.etcd(cluster),
  stackNames.controlPlane(cluster),
  ...['general', 'spot', 'gpu'].map((pool) => stackNames.nodePool(cluster, pool)),
];

async function vpcsOf(cluster: string) {
  const result = await clients.ec2.send(
    new DescribeVpcsCommand({ Filters: [{ Name: `tag:${tagKeys.cluster}`, Values: [cluster] }] }),
  );
  return result.Vpcs ?? [];
}

/** The cluster's Auto Scaling groups (CloudFormation names them `<stack>-<logical id>-<suffix>`). */
async function groupsOf(cluster: string) {
  const result = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  return (result.AutoScalingGroups ?? []).filter((g) => g.AutoScalingGroupName?.startsWith(`${cluster}-`));
}

/** Fails the first call of each distinct step input AFTER the step did its work (a lost response). */
function failEachStepOnceAfterItsWork() {
  const seen = new Set<string>();
  const injected: string[] = [];
  const wrap = (key: string, run: StepRunner): StepRunner => {
    return async (input) => {
      const output = await run(input);
      const stack = (input as { stack?: { name: string } }).stack?.name ?? '';
      const id = `${key}:${stack}`;
      if (!seen.has(id)) {
        seen.add(id);
        injected.push(id);
        throw new StepError('TransientAwsError', `injected: ${id} lost its response`);
      }
      return output;
    };
  };
  return { wrap, injected };
}

describe('every step failing once (after its work) is retried and changes nothing twice', () => {
  const faults = failEachStepOnceAfterItsWork();
  const harness = workflowHarness({ wrapStep: faults.wrap });
  const name = uniqueName('retry');
  afterAll(() => harness.stop());

  it('create ends ACTIVE, with one VPC, one Auto Scaling group per pool, one credential envelope write', async () => {
    const { execution, operation } = await harness.create(haSpec(name));
    expect(execution.error).toBeUndefined();
    expect(operation.status).toBe('SUCCEEDED');
    expect((await harness.store.getCluster(name))?.status).toBe('ACTIVE');
    expect(faults.injected.sort()).toEqual(
      [
        'startOperation:',
        'renderCredentials:',
        'renderStacks:',
        ...allStacks(name).map((s) => `deployStack:${s}`),
        'checkHealth:',
        'finishOperation:',
      ].sort(),
    );
    // Each injected step ran twice; the retry created nothing again.
    for (const stack of allStacks(name)) expect(await stackStatus(stack), stack).toBe('CREATE_COMPLETE');
    expect(await vpcsOf(name)).toHaveLength(1);
    // One Auto Scaling group per pool stack (each declares one), none left over from a first attempt.
    const groups = (await groupsOf(name)).map((g) => g.AutoScalingGroupName ?? '');
    for (const pool of ['general', 'spot', 'gpu']) {
      const stack = stackNames.nodePool(name, pool);
      const declared = await clients.cloudformation.send(
        new DescribeStackResourcesCommand({ StackName: stack }),
      );
      const ids = (declared.StackResources ?? []).filter(
        (r) => r.ResourceType === 'AWS::AutoScaling::AutoScalingGroup',
      );
      expect(ids, pool).toHaveLength(1);
      expect(
        groups.filter((g) => g.startsWith(`${stack}-`)),
        pool,
      ).toEqual([ids[0]?.PhysicalResourceId]);
    }
    const envelopes = (await objectVersions(name)).filter((v) => v.includes('/credentials/'));
    // kaws.envelope.json + etcd, controller, worker: one version each, the retried render wrote nothing.
    expect(envelopes).toHaveLength(4);
  });

  it('the history has each step and each status change once', async () => {
    const history = (await harness.store.listEvents(name, { limit: 100 })).items;
    const keys = history.map((e) => `${e.type}:${e.step ?? ''}:${e.reason ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(history.filter((e) => e.newStatus).map((e) => e.newStatus)).toEqual([
      'ACTIVE',
      'CREATE_IN_PROGRESS',
      'CREATE_PENDING',
    ]);
  });

  it('delete, each step failing once too, ends DELETED with no stack, VPC or object left', async () => {
    const { operation } = await harness.destroy(name);
    expect(operation.status).toBe('SUCCEEDED');
    expect((await harness.store.getCluster(name))?.status).toBe('DELETED');
    for (const stack of allStacks(name)) expect(await stackStatus(stack), stack).toBeUndefined();
    expect(await vpcsOf(name)).toHaveLength(0);
    expect(await groupsOf(name)).toHaveLength(0);
    expect(await objectVersions(name)).toEqual([]);
    expect(faults.injected).toEqual(
      expect.arrayContaining([
        'planDelete:',
        'removeAssets:',
        ...allStacks(name).map((s) => `deleteStack:${s}`),
      ]),
    );
  });
});

describe('a step that keeps failing', () => {
  it('ends CREATE_FAILED naming the step and its reason, lock released; the cluster can then be deleted', async () => {
    const harness = workflowHarness({
      wrapStep: (key, run) =>
        key === 'renderStacks'
          ? async () => {
              throw new StepError('RenderFailed', 'the disk is full');
            }
          : run,
    });
    const name = uniqueName('broken');
    try {
      const { operation, execution } = await harness.create(haSpec(name));
      expect(execution.status).toBe('FAILED');
      expect(operation.status).toBe('FAILED');
      expect(operation.error).toEqual({
        code: 'RenderFailed',
        message: 'render-stacks failed: the disk is full',
      });
      expect(operation.steps.find((s) => s.name === 'render-stacks')?.status).toBe('FAILED');
      const cluster = await harness.store.getCluster(name);
      expect(cluster?.status).toBe('CREATE_FAILED');
      expect(cluster?.statusReason).toBe('render-stacks failed: the disk is full');
      expect(cluster?.currentOperation).toBeUndefined();
      // Not retried: a render that failed for a reason fails the same way again.
      expect(execution.steps.renderStacks?.invocations).toBe(1);
      expect(await stackStatus(stackNames.network(name))).toBeUndefined();

      const deleted = await harness.destroy(name);
      expect(deleted.operation.status).toBe('SUCCEEDED');
      expect(await objectVersions(name)).toEqual([]);
    } finally {
      await harness.stop();
    }
  });

  it('a throttled AWS call that never clears is retried with backoff (6 retries), then fails the operation', async () => {
    let calls = 0;
    const harness = workflowHarness({
      wrapStep: (key, run) =>
        key === 'renderCredentials'
          ? async () => {
              calls++;
              // What the step's own SDK call throws, classified as the step classifies it.
              throw toStepError(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
            }
          : run,
    });
    const name = uniqueName('retried');
    try {
      const { operation } = await harness.create(haSpec(name));
      expect(calls).toBe(7);
      expect(operation.error?.code).toBe('TransientAwsError');
      expect(operation.error?.message).toBe('render-credentials failed: ThrottlingException: Rate exceeded');
    } finally {
      await harness.stop();
    }
  });
});

/**
 * A CloudFormation client whose DescribeStacks answers `status(name)` for the stacks it chooses (AWS's
 * asynchronous statuses, which moto never reports); every other call goes to the local cloud.
 */
function cloudFormationReporting(
  status: (stackName: string) => { StackStatus: string; StackStatusReason?: string } | undefined,
  events: (stackName: string) => Array<Record<string, unknown>> = () => [],
): CloudFormationClient {
  const real = clients.cloudformation;
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: { input: { StackName?: string } }) => {
        const stackName = command.input.StackName ?? '';
        const faked = status(stackName);
        if (command instanceof DescribeStacksCommand && faked) {
          const realStack = await real
            .send(command)
            .then((r) => r.Stacks?.[0])
            .catch(() => undefined);
          return { Stacks: [{ ...realStack, StackName: stackName, ...faked }] };
        }
        if (command instanceof DescribeStackEventsCommand && faked) {
          return { StackEvents: events(stackName) };
        }
        return (real.send as (c: unknown) => Promise<unknown>)(command);
      };
    },
  });
}

describe('waiting on CloudFormation (mocked statuses: moto is synchronous)', () => {
  it('a stack that never completes ends in a StackTimeout naming it, after backoff polls', async () => {
    const name = uniqueName('slow');
    let faking = true;
    let now = Date.now();
    const delays: number[] = [];
    const harness = workflowHarness({
      settings: { stackTimeoutSeconds: 600, pollInitialSeconds: 5, pollMaxSeconds: 120 },
      clock: { now: () => new Date(now) },
      cloudformation: cloudFormationReporting((stack) =>
        faking && stack === stackNames.etcd(name) ? { StackStatus: 'CREATE_IN_PROGRESS' } : undefined,
      ),
      // The Wait before each poll took delaySeconds: the clock the steps read moves on by as much.
      wrapStep: (key, run) =>
        key === 'checkStack'
          ? async (input) => {
              const waited = (input as { poll: { delaySeconds: number } }).poll.delaySeconds;
              delays.push(waited);
              now += waited * 1000;
              return run(input);
            }
          : run,
    });
    try {
      const { operation } = await harness.create(haSpec(name));
      expect(operation.error?.code).toBe('StackTimeout');
      expect(operation.error?.message).toBe(
        `deploy-stack:${name}-etcd failed: stack ${name}-etcd did not finish creating within 600 s (still CREATE_IN_PROGRESS)`,
      );
      // Doubling from 5 s, capped at 120 s, until the deadline.
      expect(delays).toEqual([5, 10, 20, 40, 80, 120, 120, 120, 120]);
      expect((await harness.store.getCluster(name))?.status).toBe('CREATE_FAILED');
      expect(await stackStatus(stackNames.controlPlane(name))).toBeUndefined();
      faking = false;
      expect((await harness.destroy(name)).operation.status).toBe('SUCCEEDED');
    } finally {
      await harness.stop();
    }
  });

  it("a stack CloudFormation rolls back ends CREATE_FAILED with the stack's reason", async () => {
    const name = uniqueName('rollback');
    const controlPlane = stackNames.controlPlane(name);
    let faking = true;
    const harness = workflowHarness({
      cloudformation: cloudFormationReporting(
        (stack) =>
          faking && stack === controlPlane
            ? {
                StackStatus: 'ROLLBACK_COMPLETE',
                StackStatusReason:
                  'The following resource(s) failed to create: [ControllerAutoScalingGroup]. Rollback requested by user.',
              }
            : undefined,
        () => [
          {
            LogicalResourceId: controlPlane,
            ResourceStatus: 'ROLLBACK_COMPLETE',
          },
          {
            LogicalResourceId: 'ControllerLaunchTemplate',
            ResourceType: 'AWS::EC2::LaunchTemplate',
            ResourceStatus: 'CREATE_FAILED',
            ResourceStatusReason: 'Resource creation cancelled',
          },
          {
            LogicalResourceId: 'ControllerAutoScalingGroup',
            ResourceType: 'AWS::AutoScaling::AutoScalingGroup',
            ResourceStatus: 'CREATE_FAILED',
            ResourceStatusReason:
              'You have requested more vCPU capacity than your current vCPU limit of 32 allows',
          },
        ],
      ),
    });
    try {
      const { operation } = await harness.create(haSpec(name));
      expect(operation.error?.code).toBe('StackFailed');
      expect(operation.error?.message).toBe(
        `deploy-stack:${controlPlane} failed: stack ${controlPlane} ended ROLLBACK_COMPLETE: ` +
          'The following resource(s) failed to create: [ControllerAutoScalingGroup]. Rollback requested by user.; ' +
          'ControllerAutoScalingGroup (AWS::AutoScaling::AutoScalingGroup): You have requested more vCPU capacity than your current vCPU limit of 32 allows',
      );
      const cluster = await harness.store.getCluster(name);
      expect(cluster?.status).toBe('CREATE_FAILED');
      expect(cluster?.statusReason).toBe(operation.error?.message);
      // No node pool stack was started after the failure.
      expect(await stackStatus(stackNames.nodePool(name, 'general'))).toBeUndefined();
      faking = false;
      expect((await harness.destroy(name)).operation.status).toBe('SUCCEEDED');
    } finally {
      await harness.stop();
    }
  });

  it('CreateStack refused by CloudFormation (what moto does on a resource failure) fails with its message', async () => {
    const name = uniqueName('refused');
    const harness = workflowHarness();
    try {
      // A stack of that name already exists and is not this cluster's.
      await clients.cloudformation.send(
        new CreateStackCommand({
          StackName: stackNames.network(name),
          TemplateBody: JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }),
        }),
      );
      const { operation } = await harness.create(haSpec(name));
      expect(operation.error?.code).toBe('StackNameTaken');
      expect(operation.error?.message).toBe(
        `deploy-stack:${name}-network failed: a stack named ${name}-network already exists and does not ` +
          'belong to this cluster (it has no kaws cluster tag)',
      );
      // The foreign stack is untouched by the create, and by the delete that follows.
      await harness.destroy(name);
      expect(await stackStatus(stackNames.network(name))).toBe('CREATE_COMPLETE');
    } finally {
      await harness.stop();
    }
  });
});

describe('health', () => {
  it('a pool whose nodes never become Ready ends in HealthTimeout naming the pool', async () => {
    const name = uniqueName('unhealthy');
    let now = Date.now();
    const harness = workflowHarness({
      settings: { healthTimeoutSeconds: 30 },
      clock: { now: () => new Date(now) },
      wrapStep: (key, run) =>
        key === 'checkHealth'
          ? async (input) => {
              const waited = (input as { health?: { delaySeconds: number } }).health?.delaySeconds ?? 0;
              now += waited * 1000;
              return run(input);
            }
          : run,
    });
    harness.standIns.setPoolFault(name, 'gpu', { reason: 'KubeletNotReady', message: 'PLEG is not healthy' });
    try {
      const { operation, execution } = await harness.create(haSpec(name));
      expect(operation.error?.code).toBe('HealthTimeout');
      expect(operation.error?.message).toBe(
        `check-health failed: cluster ${name} was not healthy within 30 s: readyz ok; too few Ready nodes: gpu 0/1`,
      );
      // Looks at 0, 10, 20 and 30 s.
      expect(execution.steps.checkHealth?.invocations).toBe(4);
      await harness.destroy(name);
    } finally {
      await harness.stop();
    }
  });
});

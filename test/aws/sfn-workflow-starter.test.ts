/**
 * The Step Functions adapter against the local cloud's Step Functions (a pass-through state machine: moto
 * records executions without running them): executions are named by the operation id, so starting the
 * same operation twice is one execution.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import { executionArnOf, SfnWorkflowStarter } from '../../lib/aws/sfn-workflow-starter.ts';
import { localCloud } from '../support/local-cloud.ts';

const cloud = localCloud();
const ids = monotonicFactory();

async function stateMachine(name: string): Promise<string> {
  const created = await cloud.clients.sfn.send(
    new CreateStateMachineCommand({
      name,
      roleArn: 'arn:aws:iam::123456789012:role/kaws-workflows',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }),
    }),
  );
  return created.stateMachineArn as string;
}

describe('SfnWorkflowStarter', () => {
  it('starts one execution per operation, named by its id, with the operation as input', async () => {
    const suffix = randomUUID().slice(0, 8);
    const arns = {
      CREATE: await stateMachine(`kaws-create-${suffix}`),
      UPDATE: await stateMachine(`kaws-update-${suffix}`),
      DELETE: await stateMachine(`kaws-delete-${suffix}`),
    };
    const starter = new SfnWorkflowStarter(cloud.clients.sfn, arns);
    const input = { operationId: ids(), clusterName: 'prod', type: 'UPDATE' as const, specVersion: 2 };
    const first = await starter.start(input);
    expect(first.executionArn).toBe(executionArnOf(arns.UPDATE, input.operationId));
    const again = await starter.start(input);
    expect(again.executionArn).toBe(first.executionArn);
    const executions = await cloud.clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arns.UPDATE }),
    );
    expect(executions.executions?.map((e) => e.name)).toEqual([input.operationId]);
    const described = await cloud.clients.sfn.send(
      new DescribeExecutionCommand({ executionArn: first.executionArn }),
    );
    expect(JSON.parse(described.input ?? '{}')).toEqual(input);
    expect(
      (await cloud.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: arns.CREATE }))).executions,
    ).toEqual([]);
  });

  it('passes a start failure on (the use case marks the operation failed)', async () => {
    const starter = new SfnWorkflowStarter(cloud.clients.sfn, {
      CREATE: 'arn:aws:states:us-east-1:123456789012:stateMachine:kaws-missing',
      UPDATE: 'arn:aws:states:us-east-1:123456789012:stateMachine:kaws-missing',
      DELETE: 'arn:aws:states:us-east-1:123456789012:stateMachine:kaws-missing',
    });
    await expect(
      starter.start({ operationId: ids(), clusterName: 'x', type: 'CREATE', specVersion: 1 }),
    ).rejects.toThrow(/does not exist|StateMachineDoesNotExist/i);
  });
});

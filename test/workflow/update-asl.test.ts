/**
 * statemachines/update-cluster.asl.json: valid Amazon States Language (asl-validator and the local
 * interpreter), and the shape the issue asks for: one changed stack at a time in the plan's order
 * (a loop with an index, not a Map: nothing runs in parallel and nothing after a failure), every
 * stack waited for and gated, every failure of the roll leading to that stack's rollback and then
 * to FailOperation, waits driven by the steps.
 */
import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { STEPS, stepKeyOfResource } from '../../functions/steps/index.ts';
import { STEP_ERROR_NAMES } from '../../lib/workflow/errors.ts';
import { allStates, loadDefinition, localFunctionArn } from '../../local/engine.ts';

type State = Record<string, unknown> & { Type: string };
type Machine = { StartAt: string; States: Record<string, State> };

const machine = JSON.parse(readFileSync('statemachines/update-cluster.asl.json', 'utf8')) as Machine;
const states = machine.States;
const state = (name: string) => states[name] as State;
const catchers = (name: string) =>
  (state(name).Catch ?? []) as Array<{ ErrorEquals: string[]; ResultPath?: string; Next: string }>;

describe('update-cluster.asl.json', () => {
  it('is valid Amazon States Language (asl-validator) and accepted by the local interpreter', async () => {
    const withArns = loadDefinition(
      'update-cluster',
      (key) => `arn:aws:lambda:us-east-1:123456789012:function:kaws-dev-${key}`,
    );
    const result = aslValidator(withArns as never);
    expect(result.errorsText('\n')).toBe('');
    const { StateMachine } = await import('aws-local-stepfunctions');
    const local = loadDefinition('update-cluster', (key) => localFunctionArn('us-east-1', key));
    expect(() => new StateMachine(local as never)).not.toThrow();
  });

  it('calls only kaws steps, each retried on transient failures with backoff', () => {
    for (const [name, s] of allStates(machine).filter(([, s]) => s.Type === 'Task')) {
      const key = stepKeyOfResource(String(s.Resource));
      expect(key && STEPS[key], name).toBeDefined();
      const retry = (s.Retry as Array<{ ErrorEquals: string[]; BackoffRate: number }>)[0];
      expect(
        retry?.ErrorEquals.includes('TransientAwsError') || retry?.ErrorEquals.includes('States.ALL'),
        name,
      ).toBe(true);
      expect(retry?.BackoffRate, name).toBeGreaterThan(1);
    }
  });

  it('matches only error names the steps throw (or Step Functions and Lambda define)', () => {
    const known = new Set<string>([...STEP_ERROR_NAMES, 'States.ALL']);
    for (const [name, s] of allStates(machine)) {
      for (const rule of [
        ...((s.Retry as Array<{ ErrorEquals: string[] }>) ?? []),
        ...((s.Catch as Array<{ ErrorEquals: string[] }>) ?? []),
      ]) {
        for (const error of rule.ErrorEquals)
          expect(known.has(error) || error.startsWith('Lambda.'), `${name}: ${error}`).toBe(true);
      }
    }
  });

  it('rolls one stack at a time: a loop over the plan with an index, update -> wait -> gate -> next', () => {
    expect(state('StartRoll')).toMatchObject({ Type: 'Pass', Result: { index: 0 }, ResultPath: '$.roll' });
    expect(state('NextStack')).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.roll.index', NumericLessThanPath: '$.plan.count', Next: 'UpdateStack' }],
    });
    for (const task of ['UpdateStack', 'CheckStack', 'StartGate', 'CheckGate']) {
      expect((state(task).Parameters as Record<string, string>)['change.$'], task).toBe(
        'States.ArrayGetItem($.plan.stacks, $.roll.index)',
      );
    }
    const path: string[] = [];
    for (let name: string | undefined = 'NextStack'; name && !path.includes(name); ) {
      path.push(name);
      const s = state(name);
      name = s.Type === 'Choice' ? (s.Choices as Array<{ Next: string }>)[0]?.Next : (s.Next as string);
    }
    expect(path).toEqual([
      'NextStack',
      'UpdateStack',
      'StackUpdated',
      'StartGate',
      'GatePassed',
      'StackRolled',
    ]);
    expect(state('StackRolled')).toMatchObject({
      Parameters: { 'index.$': 'States.MathAdd($.roll.index, 1)' },
      Next: 'NextStack',
    });
    // Not done: wait (as long as the step says) and look again.
    expect(state('StackUpdated').Default).toBe('WaitForStack');
    expect(state('WaitForStack')).toMatchObject({ SecondsPath: '$.poll.delaySeconds', Next: 'CheckStack' });
    expect(state('CheckStack').Next).toBe('StackUpdated');
    expect(state('GatePassed').Default).toBe('WaitForGate');
    expect(state('WaitForGate')).toMatchObject({ SecondsPath: '$.gate.delaySeconds', Next: 'CheckGate' });
    expect(state('CheckGate').Next).toBe('GatePassed');
    // No Map in the roll: Map iterations may overlap, and a failed one does not stop those queued after it.
    expect(
      Object.values(states)
        .filter((s) => s.Type === 'Map')
        .map((s) => s.ItemsPath),
    ).toEqual(['$.plan.removedPools']);
  });

  it('a failed update, poll or gate of a stack rolls that stack back, then fails the operation', () => {
    for (const task of ['UpdateStack', 'CheckStack', 'StartGate', 'CheckGate']) {
      expect(catchers(task), task).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.rollFailure', Next: 'RollBackStack' },
      ]);
    }
    expect(state('RollBackStack').Parameters).toMatchObject({ 'failure.$': '$.rollFailure' });
    expect(state('StackRolledBack').Default).toBe('WaitForRollback');
    expect(state('RollbackDone')).toMatchObject({
      Type: 'Pass',
      ResultPath: '$.failed',
      Next: 'FailOperation',
    });
    for (const task of [
      'StartOperation',
      'RenderCredentials',
      'PlanUpdate',
      'RollBackStack',
      'CheckRollback',
      'RemoveDroppedNodePools',
      'FinishOperation',
    ]) {
      const all = catchers(task).find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(all, task).toEqual({
        ErrorEquals: ['States.ALL'],
        ResultPath: `$.failed.${task}`,
        Next: 'FailOperation',
      });
    }
    expect(state('FailOperation').Next).toBe('OperationFailed');
  });

  it('starts with StartOperation, credentials and the plan; removes dropped pools and finishes after the roll', () => {
    expect(machine.StartAt).toBe('StartOperation');
    expect(state('StartOperation').Next).toBe('RenderCredentials');
    expect(state('RenderCredentials').Next).toBe('PlanUpdate');
    expect(state('PlanUpdate')).toMatchObject({ ResultPath: '$.plan', Next: 'StartRoll' });
    expect(state('NextStack').Default).toBe('RemoveDroppedNodePools');
    expect(state('RemoveDroppedNodePools').Next).toBe('FinishOperation');
    expect(catchers('StartOperation')[0]).toEqual({
      ErrorEquals: ['OperationNotRunnable'],
      Next: 'NotRunnable',
    });
  });
});

/**
 * The state machine definitions (statemachines/*.asl.json): valid Amazon States Language by
 * asl-validator and by the local interpreter's own validation, every Lambda task a kaws step, every
 * failure caught into FailOperation naming its state, transient errors retried with backoff, waits
 * driven by the steps' backoff, and the order of the stacks as the issue asks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STEPS, stepKeyOfResource } from '../../functions/steps/index.ts';
import { STEP_ERROR_NAMES } from '../../lib/workflow/errors.ts';
import { stepOfState } from '../../lib/workflow/operation.ts';
import { allStates, loadDefinition, localFunctionArn } from '../../local/engine.ts';

type State = Record<string, unknown> & { Type: string };
type Machine = { StartAt: string; States: Record<string, State> };

/** The workflows of this test (create and delete); ALL_FILES: every definition in statemachines/. */
const FILES = ['create-cluster', 'delete-cluster'] as const;
const ALL_FILES = readdirSync('statemachines')
  .filter((f) => f.endsWith('.asl.json'))
  .map((f) => f.replace(/\.asl\.json$/, ''));
/** The step keys a definition's tasks call. */
const stepsOf = (file: string) =>
  allStates(raw(file))
    .filter(([, s]) => s.Type === 'Task')
    .map(([, s]) => stepKeyOfResource(String(s.Resource)) as string);
const raw = (file: string) => JSON.parse(readFileSync(`statemachines/${file}.asl.json`, 'utf8')) as Machine;
const withArns = (file: string) =>
  loadDefinition(file, (key) => `arn:aws:lambda:us-east-1:123456789012:function:kaws-dev-${key}`) as Machine;

/** The states visited from StartAt following Next and each Choice's first choice (the happy path). */
function happyPath(machine: Machine): string[] {
  const path: string[] = [];
  let name: string | undefined = machine.StartAt;
  while (name && !path.includes(name)) {
    path.push(name);
    const state: State | undefined = machine.States[name];
    if (!state) break;
    if (state.Type === 'Choice') name = (state.Choices as Array<{ Next: string }>)[0]?.Next;
    else name = state.Next as string | undefined;
  }
  return path;
}

describe.each(FILES)('%s.asl.json', (file) => {
  const machine = raw(file);
  const states = allStates(machine);

  it('is valid Amazon States Language (asl-validator)', () => {
    const result = aslValidator(withArns(file));
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is accepted by the local interpreter with the ARNs the local engine gives the steps', async () => {
    const { StateMachine } = await import('aws-local-stepfunctions');
    const definition = loadDefinition(file, (key) => localFunctionArn('us-east-1', key));
    expect(() => new StateMachine(definition as never)).not.toThrow();
  });

  it('calls only kaws steps, as `#{<Key>LambdaFunction.Arn}` for serverless-step-functions', () => {
    const tasks = states.filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, state] of tasks) {
      const key = stepKeyOfResource(String(state.Resource));
      expect(key, name).toBeDefined();
      expect(STEPS[key as string], `${name} -> ${key}`).toBeDefined();
    }
  });

  it('retries transient failures with backoff and jitter in every task', () => {
    for (const [name, state] of states.filter(([, s]) => s.Type === 'Task')) {
      const retry = state.Retry as Array<{ ErrorEquals: string[]; BackoffRate: number; MaxAttempts: number }>;
      const transient = retry?.find(
        (r) => r.ErrorEquals.includes('TransientAwsError') || r.ErrorEquals.includes('States.ALL'),
      );
      expect(transient, name).toBeDefined();
      expect(transient?.BackoffRate, name).toBeGreaterThan(1);
      expect(transient?.MaxAttempts, name).toBeGreaterThanOrEqual(3);
    }
  });

  it('catches every failure of a top-level task or map into FailOperation, keyed by the state that failed', () => {
    for (const [name, state] of Object.entries(machine.States)) {
      if ((state.Type !== 'Task' && state.Type !== 'Map') || name === 'FailOperation') continue;
      const catchers = state.Catch as Array<{ ErrorEquals: string[]; ResultPath?: string; Next: string }>;
      const all = catchers?.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(all, name).toEqual({
        ErrorEquals: ['States.ALL'],
        ResultPath: `$.failed.${name}`,
        Next: 'FailOperation',
      });
      // The step name the failure reports is the state's, in kebab-case.
      expect(stepOfState(name)).toMatch(/^[a-z]+(-[a-z]+)+$/);
    }
    expect(machine.States.FailOperation?.Next).toBe('OperationFailed');
    expect(machine.States.OperationFailed?.Type).toBe('Fail');
  });

  it('matches only error names the steps throw (or Step Functions and Lambda define)', () => {
    const known = new Set<string>([...STEP_ERROR_NAMES, 'States.ALL']);
    for (const [name, state] of states) {
      for (const rule of [
        ...((state.Retry as Array<{ ErrorEquals: string[] }>) ?? []),
        ...((state.Catch as Array<{ ErrorEquals: string[] }>) ?? []),
      ]) {
        for (const error of rule.ErrorEquals) {
          expect(known.has(error) || error.startsWith('Lambda.'), `${name}: ${error}`).toBe(true);
        }
      }
    }
  });

  it('waits only as long as the steps say (backoff in the state, never a fixed long wait)', () => {
    for (const [name, state] of states.filter(([, s]) => s.Type === 'Wait')) {
      expect(state.SecondsPath, name).toMatch(/^\$\.(poll|health)\.delaySeconds$/);
      expect(state.Seconds, name).toBeUndefined();
    }
  });

  it('starts with StartOperation and stops quietly for an operation that already finished', () => {
    expect(machine.StartAt).toBe('StartOperation');
    const catchers = machine.States.StartOperation?.Catch as Array<{ ErrorEquals: string[]; Next: string }>;
    expect(catchers[0]).toEqual({ ErrorEquals: ['OperationNotRunnable'], Next: 'NotRunnable' });
    expect(machine.States.NotRunnable?.Type).toBe('Succeed');
  });
});

describe('order of the stacks', () => {
  it('create: credentials, stacks network -> etcd -> control plane -> node pools (one Map, in parallel), health, finish', () => {
    const path = happyPath(raw('create-cluster')).filter((s) => !/Created$|Healthy$/.test(s));
    expect(path).toEqual([
      'StartOperation',
      'RenderCredentials',
      'RenderStacks',
      'DeployNetworkStack',
      'DeployEtcdStack',
      'DeployControlPlaneStack',
      'DeployNodePoolStacks',
      'StartHealthCheck',
      'FinishOperation',
    ]);
    const pools = raw('create-cluster').States.DeployNodePoolStacks as State;
    expect(pools.Type).toBe('Map');
    expect(pools.ItemsPath).toBe('$.plan.nodePools');
    // 0: as many at once as there are pools.
    expect(pools.MaxConcurrency).toBe(0);
  });

  it('delete: node pools (in parallel), control plane, etcd, network, assets, finish', () => {
    const path = happyPath(raw('delete-cluster')).filter((s) => !/Deleted$/.test(s));
    expect(path).toEqual([
      'StartOperation',
      'PlanDelete',
      'DeleteNodePoolStacks',
      'DeleteControlPlaneStack',
      'DeleteEtcdStack',
      'DeleteNetworkStack',
      'RemoveAssets',
      'FinishOperation',
    ]);
  });

  it('every stack is waited for: each deploy/delete loops through check-stack until done', () => {
    for (const file of FILES) {
      const machine = raw(file);
      for (const [name, state] of allStates(machine)) {
        if (!/^(Deploy|Delete)\w+Stack$/.test(name) || state.Type !== 'Task') continue;
        const choiceName = state.Next as string;
        const all = Object.fromEntries(allStates(machine));
        const choice = all[choiceName] as State;
        expect(choice.Type, name).toBe('Choice');
        const wait = all[choice.Default as string] as State;
        expect(wait.Type, name).toBe('Wait');
        const check = all[wait.Next as string] as State;
        expect(stepKeyOfResource(String(check.Resource)), name).toBe('checkStack');
        expect(check.Next, name).toBe(choiceName);
      }
    }
  });
});

describe('the step registry', () => {
  it('every registered step is used by a workflow and has a Lambda handler module', async () => {
    const used = new Set(ALL_FILES.flatMap(stepsOf));
    expect([...used].sort()).toEqual(Object.keys(STEPS).sort());
    for (const step of Object.values(STEPS)) {
      const module = (await import(`../../functions/steps/${step.name}.ts`)) as { handler?: unknown };
      expect(typeof module.handler, step.name).toBe('function');
    }
  });
});

describe('serverless.yml', () => {
  const text = readFileSync('serverless.yml', 'utf8');
  // CloudFormation's short-form tags kept as plain values.
  const tags = ['Ref', 'GetAtt', 'Sub'].map((name) => ({
    tag: `!${name}`,
    resolve: (value: string) => ({ [name]: value }),
  }));
  const config = parse(text, { customTags: tags }) as {
    provider: { environment: Record<string, unknown> };
    functions: Record<string, { handler: string }>;
    stepFunctions: { stateMachines: Record<string, { definition: string; role: unknown; name: string }> };
    resources: Array<{ Resources?: Record<string, { Properties?: unknown }> }>;
  };

  const used = [...new Set(FILES.flatMap(stepsOf))];

  it('deploys every step of the create and delete workflows as a function whose handler is its module', () => {
    for (const key of used) {
      expect(config.functions[key]?.handler, key).toBe(`functions/steps/${STEPS[key]?.name}.handler`);
    }
  });

  it('deploys both workflows from their files, with a role that may invoke every step', () => {
    const machines = config.stepFunctions.stateMachines;
    // Serverless's `${file(...)}` variable, spelled without a template placeholder.
    const fileVariable = (path: string) => `\${file(${path})}`;
    for (const file of FILES) {
      const key = file.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
      expect(machines[key]?.definition, file).toBe(fileVariable(`statemachines/${file}.asl.json`));
    }
    for (const machine of Object.values(machines))
      expect(machine.role).toEqual({ GetAtt: 'KawsWorkflowRole.Arn' });
    const role = config.resources.find((r) => r.Resources?.KawsWorkflowRole)?.Resources?.KawsWorkflowRole;
    const invoked = JSON.stringify(role?.Properties);
    for (const key of used) {
      expect(invoked, key).toContain(`${key[0]?.toUpperCase()}${key.slice(1)}LambdaFunction.Arn`);
    }
  });

  it('gives the API the ARN of each workflow it starts, by the state machine names', () => {
    const machines = config.stepFunctions.stateMachines;
    for (const [type, key] of [
      ['CREATE', 'createCluster'],
      ['UPDATE', 'updateCluster'],
      ['DELETE', 'deleteCluster'],
    ] as const) {
      const arn = config.provider.environment[`KAWS_${type}_STATE_MACHINE_ARN`] as { Sub: string };
      expect(arn.Sub.endsWith(`:stateMachine:${machines[key]?.name}`), `${type}: ${arn.Sub}`).toBe(true);
    }
  });
});

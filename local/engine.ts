/**
 * The local Step Functions engine: runs the SAME ASL files serverless.yml deploys
 * (statemachines/*.asl.json) with aws-local-stepfunctions, each Lambda Task mapped to its step handler
 * in process (functions/steps), with every Wait and every Retry interval shortened by configuration.
 * It is the local WorkflowStarter: the API starts an operation's workflow here as it would on Step
 * Functions (one execution per operation id; starting it again returns the same execution).
 *
 * It also counts what a bill would: state transitions (entered + retried states, as Step Functions
 * standard workflows bill them), step invocations and their duration.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';
import { STEPS, stepKeyOfResource } from '../functions/steps/index.ts';
import type { OperationType } from '../lib/service/cluster-status.ts';
import type { WorkflowInput, WorkflowStarter } from '../lib/service/ports.ts';
import type { WorkflowDeps } from '../lib/workflow/deps.ts';
import { failOperation } from '../lib/workflow/operation.ts';

// aws-local-stepfunctions@3 uses Promise.withResolvers (Node >= 22); Node 20 lacks it.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= () => {
  let resolve: unknown;
  let reject: unknown;
  const promise = new Promise((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};
const { StateMachine } = await import('aws-local-stepfunctions');

/** The account id the local engine puts in the ARNs it makes up. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export const WORKFLOW_FILES: Readonly<Record<OperationType, string | undefined>> = {
  CREATE: 'create-cluster',
  DELETE: 'delete-cluster',
  UPDATE: 'update-cluster',
};

/** The JSON values the engine passes between states. */
type JSONValue = Parameters<
  NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string]
>[0];

type JsonState = Record<string, unknown> & { Type: string };
type JsonMachine = { StartAt: string; States: Record<string, JsonState> };

/** Every state of a definition, nested Map and Parallel states included, with its name. */
export function allStates(machine: JsonMachine): Array<[string, JsonState]> {
  return Object.entries(machine.States).flatMap(([name, state]) => {
    const nested = [
      ...((state.ItemProcessor ?? state.Iterator)
        ? [(state.ItemProcessor ?? state.Iterator) as JsonMachine]
        : []),
      ...((state.Branches as JsonMachine[] | undefined) ?? []),
    ];
    return [[name, state] as [string, JsonState], ...nested.flatMap(allStates)];
  });
}

/** The ARN the local engine gives a step's Lambda (the function kaws would deploy, in the local account). */
export const localFunctionArn = (region: string, stepKey: string) =>
  `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:kaws-local-${stepKey}`;

/**
 * Reads a state machine definition, with each `#{<Step>LambdaFunction.Arn}` (what
 * serverless-step-functions resolves at package time) replaced by `arn(stepKey)`.
 */
export function loadDefinition(file: string, arn: (stepKey: string) => string): JsonMachine {
  const path = fileURLToPath(new URL(`../statemachines/${file}.asl.json`, import.meta.url));
  const text = readFileSync(path, 'utf8').replace(
    /"#\{([A-Za-z0-9]+)LambdaFunction\.Arn\}"/g,
    (_match, name: string) => {
      const key = stepKeyOfResource(`#{${name}LambdaFunction.Arn}`) as string;
      return JSON.stringify(arn(key));
    },
  );
  return JSON.parse(text) as JsonMachine;
}

/** A step as the engine calls it; wrap one to inject faults or count. */
export type StepRunner = (input: unknown) => Promise<unknown>;

export interface LocalEngineOptions {
  deps: WorkflowDeps;
  region: string;
  /** Milliseconds every Wait state waits instead of its Seconds/SecondsPath. Default 25. */
  waitMs?: number;
  /** Milliseconds before every retry instead of the Retry's backoff. Default 25. */
  retryMs?: number;
  /** Wraps each step's runner (tests: fault injection, a controlled clock). */
  wrapStep?: (stepKey: string, run: StepRunner) => StepRunner;
  /** Runs before a workflow starts (local mode: make the account have what the spec refers to). */
  beforeStart?: (input: WorkflowInput) => Promise<void>;
  /** Called once an execution ends (local mode: stop a deleted cluster's API server stand-in). */
  onFinished?: (execution: LocalExecution) => void | Promise<void>;
  /** One line per execution start and end; default silent. */
  log?: (line: string) => void;
}

export interface StepFigures {
  invocations: number;
  failures: number;
  totalMs: number;
}

export interface LocalExecution {
  executionArn: string;
  input: WorkflowInput;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startedAt: Date;
  finishedAt?: Date;
  /** Step Functions' billable transitions: states entered plus retries. */
  transitions: number;
  /** Per step key (serverless function key). */
  steps: Record<string, StepFigures>;
  /** The execution's error (a failed workflow ends in its OperationFailed state). */
  error?: { name: string; message: string };
  output?: unknown;
  /** Resolves when the execution ends (never rejects). */
  done: Promise<LocalExecution>;
}

/** The local WorkflowStarter. */
export class LocalWorkflowEngine implements WorkflowStarter {
  private readonly executions = new Map<string, LocalExecution>();
  private readonly aborts = new Map<string, () => void>();
  private readonly machines = new Map<
    string,
    { machine: InstanceType<typeof StateMachine>; json: JsonMachine }
  >();

  constructor(private readonly options: LocalEngineOptions) {}

  /** The dependencies its steps run with (the plan and export use cases render with the same). */
  get deps(): WorkflowDeps {
    return this.options.deps;
  }

  /** Starts the operation's workflow; starting the same operation again returns its execution. */
  async start(input: WorkflowInput): Promise<{ executionArn: string }> {
    const existing = this.executions.get(input.operationId);
    if (existing) return { executionArn: existing.executionArn };
    const file = WORKFLOW_FILES[input.type];
    if (!file) throw new Error(`no local workflow for ${input.type} operations yet`);
    const { machine, json } = this.machine(file);
    // Before the execution exists: a failure here is a failed start (the API fails the operation).
    await this.options.beforeStart?.(input);
    const executionArn = `arn:aws:states:${this.options.region}:${LOCAL_ACCOUNT_ID}:execution:kaws-local-${file}:${input.operationId}`;
    const execution: LocalExecution = {
      executionArn,
      input,
      status: 'RUNNING',
      startedAt: new Date(),
      transitions: 0,
      steps: {},
      done: Promise.resolve(undefined as unknown as LocalExecution),
    };
    this.executions.set(input.operationId, execution);
    execution.done = this.run(execution, machine, json);
    return { executionArn };
  }

  /** The execution of an operation, if this engine started it. */
  execution(operationId: string): LocalExecution | undefined {
    return this.executions.get(operationId);
  }

  /** Waits for the operation's execution to end. */
  async wait(operationId: string): Promise<LocalExecution> {
    const execution = this.executions.get(operationId);
    if (!execution) throw new Error(`no local execution for operation ${operationId}`);
    return execution.done;
  }

  /** Aborts every running execution (shutdown) and waits for them to end. */
  async stop(): Promise<void> {
    for (const abort of this.aborts.values()) abort();
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }

  private machine(file: string) {
    let loaded = this.machines.get(file);
    if (!loaded) {
      const json = loadDefinition(file, (key) => localFunctionArn(this.options.region, key));
      loaded = { json, machine: new StateMachine(json as unknown as StateMachineDefinition) };
      this.machines.set(file, loaded);
    }
    return loaded;
  }

  private overrides(json: JsonMachine, execution: LocalExecution) {
    const { deps, wrapStep } = this.options;
    const taskResourceLocalHandlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
    const waitTimeOverrides: Record<string, number> = {};
    const retryIntervalOverrides: Record<string, number> = {};
    for (const [name, state] of allStates(json)) {
      if (state.Type === 'Wait') waitTimeOverrides[name] = this.options.waitMs ?? 25;
      if (state.Retry) retryIntervalOverrides[name] = this.options.retryMs ?? 25;
      if (state.Type !== 'Task') continue;
      const key = /:function:kaws-local-(\w+)$/.exec(String(state.Resource))?.[1];
      const step = key ? STEPS[key] : undefined;
      if (!key || !step)
        throw new Error(`task state ${name} calls ${String(state.Resource)}, which is no kaws step`);
      const base: StepRunner = (input) => step.run(deps, input);
      const run = wrapStep ? wrapStep(key, base) : base;
      taskResourceLocalHandlers[name] = async (input) => {
        const figures = execution.steps[key] ?? { invocations: 0, failures: 0, totalMs: 0 };
        execution.steps[key] = figures;
        figures.invocations++;
        const started = performance.now();
        try {
          return (await run(input)) as JSONValue;
        } catch (error) {
          figures.failures++;
          throw error;
        } finally {
          figures.totalMs += performance.now() - started;
        }
      };
    }
    return { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides };
  }

  /**
   * An execution that ended without its workflow settling the operation (the engine itself failed, or
   * FailOperation ran out of retries) would leave the cluster locked: fail the operation here, as the
   * deployed stack does from Step Functions' execution status events.
   */
  private async settleOperation(execution: LocalExecution, log: (line: string) => void): Promise<void> {
    const { deps } = this.options;
    try {
      const operation = await deps.store.getOperation(execution.input.operationId);
      if (!operation || operation.status === 'SUCCEEDED' || operation.status === 'FAILED') return;
      await failOperation(deps, {
        ...execution.input,
        failed: {
          Workflow: {
            Error: 'WorkflowExecutionFailed',
            Cause: `${execution.error?.name ?? execution.status}: ${execution.error?.message ?? ''}`,
          },
        },
      });
    } catch (error) {
      log(`cannot fail operation ${execution.input.operationId}: ${(error as Error).message}`);
    }
  }

  private async run(
    execution: LocalExecution,
    machine: InstanceType<typeof StateMachine>,
    json: JsonMachine,
  ): Promise<LocalExecution> {
    const { input } = execution;
    const log = this.options.log ?? (() => {});
    log(`workflow ${input.type} ${input.clusterName} started (operation ${input.operationId})`);
    try {
      const running = machine.run(input as never, {
        overrides: this.overrides(json, execution),
        context: {
          Execution: {
            Id: execution.executionArn,
            Input: input as never,
            StartTime: execution.startedAt.toISOString(),
          },
        },
      });
      this.aborts.set(input.operationId, running.abort);
      const counting = (async () => {
        for await (const event of running.eventLogs) {
          if (event.type === 'StateEntered' || event.type === 'StateRetried') execution.transitions++;
        }
      })();
      try {
        execution.output = await running.result;
        execution.status = 'SUCCEEDED';
      } finally {
        await counting.catch(() => {});
      }
    } catch (error) {
      const { name, message } = error as Error;
      execution.status = name === 'ExecutionAbortedError' ? 'ABORTED' : 'FAILED';
      const cause = (error as { cause?: { name?: string; message?: string } }).cause;
      execution.error = cause?.name ? { name: cause.name, message: cause.message ?? '' } : { name, message };
    } finally {
      this.aborts.delete(input.operationId);
      execution.finishedAt = new Date();
    }
    log(
      `workflow ${input.type} ${input.clusterName} ${execution.status}` +
        (execution.error ? ` (${execution.error.name})` : '') +
        ` in ${execution.finishedAt.getTime() - execution.startedAt.getTime()} ms, ${execution.transitions} transitions`,
    );
    if (execution.status !== 'SUCCEEDED') await this.settleOperation(execution, log);
    try {
      await this.options.onFinished?.(execution);
    } catch (error) {
      log(`after workflow ${input.operationId}: ${(error as Error).message}`);
    }
    return execution;
  }
}

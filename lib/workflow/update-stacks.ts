/**
 * The stack steps of an update: update-stack (start one changed stack's UpdateStack, or CreateStack for
 * a stack the update adds; a node pool's roll is "started" here), check-update (one poll, with the next
 * wait and the deadline, as create's check-stack) and rollback-stack (after a failed stack update or a
 * failed gate: put the stack back on the template it ran before, which plan-update kept in S3).
 *
 * Waiting is the workflow's: a Wait state between polls, doubling from pollInitialSeconds up to
 * pollMaxSeconds. moto applies an UpdateStack synchronously, so locally the first look is final.
 */
import { readObjectText } from '../aws/assets.ts';
import {
  clientRequestToken,
  createStack,
  deleteStack,
  describeStack,
  StackNameTakenError,
} from '../aws/cloudformation.ts';
import {
  cancelUpdate,
  phaseOfUpdate,
  readDeployedStack,
  updateRequestToken,
  updateStack,
} from '../aws/cloudformation-update.ts';
import { TEMPLATE_BODY_MAX_BYTES } from '../render/index.ts';
import { s3Keys, stepNames } from '../render/naming.ts';
import { specOf } from './credentials.ts';
import type { WorkflowDeps } from './deps.ts';
import { isTransientAwsError, StepError } from './errors.ts';
import { type CaughtError, causeMessage, type OperationInput, recordStep } from './operation.ts';
import { recordRollProgress } from './roll-events.ts';
import { renderOf } from './stacks.ts';
import type { StackChange } from './update-plan.ts';

/** One stack being waited for while it updates (or is put back). */
export interface UpdatePoll {
  /** `update`: the update's own change; `rollback`: putting the stack back. */
  purpose: 'update' | 'rollback';
  /** What CloudFormation is doing to the stack. */
  action: 'create' | 'update' | 'delete' | 'none';
  done: boolean;
  status?: string;
  delaySeconds: number;
  deadline: string;
}

type ChangeInput = OperationInput & { change: StackChange };

/** CloudFormation's service role for the cluster stacks, when there is one (AWS). */
const role = (deps: WorkflowDeps) =>
  deps.settings.stackRoleArn ? { roleArn: deps.settings.stackRoleArn } : {};

const stepOf = (purpose: UpdatePoll['purpose'], change: StackChange) =>
  purpose === 'update'
    ? stepNames.updateStack(change.stack.name)
    : stepNames.rollbackStack(change.stack.name);

const templateSource = (deps: WorkflowDeps, body: string, location: { bucket: string; key: string }) =>
  Buffer.byteLength(body, 'utf8') > TEMPLATE_BODY_MAX_BYTES
    ? { url: `https://${location.bucket}.s3.${deps.settings.region}.amazonaws.com/${location.key}` }
    : { body };

function firstPoll(
  deps: WorkflowDeps,
  purpose: UpdatePoll['purpose'],
  action: UpdatePoll['action'],
): UpdatePoll {
  return {
    purpose,
    action,
    done: false,
    delaySeconds: deps.settings.pollInitialSeconds,
    deadline: new Date(deps.clock.now().getTime() + deps.settings.stackTimeoutSeconds * 1000).toISOString(),
  };
}

async function failed(
  deps: WorkflowDeps,
  input: ChangeInput,
  purpose: UpdatePoll['purpose'],
  error: StepError,
): Promise<never> {
  await recordStep(deps, input.operationId, {
    name: stepOf(purpose, input.change),
    status: 'FAILED',
    message: error.message,
  });
  throw error;
}

/** The CloudFormation refusal of a call (moto refuses synchronously what AWS would fail later). */
function refusal(stack: string, verb: string, error: unknown): StepError {
  const { name, message } = error as Error;
  return new StepError(
    'StackFailed',
    `CloudFormation refused to ${verb} stack ${stack}: ${name}: ${message}`,
    {
      cause: error,
    },
  );
}

/** Starts the change of one stack of the plan; a node pool's roll starts here. */
export async function updateStackStep(deps: WorkflowDeps, input: ChangeInput): Promise<UpdatePoll> {
  const { change } = input;
  const spec = await specOf(deps, input);
  const rendered = (await renderOf(deps, spec)).stacks.find((s) => s.name === change.stack.name);
  if (!rendered)
    throw new StepError(
      'RenderFailed',
      `the render of ${spec.clusterName} has no stack ${change.stack.name}`,
    );
  if (rendered.fingerprint !== change.fingerprint) {
    throw new StepError(
      'RenderFailed',
      `stack ${change.stack.name} renders differently than when the update was planned`,
    );
  }
  if (change.stack.nodePool !== undefined) {
    const place = change.position
      ? ` (${change.position.index} of ${change.position.total} node pools to roll)`
      : '';
    await recordRollProgress(
      deps,
      input,
      change,
      'STARTED',
      `roll started: stack ${change.stack.name} ${change.action === 'create' ? 'created' : 'updated'}${place}`,
    );
  }
  await recordStep(deps, input.operationId, {
    name: stepNames.updateStack(change.stack.name),
    status: 'IN_PROGRESS',
  });
  const template =
    rendered.templateLocation.kind === 'body'
      ? { body: rendered.template }
      : templateSource(deps, rendered.template, rendered.templateLocation);
  try {
    if (change.action === 'create') {
      await createStack(deps.cloudformation, {
        name: rendered.name,
        template,
        parameters: change.parameters,
        tags: rendered.tags,
        clientRequestToken: clientRequestToken(input.operationId, 'create', rendered.name),
        ...role(deps),
      });
    } else {
      // `updated: false` is a retry whose first call went through (or CloudFormation found the
      // templates equal): either way the stack is where the update wants it; the look below says so.
      await updateStack(deps.cloudformation, {
        name: rendered.name,
        template,
        parameters: change.parameters,
        tags: rendered.tags,
        clientRequestToken: updateRequestToken(input.operationId, 'update', rendered.name),
        ...role(deps),
      });
    }
  } catch (error) {
    if (error instanceof StackNameTakenError)
      return failed(deps, input, 'update', new StepError('StackNameTaken', error.message));
    if (isTransientAwsError(error) || !(error instanceof Error)) throw error;
    return failed(deps, input, 'update', refusal(rendered.name, change.action, error));
  }
  return settle(deps, input, firstPoll(deps, 'update', change.action));
}

/** One poll of a stack being updated or put back. */
export function checkUpdate(
  deps: WorkflowDeps,
  input: ChangeInput & { poll: UpdatePoll },
): Promise<UpdatePoll> {
  return settle(deps, input, input.poll, true);
}

async function settle(
  deps: WorkflowDeps,
  input: ChangeInput,
  poll: UpdatePoll,
  afterWait = false,
): Promise<UpdatePoll> {
  const { change } = input;
  const name = change.stack.name;
  const state = await describeStack(
    deps.cloudformation,
    name,
    poll.action === 'delete' ? 'delete' : 'create',
  );
  const phase = poll.action === 'delete' ? state.phase : phaseOfUpdate(state.status, poll.purpose);
  const status = state.status ?? 'DELETE_COMPLETE';
  if (phase === (poll.action === 'delete' ? 'gone' : 'complete')) {
    await finished(deps, input, poll, status);
    return { ...poll, done: true, status };
  }
  if (phase === 'failed' || phase === 'gone') {
    const what = state.status ? `ended ${state.status}` : 'does not exist';
    return failed(
      deps,
      input,
      poll.purpose,
      new StepError(
        poll.purpose === 'rollback' ? 'RollbackFailed' : 'StackFailed',
        `stack ${name} ${what}${state.reason ? `: ${state.reason}` : ''}`,
      ),
    );
  }
  if (deps.clock.now().getTime() >= Date.parse(poll.deadline)) {
    return failed(
      deps,
      input,
      poll.purpose,
      new StepError(
        'StackTimeout',
        `stack ${name} did not finish ${poll.purpose === 'rollback' ? 'rolling back' : 'updating'} within ` +
          `${deps.settings.stackTimeoutSeconds} s (still ${status})`,
      ),
    );
  }
  return {
    ...poll,
    status,
    delaySeconds: afterWait
      ? Math.min(poll.delaySeconds * 2, deps.settings.pollMaxSeconds)
      : deps.settings.pollInitialSeconds,
  };
}

async function finished(
  deps: WorkflowDeps,
  input: ChangeInput,
  poll: UpdatePoll,
  status: string,
): Promise<void> {
  const { change } = input;
  if (poll.purpose === 'update') {
    await recordStep(deps, input.operationId, {
      name: stepNames.updateStack(change.stack.name),
      status: 'SUCCEEDED',
      message: status,
    });
    return;
  }
  const message =
    poll.action === 'delete'
      ? `stack ${change.stack.name} deleted: the update had created it`
      : poll.action === 'none'
        ? `stack ${change.stack.name} already runs the template it ran before the update (${status})`
        : `stack ${change.stack.name} is back on the template it ran before the update (${status})`;
  if (change.stack.nodePool !== undefined)
    await recordRollProgress(deps, input, change, 'ROLLED_BACK', message);
  else
    await recordStep(deps, input.operationId, {
      name: stepNames.rollbackStack(change.stack.name),
      status: 'SUCCEEDED',
      message,
    });
}

/** What the workflow reports once the rollback is done: the failure, saying the stack was put back. */
export interface RollbackResult {
  poll: UpdatePoll;
  failure: CaughtError;
}

/**
 * After a failed update or gate of `change`: records the failure (a node pool's roll "failed"), then
 * puts the stack back on the template it ran before (CancelUpdateStack when it is still updating,
 * UpdateStack with the kept template otherwise, DeleteStack when the update created it).
 */
export async function rollbackStack(
  deps: WorkflowDeps,
  input: ChangeInput & { failure: CaughtError },
): Promise<RollbackResult> {
  const { change } = input;
  const name = change.stack.name;
  const reason = causeMessage(input.failure.Cause);
  if (change.stack.nodePool !== undefined) {
    await recordRollProgress(deps, input, change, 'FAILED', reason);
  } else {
    const operation = await deps.store.getOperation(input.operationId);
    if (!operation?.steps.some((s) => s.status === 'FAILED')) {
      await recordStep(deps, input.operationId, {
        name: stepNames.healthGate(name),
        status: 'FAILED',
        message: reason,
      });
    }
  }
  const failure: CaughtError = {
    Error: input.failure.Error,
    Cause:
      `${reason}; ${change.stack.nodePool !== undefined ? `node pool ${change.stack.nodePool}` : `stack ${name}`} ` +
      (change.previous
        ? 'was rolled back to the template it ran before the update'
        : 'was deleted (the update had created it)'),
  };
  await recordStep(
    deps,
    input.operationId,
    { name: stepNames.rollbackStack(name), status: 'IN_PROGRESS' },
    false,
  );
  const token = updateRequestToken(input.operationId, 'rollback', name);
  const deployed = await readDeployedStack(deps.cloudformation, name);
  const phase = phaseOfUpdate(deployed.status, 'rollback');
  let action: UpdatePoll['action'];
  if (!change.previous) {
    if (deployed.status !== undefined) {
      const request = { name, cluster: input.clusterName, clientRequestToken: token, ...role(deps) };
      await deleteStack(deps.cloudformation, request);
    }
    action = 'delete';
  } else if (deployed.status === 'UPDATE_IN_PROGRESS') {
    // Still updating (a timeout): CloudFormation rolls it back itself, to exactly what it ran before.
    await cancelUpdate(deps.cloudformation, name, token);
    action = 'update';
  } else if (
    phase === 'in-progress' ||
    (phase === 'complete' && deployed.fingerprint === change.previous.fingerprint)
  ) {
    // CloudFormation is rolling it back, or already did: wait for that.
    action = phase === 'in-progress' ? 'update' : 'none';
  } else {
    const spec = await specOf(deps, input);
    const key = s3Keys.stackTemplate(spec.clusterName, name, change.previous.fingerprint);
    const body = await readObjectText(deps.s3, deps.settings.bucket, key);
    if (body === undefined) {
      throw new StepError(
        'RollbackFailed',
        `the template stack ${name} ran before the update is gone (s3 key ${key})`,
      );
    }
    try {
      await updateStack(deps.cloudformation, {
        name,
        template: templateSource(deps, body, { bucket: deps.settings.bucket, key }),
        parameters: change.previous.parameters,
        tags: change.previous.tags,
        clientRequestToken: token,
        ...role(deps),
      });
    } catch (error) {
      if (isTransientAwsError(error) || !(error instanceof Error)) throw error;
      return failed(
        deps,
        input,
        'rollback',
        new StepError('RollbackFailed', refusal(name, 'roll back', error).message, { cause: error }),
      );
    }
    action = 'update';
  }
  const poll = await settle(deps, input, firstPoll(deps, 'rollback', action));
  return { poll, failure };
}

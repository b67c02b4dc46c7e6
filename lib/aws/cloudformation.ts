/**
 * The CloudFormation side of the workflows: create and delete a rendered stack idempotently, and read
 * where a stack is (in progress, complete, failed with CloudFormation's reason, or gone).
 *
 * Idempotency: CreateStack and DeleteStack carry a ClientRequestToken derived from the operation and
 * the stack, so CloudFormation treats a retried call as the same request. A retried CreateStack that
 * finds the stack already there (another token, or an emulator that ignores tokens) adopts it when it
 * carries this cluster's tag, and refuses it otherwise: a stack of someone else is never touched.
 */
import { createHash } from 'node:crypto';
import {
  type CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { tagKeys } from '../render/naming.ts';

/** Where a stack is, as a workflow cares. */
export type StackPhase = 'in-progress' | 'complete' | 'failed' | 'gone';

export interface StackState {
  name: string;
  /** CloudFormation's status; absent when the stack does not exist. */
  status?: string;
  phase: StackPhase;
  /** CloudFormation's reason (the stack's, or the first failed resource's) when it failed. */
  reason?: string;
  outputs: Record<string, string>;
  tags: Record<string, string>;
}

export interface StackRequest {
  name: string;
  template: { body: string } | { url: string };
  parameters: Record<string, string>;
  tags: Record<string, string>;
  /** Unique per operation and stack: see clientRequestToken(). */
  clientRequestToken: string;
  /** CloudFormation's service role: the stack's resources are created with its permissions. */
  roleArn?: string;
}

/** The stack already exists and is not this cluster's (no or another cluster tag). */
export class StackNameTakenError extends Error {
  constructor(
    readonly stackName: string,
    readonly owner: string | undefined,
  ) {
    super(
      `a stack named ${stackName} already exists and does not belong to this cluster` +
        (owner ? ` (it belongs to cluster ${owner})` : ' (it has no kaws cluster tag)'),
    );
    this.name = 'StackNameTakenError';
  }
}

/**
 * A ClientRequestToken for one operation's call on one stack: `<operation>-<action>-<hash of stack>`
 * (CloudFormation allows 128 characters of [a-zA-Z0-9-]; a stack name can be 128 alone).
 */
export function clientRequestToken(operationId: string, action: 'create' | 'delete', stack: string): string {
  const digest = createHash('sha256').update(stack).digest('hex').slice(0, 32);
  return `${operationId}-${action}-${digest}`;
}

const isMissingStack = (error: unknown) =>
  error instanceof Error && error.name === 'ValidationError' && /does not exist/i.test(error.message);

function phaseOfCreate(status: string): StackPhase {
  if (status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE') return 'complete';
  if (
    status === 'CREATE_IN_PROGRESS' ||
    status === 'UPDATE_IN_PROGRESS' ||
    status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' ||
    status === 'REVIEW_IN_PROGRESS'
  ) {
    return 'in-progress';
  }
  if (status === 'DELETE_COMPLETE') return 'gone';
  // CREATE_FAILED, ROLLBACK_*, UPDATE_ROLLBACK_*, DELETE_*: the create did not (or no longer) succeed.
  return 'failed';
}

function phaseOfDelete(status: string): StackPhase {
  if (status === 'DELETE_COMPLETE') return 'gone';
  if (status === 'DELETE_FAILED') return 'failed';
  // DELETE_IN_PROGRESS, or any status CloudFormation shows before it starts on an accepted delete.
  return 'in-progress';
}

const recordOf = <T>(items: T[] | undefined, key: (item: T) => string, value: (item: T) => string) =>
  Object.fromEntries((items ?? []).map((item) => [key(item), value(item)]));

function stateOf(stack: Stack, mode: 'create' | 'delete'): StackState {
  const status = stack.StackStatus ?? 'UNKNOWN';
  return {
    name: stack.StackName ?? '',
    status,
    phase: mode === 'create' ? phaseOfCreate(status) : phaseOfDelete(status),
    ...(stack.StackStatusReason ? { reason: stack.StackStatusReason } : {}),
    outputs: recordOf(
      stack.Outputs,
      (o) => o.OutputKey ?? '',
      (o) => o.OutputValue ?? '',
    ),
    tags: recordOf(
      stack.Tags,
      (t) => t.Key ?? '',
      (t) => t.Value ?? '',
    ),
  };
}

/** The stack's state; `gone` when it does not exist. `mode` says which outcome counts as complete. */
export async function describeStack(
  cfn: CloudFormationClient,
  name: string,
  mode: 'create' | 'delete',
): Promise<StackState> {
  try {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    if (!stack) return { name, phase: 'gone', outputs: {}, tags: {} };
    const state = stateOf(stack, mode);
    if (state.phase === 'failed') {
      const reason = await firstFailureReason(cfn, name);
      if (reason) state.reason = state.reason ? `${state.reason}; ${reason}` : reason;
    }
    return state;
  } catch (error) {
    if (isMissingStack(error)) return { name, phase: 'gone', outputs: {}, tags: {} };
    throw error;
  }
}

/**
 * The first resource failure of the stack's latest attempt (the root cause; later ones are mostly
 * "Resource creation cancelled"), as `<LogicalId> (<Type>): <reason>`.
 */
async function firstFailureReason(cfn: CloudFormationClient, name: string): Promise<string | undefined> {
  try {
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [];
    // Newest first: the oldest failure is the cause.
    const failures = events.filter(
      (e) => e.ResourceStatus?.endsWith('_FAILED') && e.ResourceStatusReason && e.LogicalResourceId !== name,
    );
    const first = failures[failures.length - 1];
    return first
      ? `${first.LogicalResourceId} (${first.ResourceType}): ${first.ResourceStatusReason}`
      : undefined;
  } catch {
    // The reason is a nicety: the stack's own status still says it failed.
    return undefined;
  }
}

/**
 * Creates the stack, or adopts it when it already exists with this cluster's tag (a retried create).
 * Returns its state right after (moto creates synchronously; AWS reports CREATE_IN_PROGRESS).
 */
export async function createStack(
  cfn: CloudFormationClient,
  request: StackRequest,
): Promise<{ created: boolean; state: StackState }> {
  const cluster = request.tags[tagKeys.cluster];
  let created = true;
  try {
    await cfn.send(
      new CreateStackCommand({
        StackName: request.name,
        ...('body' in request.template
          ? { TemplateBody: request.template.body }
          : { TemplateURL: request.template.url }),
        // Role names are CloudFormation's own: CAPABILITY_IAM, never CAPABILITY_NAMED_IAM.
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: Object.entries(request.parameters).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
        Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
        ClientRequestToken: request.clientRequestToken,
        ...(request.roleArn ? { RoleARN: request.roleArn } : {}),
        // A failed create keeps nothing behind but the stack (its reason stays readable).
        OnFailure: 'ROLLBACK',
      }),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === 'AlreadyExistsException')) throw error;
    created = false;
  }
  const state = await describeStack(cfn, request.name, 'create');
  if (!created && state.phase !== 'gone' && state.tags[tagKeys.cluster] !== cluster) {
    throw new StackNameTakenError(request.name, state.tags[tagKeys.cluster]);
  }
  return { created, state };
}

/**
 * Starts deleting the cluster's stack. Nothing to do when it is gone; a stack of that name that is not
 * the cluster's (no or another cluster tag) is left alone and reported `foreign`.
 */
export async function deleteStack(
  cfn: CloudFormationClient,
  request: { name: string; cluster: string; clientRequestToken: string; roleArn?: string },
): Promise<{ state: StackState; foreign: boolean }> {
  const before = await describeStack(cfn, request.name, 'delete');
  if (before.phase === 'gone') return { state: before, foreign: false };
  if (before.tags[tagKeys.cluster] !== request.cluster) return { state: before, foreign: true };
  await cfn.send(
    new DeleteStackCommand({
      StackName: request.name,
      ClientRequestToken: request.clientRequestToken,
      ...(request.roleArn ? { RoleARN: request.roleArn } : {}),
    }),
  );
  return { state: await describeStack(cfn, request.name, 'delete'), foreign: false };
}

/** The names of the stacks tagged with the cluster whose name starts with `prefix` (not deleted). */
export async function listClusterStacks(
  cfn: CloudFormationClient,
  cluster: string,
  prefix: string,
): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new DescribeStacksCommand({ ...(token ? { NextToken: token } : {}) }));
    for (const stack of page.Stacks ?? []) {
      const tagged = (stack.Tags ?? []).some((t) => t.Key === tagKeys.cluster && t.Value === cluster);
      if (tagged && stack.StackName?.startsWith(prefix) && stack.StackStatus !== 'DELETE_COMPLETE') {
        names.push(stack.StackName);
      }
    }
    token = page.NextToken;
  } while (token);
  return names.sort();
}

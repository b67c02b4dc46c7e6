/**
 * The CloudFormation side of an update: what a stack runs now (its template, parameters, tags and
 * status, read back from CloudFormation, the only source that cannot drift), UpdateStack with a
 * ClientRequestToken per operation and stack, CancelUpdateStack (a stack still updating when its roll
 * fails is rolled back by CloudFormation itself), and what an update's status means.
 *
 * CloudFormation answers an UpdateStack that changes nothing with a ValidationError ("No updates are
 * to be performed"); a retried call whose first attempt went through gets the same answer (the
 * emulator ignores tokens), so both are reported as `updated: false`, never as a failure.
 */
import { createHash } from 'node:crypto';
import {
  CancelUpdateStackCommand,
  type CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  type Stack,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import type { StackPhase } from './cloudformation.ts';

export interface DeployedStack {
  name: string;
  /** CloudFormation's status; absent when the stack does not exist. */
  status?: string;
  /** The template the stack runs, exactly as CloudFormation returns it. */
  template?: string;
  /** SHA-256 (hex) of `template`. */
  fingerprint?: string;
  parameters: Record<string, string>;
  tags: Record<string, string>;
}

const isMissingStack = (error: unknown) =>
  error instanceof Error && error.name === 'ValidationError' && /does not exist/i.test(error.message);

const isNoUpdate = (error: unknown) =>
  error instanceof Error &&
  error.name === 'ValidationError' &&
  /no updates are to be performed/i.test(error.message);

/**
 * A ClientRequestToken for an update's call on one stack: `<operation>-<update|rollback>-<hash of
 * stack>`, as cloudformation.ts's clientRequestToken does for create and delete.
 */
export function updateRequestToken(
  operationId: string,
  action: 'update' | 'rollback',
  stack: string,
): string {
  const digest = createHash('sha256').update(stack).digest('hex').slice(0, 32);
  return `${operationId}-${action}-${digest}`;
}

/** SHA-256 (hex) of a template's text: the name under which kaws keeps a copy (s3Keys.stackTemplate). */
export const templateFingerprint = (template: string) =>
  createHash('sha256').update(template, 'utf8').digest('hex');

/** The stack as it is deployed; `status` undefined when there is no such stack. */
export async function readDeployedStack(cfn: CloudFormationClient, name: string): Promise<DeployedStack> {
  let described: Stack | undefined;
  try {
    described = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (error) {
    if (isMissingStack(error)) return { name, parameters: {}, tags: {} };
    throw error;
  }
  if (!described || described.StackStatus === 'DELETE_COMPLETE') return { name, parameters: {}, tags: {} };
  const body = (await cfn.send(new GetTemplateCommand({ StackName: name, TemplateStage: 'Original' })))
    .TemplateBody;
  return {
    name,
    ...(described.StackStatus ? { status: described.StackStatus } : {}),
    ...(body !== undefined ? { template: body, fingerprint: templateFingerprint(body) } : {}),
    parameters: Object.fromEntries(
      (described.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']),
    ),
    tags: Object.fromEntries((described.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

export interface UpdateRequest {
  name: string;
  template: { body: string } | { url: string };
  /** A value, or `{ usePrevious: true }` to keep what the stack has (an image the stack already runs). */
  parameters: Record<string, string | { usePrevious: true }>;
  tags: Record<string, string>;
  clientRequestToken: string;
  /** CloudFormation's service role (as the stack was created with). */
  roleArn?: string;
}

/** Starts updating the stack. `updated: false`: CloudFormation found nothing to change. */
export async function updateStack(
  cfn: CloudFormationClient,
  request: UpdateRequest,
): Promise<{ updated: boolean }> {
  try {
    await cfn.send(
      new UpdateStackCommand({
        StackName: request.name,
        ...('body' in request.template
          ? { TemplateBody: request.template.body }
          : { TemplateURL: request.template.url }),
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: Object.entries(request.parameters).map(([ParameterKey, value]) =>
          typeof value === 'string'
            ? { ParameterKey, ParameterValue: value }
            : { ParameterKey, UsePreviousValue: true },
        ),
        Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
        ClientRequestToken: request.clientRequestToken,
        ...(request.roleArn ? { RoleARN: request.roleArn } : {}),
      }),
    );
    return { updated: true };
  } catch (error) {
    if (isNoUpdate(error)) return { updated: false };
    throw error;
  }
}

/** Asks CloudFormation to stop an update in progress and roll the stack back to what it ran before. */
export async function cancelUpdate(cfn: CloudFormationClient, name: string, token: string): Promise<void> {
  await cfn.send(new CancelUpdateStackCommand({ StackName: name, ClientRequestToken: token }));
}

/**
 * What a stack's status means while kaws updates it (`rollback`: while kaws puts it back). A stack
 * CloudFormation rolled back on its own (UPDATE_ROLLBACK_COMPLETE) failed the update, and is back where
 * a rollback wants it.
 */
export function phaseOfUpdate(status: string | undefined, purpose: 'update' | 'rollback'): StackPhase {
  if (status === undefined || status === 'DELETE_COMPLETE') return 'gone';
  if (status === 'UPDATE_COMPLETE' || status === 'CREATE_COMPLETE') return 'complete';
  if (status === 'UPDATE_ROLLBACK_COMPLETE') return purpose === 'rollback' ? 'complete' : 'failed';
  if (status.endsWith('_IN_PROGRESS')) return 'in-progress';
  // UPDATE_ROLLBACK_FAILED, UPDATE_FAILED, CREATE_FAILED, ROLLBACK_*, DELETE_FAILED.
  return 'failed';
}

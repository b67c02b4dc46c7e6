/**
 * The few deployer steps the deployment tests need (the real deployer is the workflows' job): put
 * the artifacts in S3, create or update a rendered stack, read a stack's outputs and resources.
 */
import {
  type CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type Stack,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RenderedCluster, RenderedStack } from '../../lib/render/index.ts';

export async function uploadArtifacts(
  s3: S3Client,
  rendered: RenderedCluster,
  bucket: string,
): Promise<void> {
  for (const upload of rendered.uploads) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: upload.key,
        Body: upload.body,
        ContentType: upload.contentType,
      }),
    );
  }
}

function templateSource(stack: RenderedStack, region: string) {
  return stack.templateLocation.kind === 'body'
    ? { TemplateBody: stack.template }
    : {
        TemplateURL: `https://${stack.templateLocation.bucket}.s3.${region}.amazonaws.com/${stack.templateLocation.key}`,
      };
}

function stackRequest(stack: RenderedStack, region: string, imageId: string) {
  return {
    StackName: stack.name,
    ...templateSource(stack, region),
    // Role names are CloudFormation's own: CAPABILITY_IAM, never CAPABILITY_NAMED_IAM.
    Capabilities: ['CAPABILITY_IAM' as const],
    Parameters: Object.entries(stack.parameters)
      .filter(([, parameter]) => parameter.default === undefined)
      .map(([key]) => ({ ParameterKey: key, ParameterValue: imageId })),
    Tags: Object.entries(stack.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

export async function describeStack(cfn: CloudFormationClient, name: string): Promise<Stack> {
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  if (!stack) throw new Error(`no stack ${name}`);
  return stack;
}

/** moto's CloudFormation is synchronous: the stack is complete (or CreateStack threw) when this returns. */
export async function createStack(
  cfn: CloudFormationClient,
  stack: RenderedStack,
  region: string,
  imageId: string,
) {
  await cfn.send(new CreateStackCommand(stackRequest(stack, region, imageId)));
  return describeStack(cfn, stack.name);
}

export async function updateStack(
  cfn: CloudFormationClient,
  stack: RenderedStack,
  region: string,
  imageId: string,
) {
  await cfn.send(new UpdateStackCommand(stackRequest(stack, region, imageId)));
  return describeStack(cfn, stack.name);
}

export function outputsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
}

/** Logical ID -> physical ID of a stack's resources. */
export async function resourcesOf(cfn: CloudFormationClient, name: string): Promise<Record<string, string>> {
  const result = await cfn.send(new DescribeStackResourcesCommand({ StackName: name }));
  return Object.fromEntries(
    (result.StackResources ?? []).map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '']),
  );
}

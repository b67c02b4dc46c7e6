/**
 * The embedded local cloud: an AWS emulator (moto, started here unless AWS_ENDPOINT_URL or
 * KAWS_AWS_ENDPOINT points at one already running) with kaws's own resources created from
 * infra/resources.yml, the same template serverless.yml deploys.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  CreateStackCommand,
  DescribeStacksCommand,
  type Output,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { type AwsClientConfig, type AwsClients, createAwsClients } from '../lib/aws/clients.ts';
import { type MotoServer, startMotoServer } from './moto-server.ts';

const RESOURCES_TEMPLATE = fileURLToPath(new URL('../infra/resources.yml', import.meta.url));

/** kaws's own resources, as the code receives them (Lambda environment on AWS). */
export interface KawsResources {
  tableName: string;
  keyArn: string;
  bucketName: string;
  eventBusName: string;
  eventBusArn: string;
}

export interface LocalCloud {
  endpoint: string;
  region: string;
  /** True when this process started the emulator (and stops it). */
  owned: boolean;
  awsConfig: AwsClientConfig;
  clients: AwsClients;
  resources: KawsResources;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'kaws-local', secretAccessKey: 'kaws-local' } as const;

function outputsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries(
    (stack.Outputs ?? []).map((o: Output) => [o.OutputKey ?? '', o.OutputValue ?? '']),
  );
}

/** Creates kaws's resources stack unless it exists, and returns its outputs. */
export async function ensureKawsResources(clients: AwsClients, stackName: string): Promise<KawsResources> {
  const cfn = clients.cloudformation;
  const existing = await cfn
    .send(new DescribeStacksCommand({ StackName: stackName }))
    .then((r) => r.Stacks?.[0])
    .catch(() => undefined);
  let stack = existing;
  if (!stack) {
    await cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: await readFile(RESOURCES_TEMPLATE, 'utf8'),
      }),
    );
    stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  }
  if (!stack) throw new Error(`stack ${stackName} was not created`);
  const out = outputsOf(stack);
  const need = (key: string): string => {
    const value = out[key];
    if (!value) throw new Error(`stack ${stackName} has no output ${key}`);
    return value;
  };
  return {
    tableName: need('TableName'),
    keyArn: need('KeyArn'),
    bucketName: need('BucketName'),
    eventBusName: need('EventBusName'),
    eventBusArn: need('EventBusArn'),
  };
}

export interface LocalCloudOptions {
  /** Use this emulator instead of starting moto. Default: AWS_ENDPOINT_URL or KAWS_AWS_ENDPOINT. */
  endpoint?: string;
  region?: string;
  /** Name of kaws's resources stack. Default `kaws-local`. */
  stackName?: string;
}

/** Starts (or connects to) the local cloud and makes sure kaws's resources exist in it. */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const external = options.endpoint ?? process.env.KAWS_AWS_ENDPOINT ?? process.env.AWS_ENDPOINT_URL;
  const moto: MotoServer | undefined = external ? undefined : await startMotoServer();
  const endpoint = external ?? (moto as MotoServer).endpoint;
  const awsConfig: AwsClientConfig = { region, endpoint, credentials: { ...LOCAL_CREDENTIALS } };
  const clients = createAwsClients(awsConfig);
  try {
    const resources = await ensureKawsResources(clients, options.stackName ?? 'kaws-local');
    return {
      endpoint,
      region,
      owned: Boolean(moto),
      awsConfig,
      clients,
      resources,
      stop: async () => {
        await moto?.stop();
      },
    };
  } catch (error) {
    await moto?.stop();
    throw error;
  }
}

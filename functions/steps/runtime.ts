/**
 * The composition root of the step functions on Lambda: configuration read from the environment and
 * validated once per cold start, AWS clients built once (lib/aws/clients.ts), the store, the bus, the
 * image source and the endpoint resolver wired into WorkflowDeps. The local engine builds its own
 * WorkflowDeps from the local cloud (local/engine.ts); nothing else differs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { monotonicFactory } from 'ulid';
import * as z from 'zod';
import { createAwsClients } from '../../lib/aws/clients.ts';
import { flatcarImages } from '../../lib/aws/cloudformation-images.ts';
import { EventBridgePublisher } from '../../lib/aws/events.ts';
import { createDnsEndpointResolver } from '../../lib/service/cluster-endpoints.ts';
import { DynamoClusterStore } from '../../lib/store/dynamo-cluster-store.ts';
import { systemTlsDependencies } from '../../lib/tls/index.ts';
import { DEFAULT_WORKFLOW_SETTINGS, type WorkflowDeps } from '../../lib/workflow/deps.ts';
import type { Step } from './define.ts';

const seconds = z.coerce.number().int().positive();

/** The environment the step functions read (serverless.yml sets it). */
export const StepEnvSchema = z.object({
  AWS_REGION: z.string().min(1),
  KAWS_TABLE: z.string().min(1),
  KAWS_BUCKET: z.string().min(1),
  KAWS_KMS_KEY_ARN: z.string().regex(/^arn:[\w-]+:kms:/),
  KAWS_EVENT_BUS: z.string().min(1),
  KAWS_STACK_ROLE_ARN: z
    .string()
    .regex(/^arn:[\w-]+:iam::\d{12}:role\/.+$/)
    .optional(),
  KAWS_NODE_ASSETS_KEY: z.enum(['spec', 'kaws']).default(DEFAULT_WORKFLOW_SETTINGS.nodeAssetsKey),
  KAWS_STACK_TIMEOUT_SECONDS: seconds.default(DEFAULT_WORKFLOW_SETTINGS.stackTimeoutSeconds),
  KAWS_HEALTH_TIMEOUT_SECONDS: seconds.default(DEFAULT_WORKFLOW_SETTINGS.healthTimeoutSeconds),
  KAWS_POLL_INITIAL_SECONDS: seconds.default(DEFAULT_WORKFLOW_SETTINGS.pollInitialSeconds),
  KAWS_POLL_MAX_SECONDS: seconds.default(DEFAULT_WORKFLOW_SETTINGS.pollMaxSeconds),
});

/** Reads and validates the environment; throws naming every problem. */
export function workflowDepsFromEnv(env: Record<string, string | undefined>): WorkflowDeps {
  const parsed = StepEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const clients = createAwsClients({ region: e.AWS_REGION });
  const store = new DynamoClusterStore({ documents: clients.documents, tableName: e.KAWS_TABLE });
  const nextUlid = monotonicFactory();
  return {
    store,
    clock: { now: () => new Date() },
    ids: { next: () => nextUlid() },
    s3: clients.s3,
    kms: clients.kms,
    cloudformation: clients.cloudformation,
    events: new EventBridgePublisher(clients.eventbridge, e.KAWS_EVENT_BUS),
    images: flatcarImages(clients.ec2),
    endpoints: createDnsEndpointResolver(
      async (name) => (await store.getCluster(name))?.spec.apiEndpoints[0]?.dnsName,
    ),
    tls: systemTlsDependencies,
    settings: {
      region: e.AWS_REGION,
      bucket: e.KAWS_BUCKET,
      bucketKeyArn: e.KAWS_KMS_KEY_ARN,
      kmsKeyArn: e.KAWS_KMS_KEY_ARN,
      nodeAssetsKey: e.KAWS_NODE_ASSETS_KEY,
      ...(e.KAWS_STACK_ROLE_ARN ? { stackRoleArn: e.KAWS_STACK_ROLE_ARN } : {}),
      stackTimeoutSeconds: e.KAWS_STACK_TIMEOUT_SECONDS,
      healthTimeoutSeconds: e.KAWS_HEALTH_TIMEOUT_SECONDS,
      pollInitialSeconds: e.KAWS_POLL_INITIAL_SECONDS,
      pollMaxSeconds: e.KAWS_POLL_MAX_SECONDS,
    },
  };
}

const logger = new Logger({ serviceName: 'kaws-steps' });
let deps: WorkflowDeps | undefined;

/** The Lambda handler of a step: deps built on first use, one log line per invocation (never the input). */
export function lambdaHandler<Output>(step: Step<unknown, Output>) {
  return async (event: unknown): Promise<Output> => {
    deps ??= workflowDepsFromEnv(process.env);
    const started = performance.now();
    const operationId = (event as { operationId?: unknown } | null)?.operationId;
    try {
      const output = await step.run(deps, event);
      logger.info('step succeeded', {
        step: step.name,
        operationId,
        ms: Math.round(performance.now() - started),
      });
      return output;
    } catch (error) {
      const { name, message } = error as Error;
      logger.warn('step failed', { step: step.name, operationId, error: { name, message } });
      throw error;
    }
  };
}

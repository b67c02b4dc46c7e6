/**
 * The composition root of the API functions: configuration read from the environment and validated once
 * per cold start, AWS clients built once (lib/aws/clients.ts), the store, the clock and the id generator.
 * The workflow starter is wired in mutation-deps.ts, so only the functions that start workflows carry
 * the Step Functions client. The local server installs an App built from the local cloud's endpoint and
 * resources instead; nothing else differs.
 */
import { monotonicFactory } from 'ulid';
import * as z from 'zod';
import { type AwsClientConfig, createDynamoDbClients } from '../../lib/aws/clients.ts';
import type { ClusterEndpointResolver } from '../../lib/service/cluster-endpoints.ts';
import { IdempotencyGuard } from '../../lib/service/idempotency.ts';
import type { Clock, ClusterStore, IdGenerator, WorkflowStarter } from '../../lib/service/ports.ts';
import { DynamoClusterStore } from '../../lib/store/dynamo-cluster-store.ts';
import { DynamoIdempotencyStore } from '../../lib/store/dynamo-idempotency-store.ts';
import type { WorkflowDeps } from '../../lib/workflow/deps.ts';

const stateMachineArn = z.string().regex(/^arn:[\w-]+:states:[\w-]+:\d{12}:stateMachine:[\w-]+$/);

/** The environment the API functions read (serverless.yml sets it). */
export const EnvSchema = z
  .object({
    AWS_REGION: z.string().min(1),
    KAWS_TABLE: z.string().min(1),
    /** kaws's bucket (cluster credentials); POST /clusters/{name}/kubeconfig needs it. */
    KAWS_BUCKET: z.string().min(1).optional(),
    /** All three, or none: operations then stay PENDING (no workflows deployed yet). */
    KAWS_CREATE_STATE_MACHINE_ARN: stateMachineArn.optional(),
    KAWS_UPDATE_STATE_MACHINE_ARN: stateMachineArn.optional(),
    KAWS_DELETE_STATE_MACHINE_ARN: stateMachineArn.optional(),
  })
  .refine(
    (env) =>
      [
        env.KAWS_CREATE_STATE_MACHINE_ARN,
        env.KAWS_UPDATE_STATE_MACHINE_ARN,
        env.KAWS_DELETE_STATE_MACHINE_ARN,
      ].filter(Boolean).length %
        3 ===
      0,
    { message: 'set all of KAWS_{CREATE,UPDATE,DELETE}_STATE_MACHINE_ARN or none' },
  );

export interface AppConfig {
  aws: AwsClientConfig;
  tableName: string;
  /** kaws's bucket: where each cluster's credential envelope is. */
  bucketName?: string;
  stateMachines?: { CREATE: string; UPDATE: string; DELETE: string };
}

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; throws ConfigError naming every problem. */
export function configFromEnv(env: Record<string, string | undefined>): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    aws: { region: e.AWS_REGION },
    tableName: e.KAWS_TABLE,
    ...(e.KAWS_BUCKET ? { bucketName: e.KAWS_BUCKET } : {}),
    ...(e.KAWS_CREATE_STATE_MACHINE_ARN && e.KAWS_UPDATE_STATE_MACHINE_ARN && e.KAWS_DELETE_STATE_MACHINE_ARN
      ? {
          stateMachines: {
            CREATE: e.KAWS_CREATE_STATE_MACHINE_ARN,
            UPDATE: e.KAWS_UPDATE_STATE_MACHINE_ARN,
            DELETE: e.KAWS_DELETE_STATE_MACHINE_ARN,
          },
        }
      : {}),
  };
}

export interface App {
  config: AppConfig;
  store: ClusterStore;
  idempotency: IdempotencyGuard;
  clock: Clock;
  ids: IdGenerator;
  /** Set by whoever composes locally (the local engine); otherwise built from config on first mutation. */
  workflows?: WorkflowStarter;
  /** Where clusters' API servers are: the local stand-ins' map locally; otherwise the spec's DNS name. */
  endpoints?: ClusterEndpointResolver;
  /** The workflows' dependencies (plan, export): the local engine's locally; otherwise from the environment. */
  workflowDeps?: WorkflowDeps;
}

/**
 * Wires the parts every function shares. `workflows`: a starter to use instead of the configured one;
 * `endpoints`: the local endpoint map; `workflowDeps`: the local engine's (plan and export render with them).
 */
export function buildApp(
  config: AppConfig,
  overrides: {
    workflows?: WorkflowStarter;
    endpoints?: ClusterEndpointResolver;
    workflowDeps?: WorkflowDeps;
  } = {},
): App {
  // Only the clients the API uses: a bundle of these functions carries no other AWS SDK client.
  const clients = createDynamoDbClients(config.aws);
  const clock = { now: () => new Date() };
  const nextUlid = monotonicFactory();
  return {
    config,
    store: new DynamoClusterStore({ documents: clients.documents, tableName: config.tableName }),
    idempotency: new IdempotencyGuard(
      new DynamoIdempotencyStore({ documents: clients.documents, tableName: config.tableName }),
      clock,
    ),
    clock,
    ids: { next: () => nextUlid() },
    ...(overrides.workflows ? { workflows: overrides.workflows } : {}),
    ...(overrides.endpoints ? { endpoints: overrides.endpoints } : {}),
    ...(overrides.workflowDeps ? { workflowDeps: overrides.workflowDeps } : {}),
  };
}

let current: App | undefined;

/** The App of this process: built from the environment on first use (once per cold start). */
export function app(): App {
  current ??= buildApp(configFromEnv(process.env));
  return current;
}

/** Installs a prebuilt App (the local server, tests) before the first request. */
export function installApp(installed: App): void {
  current = installed;
}

/**
 * The one place that builds AWS SDK v3 clients. Everything else receives clients (or this bag)
 * as arguments, so the same code talks to AWS or to the local cloud depending only on config.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsClientConfig {
  region: string;
  /** Custom endpoint (the local cloud); absent on AWS. */
  endpoint?: string;
  /** Static credentials (the local cloud); absent on AWS, where the default chain applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per call, including the first (SDK standard retry mode with backoff). Default 3. */
  maxAttempts?: number;
}

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  /** Document client over `dynamodb` (plain JS values, undefined removed). */
  readonly documents: DynamoDBDocumentClient;
  readonly kms: KMSClient;
  readonly s3: S3Client;
  readonly cloudformation: CloudFormationClient;
  readonly sfn: SFNClient;
  readonly eventbridge: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly ec2: EC2Client;
  readonly autoscaling: AutoScalingClient;
  readonly elb: ElasticLoadBalancingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly route53: Route53Client;
  readonly iam: IAMClient;
}

/** Options every client shares. */
function baseOptions(config: AwsClientConfig) {
  return {
    region: config.region,
    maxAttempts: config.maxAttempts ?? 3,
    retryMode: 'standard' as const,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  };
}

/** The document client over a DynamoDB client (plain JS values, undefined removed). */
function documentClientOf(dynamodb: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * DynamoDB and its document client alone. A Lambda bundle that imports only this (not createAwsClients)
 * contains only the DynamoDB SDK: the bag below references every client, so it bundles them all.
 */
export function createDynamoDbClients(config: AwsClientConfig): Pick<AwsClients, 'dynamodb' | 'documents'> {
  const dynamodb = new DynamoDBClient(baseOptions(config));
  return { dynamodb, documents: documentClientOf(dynamodb) };
}

/** The Step Functions client alone (see createDynamoDbClients). */
export function createSfnClient(config: AwsClientConfig): SFNClient {
  return new SFNClient(baseOptions(config));
}

/** The KMS client alone (see createDynamoDbClients): the kubeconfig function opens the CA with it. */
export function createKmsClient(config: AwsClientConfig): KMSClient {
  return new KMSClient(baseOptions(config));
}

/** The S3 client alone (see createDynamoDbClients), path-style against a local endpoint as below. */
export function createS3Client(config: AwsClientConfig): S3Client {
  return new S3Client({ ...baseOptions(config), forcePathStyle: Boolean(config.endpoint) });
}

/**
 * Builds the client bag. Clients are created lazily, on first use, so a Lambda that needs only
 * DynamoDB pays for nothing else at cold start.
 */
export function createAwsClients(config: AwsClientConfig): AwsClients {
  const base = baseOptions(config);
  const cache = new Map<string, unknown>();
  const lazy = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  const clients: AwsClients = {
    get dynamodb() {
      return lazy('dynamodb', () => new DynamoDBClient(base));
    },
    get documents() {
      return lazy('documents', () => documentClientOf(clients.dynamodb));
    },
    get kms() {
      return lazy('kms', () => new KMSClient(base));
    },
    // Path-style addressing: the local cloud has no wildcard DNS for virtual-hosted buckets.
    get s3() {
      return lazy('s3', () => new S3Client({ ...base, forcePathStyle: Boolean(config.endpoint) }));
    },
    get cloudformation() {
      return lazy('cloudformation', () => new CloudFormationClient(base));
    },
    get sfn() {
      return lazy('sfn', () => new SFNClient(base));
    },
    get eventbridge() {
      return lazy('eventbridge', () => new EventBridgeClient(base));
    },
    get sqs() {
      return lazy('sqs', () => new SQSClient(base));
    },
    get ec2() {
      return lazy('ec2', () => new EC2Client(base));
    },
    get autoscaling() {
      return lazy('autoscaling', () => new AutoScalingClient(base));
    },
    get elb() {
      return lazy('elb', () => new ElasticLoadBalancingClient(base));
    },
    get elbv2() {
      return lazy('elbv2', () => new ElasticLoadBalancingV2Client(base));
    },
    get route53() {
      return lazy('route53', () => new Route53Client(base));
    },
    get iam() {
      return lazy('iam', () => new IAMClient(base));
    },
  };
  return clients;
}

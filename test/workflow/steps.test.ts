/**
 * The steps one by one, on the local cloud: render-credentials stores sealed envelopes and, run again,
 * reuses the stored CA and writes nothing; the events built from the history match their JSON Schemas;
 * errors are classified as the ASL expects; a malformed input or configuration is named, not crashed on.
 */
import { readFileSync } from 'node:fs';
import { GetObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { step as renderCredentialsStep } from '../../functions/steps/render-credentials.ts';
import { workflowDepsFromEnv } from '../../functions/steps/runtime.ts';
import { openClusterCredentials } from '../../lib/aws/assets.ts';
import { parseEnvelope } from '../../lib/aws/envelope.ts';
import { roleAssets } from '../../lib/render/input.ts';
import { s3Keys } from '../../lib/render/naming.ts';
import { CLUSTER_STATUSES, OPERATION_STATUSES } from '../../lib/service/cluster-status.ts';
import type { ClusterEvent } from '../../lib/service/model.ts';
import { renderCredentials } from '../../lib/workflow/credentials.ts';
import { isTransientAwsError, StepError, toStepError } from '../../lib/workflow/errors.ts';
import { busEventsOf } from '../../lib/workflow/events.ts';
import {
  causeMessage,
  type OperationInput,
  startOperation,
  stepOfState,
} from '../../lib/workflow/operation.ts';
import { localCloud } from '../support/local-cloud.ts';
import { haSpec, uniqueName, workflowHarness } from './support.ts';

const { clients, resources } = localCloud();
const nextId = monotonicFactory();

describe('render-credentials', () => {
  const harness = workflowHarness();
  const name = uniqueName('creds');
  let input: OperationInput;

  beforeAll(async () => {
    const { operation } = await harness.store.requestOperation({
      clusterName: name,
      type: 'CREATE',
      caller: 'tester',
      operationId: nextId(),
      eventId: nextId(),
      now: new Date(),
      spec: haSpec(name),
    });
    input = {
      operationId: operation.id,
      clusterName: name,
      type: 'CREATE',
      specVersion: operation.specVersion,
    };
    await startOperation(harness.deps, input);
  });
  afterAll(() => harness.stop());

  const versions = async () =>
    (
      await clients.s3.send(
        new ListObjectVersionsCommand({ Bucket: resources.bucketName, Prefix: s3Keys.credentials(name) }),
      )
    ).Versions?.map((v) => `${v.Key}@${v.VersionId}`) ?? [];

  const objectText = async (key: string) =>
    (
      await clients.s3.send(new GetObjectCommand({ Bucket: resources.bucketName, Key: key }))
    ).Body?.transformToString();

  it('stores kaws envelope (every asset) and one envelope per node role (only its assets), sealed', async () => {
    const result = await renderCredentials(harness.deps, input);
    expect(result.written.sort()).toEqual(
      [
        s3Keys.clusterEnvelope(name),
        s3Keys.roleEnvelope(name, 'controller'),
        s3Keys.roleEnvelope(name, 'etcd'),
        s3Keys.roleEnvelope(name, 'worker'),
      ].sort(),
    );
    expect(result.changed).toContain('ca');
    const cluster = parseEnvelope((await objectText(s3Keys.clusterEnvelope(name))) ?? '');
    expect(Object.keys(cluster.assets)).toContain('ca-key.pem');
    expect(cluster.keyId).toBe(resources.keyArn);
    expect(cluster.encryptionContext).toEqual({ cluster: name });
    for (const role of ['etcd', 'controller', 'worker'] as const) {
      const text = (await objectText(s3Keys.roleEnvelope(name, role))) ?? '';
      expect(Object.keys(parseEnvelope(text).assets).sort(), role).toEqual([...roleAssets[role]].sort());
      expect(text, role).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    }
  });

  it('run again (a retry), reuses the stored CA and every asset: no KMS seal, no S3 write', async () => {
    const before = await versions();
    const ca = await openClusterCredentials({
      s3: clients.s3,
      kms: clients.kms,
      bucket: resources.bucketName,
      clusterName: name,
      names: ['ca.pem', 'ca-key.pem', 'admin.pem'],
    });
    const again = await renderCredentialsStep.run(harness.deps, input);
    expect(again).toEqual({ changed: [], written: [] });
    expect(await versions()).toEqual(before);
    const after = await openClusterCredentials({
      s3: clients.s3,
      kms: clients.kms,
      bucket: resources.bucketName,
      clusterName: name,
      names: ['ca.pem', 'ca-key.pem', 'admin.pem'],
    });
    expect(after).toEqual(ca);
  });

  it('records the step once, as its first run worded it', async () => {
    const operation = await harness.store.getOperation(input.operationId);
    const steps = operation?.steps.filter((s) => s.name === 'render-credentials') ?? [];
    expect(steps).toHaveLength(1);
    expect(steps[0]?.message).toBe(
      'rendered 9 assets (ca, service-account: generated; apiserver, worker, admin, etcd, etcd-client, kube-controller-manager, kube-scheduler: a new CA was generated)',
    );
    const history = (await harness.store.listEvents(name, { limit: 50 })).items;
    expect(history.filter((e) => e.step === 'render-credentials')).toHaveLength(1);
  });

  it('refuses a malformed input, naming each field', async () => {
    await expect(
      renderCredentialsStep.run(harness.deps, { operationId: 7, clusterName: name }),
    ).rejects.toMatchObject({
      name: 'InvalidStepInput',
      message:
        'render-credentials: invalid input: operationId: Invalid input: expected string, received number; ' +
        'type: Invalid option: expected one of "CREATE"|"UPDATE"|"DELETE"; ' +
        'specVersion: Invalid input: expected number, received undefined',
    });
  });
});

describe('events built from the history match schemas/events/*.json', () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const schemas = {
    'Cluster State Change': ajv.compile(
      JSON.parse(readFileSync('schemas/events/cluster-state-change.json', 'utf8')),
    ),
    'Operation State Change': ajv.compile(
      JSON.parse(readFileSync('schemas/events/operation-state-change.json', 'utf8')),
    ),
  };
  const delivered = (detailType: string, detail: Record<string, unknown>) => ({
    id: 'e5a8b2c4-0000-0000-0000-000000000000',
    source: 'kaws',
    'detail-type': detailType,
    time: '2030-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  });
  const entry = (overrides: Partial<ClusterEvent>): ClusterEvent => ({
    id: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
    clusterName: 'prod-east',
    type: 'OPERATION_REQUESTED',
    time: '2030-01-01T00:00:00.000Z',
    caller: 'arn:aws:iam::123456789012:user/alice',
    operationId: '01HYYYYYYYYYYYYYYYYYYYYYYY',
    operationType: 'CREATE',
    newStatus: 'CREATE_PENDING',
    ...overrides,
  });

  it('a first create: previous status null, operation null -> PENDING; same eventId in both', () => {
    const [cluster, operation] = busEventsOf(entry({}));
    expect(cluster?.detail).toEqual({
      eventId: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
      clusterName: 'prod-east',
      previousStatus: null,
      status: 'CREATE_PENDING',
      operationId: '01HYYYYYYYYYYYYYYYYYYYYYYY',
      operationType: 'CREATE',
      caller: 'arn:aws:iam::123456789012:user/alice',
      time: '2030-01-01T00:00:00.000Z',
    });
    expect(operation?.detail).toMatchObject({
      previousStatus: null,
      status: 'PENDING',
      clusterStatus: 'CREATE_PENDING',
    });
    for (const event of [cluster, operation]) {
      const validate = schemas[event?.detailType as keyof typeof schemas];
      expect(
        validate(delivered(event?.detailType ?? '', event?.detail ?? {})),
        ajv.errorsText(validate.errors),
      ).toBe(true);
    }
  });

  it('a failure carries the reason, and the code and step on the operation event', () => {
    const failed = entry({
      type: 'OPERATION_FAILED',
      previousStatus: 'CREATE_IN_PROGRESS',
      newStatus: 'CREATE_FAILED',
      reason: 'deploy-stack:prod-east-etcd failed: stack prod-east-etcd ended ROLLBACK_COMPLETE',
    });
    const [cluster, operation] = busEventsOf(failed, {
      code: 'StackFailed',
      message: 'deploy-stack:prod-east-etcd failed: stack prod-east-etcd ended ROLLBACK_COMPLETE',
      step: 'deploy-stack:prod-east-etcd',
    });
    expect(cluster?.detail.reason).toBe(failed.reason);
    expect(operation?.detail).toMatchObject({
      previousStatus: 'IN_PROGRESS',
      status: 'FAILED',
      error: { code: 'StackFailed', step: 'deploy-stack:prod-east-etcd' },
    });
    expect(
      schemas['Operation State Change'](delivered('Operation State Change', operation?.detail ?? {})),
    ).toBe(true);
    // A start that never happened fails the operation from PENDING.
    const [, refused] = busEventsOf({ ...failed, previousStatus: 'CREATE_PENDING' });
    expect(refused?.detail.previousStatus).toBe('PENDING');
  });

  it('step progress is history only: nothing to publish', () => {
    expect(
      busEventsOf(entry({ type: 'STEP_PROGRESS', newStatus: undefined, step: 'render-stacks' })),
    ).toEqual([]);
  });

  it('the schemas list exactly the statuses the code has', () => {
    const cluster = JSON.parse(readFileSync('schemas/events/cluster-state-change.json', 'utf8'));
    const operation = JSON.parse(readFileSync('schemas/events/operation-state-change.json', 'utf8'));
    expect(cluster.properties.detail.properties.status.enum).toEqual([...CLUSTER_STATUSES]);
    expect(operation.properties.detail.properties.status.enum).toEqual([...OPERATION_STATUSES]);
    expect(operation.properties.detail.properties.clusterStatus.enum).toEqual([...CLUSTER_STATUSES]);
  });

  it('a detail with an unknown status or a missing eventId is refused by the schema', () => {
    const [cluster] = busEventsOf(entry({}));
    const validate = schemas['Cluster State Change'];
    expect(validate(delivered('Cluster State Change', { ...cluster?.detail, status: 'RUNNING' }))).toBe(
      false,
    );
    const { eventId: _dropped, ...noId } = cluster?.detail ?? {};
    expect(validate(delivered('Cluster State Change', noId))).toBe(false);
  });
});

describe('error classification (what the ASL retries)', () => {
  const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, ...extra });

  it.each([
    ['ThrottlingException', {}],
    ['Throttling', {}],
    ['TooManyRequestsException', {}],
    ['ProvisionedThroughputExceededException', {}],
    ['ServiceUnavailable', {}],
    ['InternalFailure', {}],
    ['SomethingNew', { $metadata: { httpStatusCode: 503 } }],
    ['SomethingNew', { $retryable: { throttling: true } }],
    ['Error', { code: 'ECONNRESET' }],
    ['ConcurrentModificationError', {}],
  ])('%s %j is transient: TransientAwsError', (name, extra) => {
    const error = sdkError(name, extra);
    expect(isTransientAwsError(error)).toBe(true);
    expect(toStepError(error)).toMatchObject({
      name: 'TransientAwsError',
      message: `${name}: ${name} happened`,
    });
  });

  it.each([
    ['ValidationError', { $metadata: { httpStatusCode: 400 } }],
    ['AccessDeniedException', { $metadata: { httpStatusCode: 400 } }],
    ['AlreadyExistsException', {}],
    ['EnvelopeError', {}],
  ])('%s is not transient: caught as it is', (name, extra) => {
    const error = sdkError(name, extra);
    expect(isTransientAwsError(error)).toBe(false);
    expect(toStepError(error)).toBe(error);
  });

  it('keeps a StepError as it is', () => {
    const error = new StepError('StackTimeout', 'too slow');
    expect(toStepError(error)).toBe(error);
  });

  it("reads a Lambda error's Cause (JSON) and a local one (text)", () => {
    expect(
      causeMessage('{"errorType":"StackFailed","errorMessage":"stack x ended ROLLBACK_COMPLETE","trace":[]}'),
    ).toBe('stack x ended ROLLBACK_COMPLETE');
    expect(causeMessage('plain words')).toBe('plain words');
    expect(causeMessage(undefined)).toBe('no cause given');
  });

  it('names a step after its state', () => {
    expect(stepOfState('DeployControlPlaneStack')).toBe('deploy-control-plane-stack');
    expect(stepOfState('StartHealthCheck')).toBe('start-health-check');
  });
});

describe('step configuration on Lambda', () => {
  it('names every missing or malformed variable', () => {
    expect(() =>
      workflowDepsFromEnv({ AWS_REGION: 'us-east-1', KAWS_KMS_KEY_ARN: 'nope', KAWS_POLL_MAX_SECONDS: '-1' }),
    ).toThrow(
      'invalid configuration: KAWS_TABLE: Invalid input: expected string, received undefined; ' +
        'KAWS_BUCKET: Invalid input: expected string, received undefined; ' +
        'KAWS_KMS_KEY_ARN: Invalid string: must match pattern /^arn:[\\w-]+:kms:/; ' +
        'KAWS_EVENT_BUS: Invalid input: expected string, received undefined; ' +
        'KAWS_POLL_MAX_SECONDS: Too small: expected number to be >0',
    );
  });

  it('reads a complete environment with the documented defaults', () => {
    const deps = workflowDepsFromEnv({
      AWS_REGION: 'us-east-1',
      KAWS_TABLE: 't',
      KAWS_BUCKET: 'b',
      KAWS_KMS_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:key/k',
      KAWS_EVENT_BUS: 'bus',
    });
    expect(deps.settings).toEqual({
      region: 'us-east-1',
      bucket: 'b',
      bucketKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
      kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
      nodeAssetsKey: 'spec',
      stackTimeoutSeconds: 3600,
      healthTimeoutSeconds: 1200,
      pollInitialSeconds: 5,
      pollMaxSeconds: 120,
    });
  });
});

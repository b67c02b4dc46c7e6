/**
 * `kaws status`, the real CLI against the local API (operations driven through the store as a workflow
 * drives them): one cluster in text and JSON (status, reason, endpoint, current operation with its
 * running step), every cluster, and the API's refusals.
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliApi, kaws, specFile, startCliApi } from '../kube/cli-support.ts';
import { uniqueName } from '../kube/support.ts';

describe('kaws status', () => {
  let api: CliApi;
  const active = uniqueName('status');
  const failed = uniqueName('status-failed');
  let activeOperation = '';

  async function created(name: string): Promise<string> {
    const run = await kaws(api, ['up', '-f', await specFile(api, name), '--no-wait']);
    expect(run.code, run.stderr).toBe(0);
    return /operation ([0-9A-Z]{26})/.exec(run.stdout)?.[1] ?? '';
  }

  beforeAll(async () => {
    api = await startCliApi('pending');
    activeOperation = await created(active);
    await api.store.startOperation({ operationId: activeOperation, now: new Date(), eventId: ulid() });
    await api.store.recordStep({
      operationId: activeOperation,
      now: new Date(),
      eventId: ulid(),
      step: { name: 'check-health', status: 'IN_PROGRESS', message: 'Ready nodes: general 1/3' },
    });
    const failing = await created(failed);
    await api.store.failOperation({
      operationId: failing,
      now: new Date(),
      eventId: ulid(),
      error: { code: 'StackFailed', message: 'stack x-etcd ended ROLLBACK_COMPLETE: volume limit' },
    });
  });
  afterAll(() => api?.close());

  it('shows a cluster being created: status, endpoint to be, the operation and its running step', async () => {
    const run = await kaws(api, ['status', active]);
    expect(run.code, run.stderr).toBe(0);
    const fields = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, 14).trim(), line.slice(14)]),
    );
    expect(fields).toMatchObject({
      cluster: active,
      status: 'CREATE_IN_PROGRESS',
      endpoint: '(not yet; https://api.prod-east.example.com)',
      operation: `CREATE ${activeOperation} IN_PROGRESS (check-health)`,
      'node pools': 'general 3 x m5.xlarge, spot 1 x c5.xlarge (spot, max $0.10/h), gpu 1 x g5.xlarge',
    });
  });

  it('--output json: the API representation, ACTIVE with the API endpoint once the create succeeds', async () => {
    await api.store.succeedOperation({
      operationId: activeOperation,
      now: new Date(),
      eventId: ulid(),
      outputs: { apiEndpoint: 'https://api.prod-east.example.com' },
    });
    const run = await kaws(api, ['status', active, '--output', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const cluster = JSON.parse(run.stdout) as {
      name: string;
      status: string;
      outputs: Record<string, string>;
      currentOperation?: unknown;
    };
    expect(cluster).toMatchObject({
      name: active,
      status: 'ACTIVE',
      outputs: { apiEndpoint: 'https://api.prod-east.example.com' },
    });
    expect(cluster.currentOperation).toBeUndefined();
    const text = await kaws(api, ['status', active]);
    expect(text.stdout).toMatch(/^endpoint {6}https:\/\/api\.prod-east\.example\.com$/m);
  });

  it('shows why a cluster failed', async () => {
    const run = await kaws(api, ['status', failed]);
    expect(run.stdout).toMatch(/^status {8}CREATE_FAILED$/m);
    expect(run.stdout).toMatch(/^reason {8}stack x-etcd ended ROLLBACK_COMPLETE: volume limit$/m);
  });

  it('without NAME: every cluster, one row each', async () => {
    const run = await kaws(api, ['status']);
    expect(run.code, run.stderr).toBe(0);
    const [header, ...rows] = run.stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'STATUS', 'OPERATION', 'UPDATED']);
    expect(
      rows
        .find((row) => row.startsWith(`${active} `))
        ?.split(/\s+/)
        .slice(1, 3),
    ).toEqual(['ACTIVE', '-']);
    expect(rows.find((row) => row.startsWith(`${failed} `))?.split(/\s+/)[1]).toBe('CREATE_FAILED');
    const json = JSON.parse((await kaws(api, ['status', '-o', 'json'])).stdout) as Array<{ name: string }>;
    expect(json.map((c) => c.name)).toEqual(expect.arrayContaining([active, failed]));
  });

  it('an unknown cluster is exit 1 with the API problem; a bad --output is a usage error (exit 2)', async () => {
    const missing = await kaws(api, ['status', 'no-such-cluster']);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      'kaws: Not Found: no cluster named no-such-cluster\n',
    ]);
    const usage = await kaws(api, ['status', active, '--output', 'yaml']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("argument 'yaml' is invalid");
  });
});

/**
 * `kaws up`, the real CLI against the local API: on the local engine (as `npm start`) the HA example
 * becomes ACTIVE with every stack, progress shown step by step; a re-run follows the same operation
 * instead of creating twice; with operations left PENDING, --no-wait returns at once and a failure
 * driven through the store ends the command with exit 1 and the failing step; bad input is refused
 * with every problem's path.
 */
import { createServer } from 'node:net';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackNames } from '../../lib/render/naming.ts';
import { type CliApi, kaws, specFile, startCliApi, startKaws } from '../kube/cli-support.ts';
import { uniqueName } from '../kube/support.ts';
import { localCloud } from '../support/local-cloud.ts';

const cloud = localCloud();

/** A loopback port nothing listens on (taken, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function stackStatus(name: string): Promise<string | undefined> {
  const result = await cloud.clients.cloudformation.send(new DescribeStacksCommand({ StackName: name }));
  return result.Stacks?.[0]?.StackStatus;
}

describe('kaws up, on the local engine', () => {
  let api: CliApi;
  const name = uniqueName('up');
  beforeAll(async () => {
    api = await startCliApi('local');
  });
  afterAll(async () => {
    // Leave the shared cloud as it was: the stacks go with the cluster.
    await kaws(api, ['destroy', name, '--force']);
    await api?.close();
  });

  it('creates the cluster and shows its progress until it is ACTIVE (exit 0), every stack created', async () => {
    const file = await specFile(api, name);
    const run = await kaws(api, ['up', '-f', file, '--interval', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^kaws: creating cluster ${name}: operation [0-9A-Z]{26}$`));
    for (const step of [
      'render-credentials',
      'render-stacks',
      `deploy-stack:${stackNames.network(name)}`,
      `deploy-stack:${stackNames.nodePool(name, 'gpu')}`,
      'check-health',
    ]) {
      expect(
        lines.some((line) => new RegExp(`^ {2}\\d\\d:\\d\\d:\\d\\d {2}${step} +SUCCEEDED`).test(line)),
        step,
      ).toBe(true);
    }
    expect(run.stdout).toMatch(
      /check-health +SUCCEEDED +readyz ok; Ready nodes: general 3\/3, spot 1\/1, gpu 1\/1/,
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `kaws: cluster ${name} is ACTIVE after \\d+s; API endpoint https://api.prod-east.example.com`,
      ),
    );
    for (const stack of [
      stackNames.network(name),
      stackNames.etcd(name),
      stackNames.controlPlane(name),
      stackNames.nodePool(name, 'general'),
      stackNames.nodePool(name, 'spot'),
      stackNames.nodePool(name, 'gpu'),
    ]) {
      expect(await stackStatus(stack), stack).toBe('CREATE_COMPLETE');
    }
  });

  it('run again with the same file: follows the same operation, creates nothing twice', async () => {
    const file = await specFile(api, name);
    const run = await kaws(api, ['up', '-f', file, '--interval', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^kaws: this spec was already submitted: following cluster ${name}'s operation`),
    );
    expect(run.stdout).toContain(`kaws: cluster ${name} is ACTIVE`);
    const operations = await api.store.listOperations(name, { limit: 10 });
    expect(operations.items.map((o) => o.type)).toEqual(['CREATE']);
  });
});

describe('kaws up, operations left PENDING', () => {
  let api: CliApi;
  beforeAll(async () => {
    api = await startCliApi('pending');
  });
  afterAll(() => api?.close());

  it('--no-wait: returns once the create is accepted', async () => {
    const name = uniqueName('nowait');
    const run = await kaws(api, ['up', '-f', await specFile(api, name), '--no-wait']);
    expect(run.code).toBe(0);
    const id = /operation ([0-9A-Z]{26})/.exec(run.stdout)?.[1] ?? '';
    expect((await api.store.getOperation(id))?.status).toBe('PENDING');
    expect(run.stdout).toContain(`kaws status ${name}`);
  });

  it('exits 1 naming the failing step and the reason when the operation fails', async () => {
    const name = uniqueName('fails');
    const up = startKaws(api, ['up', '-f', await specFile(api, name), '--interval', '1']);
    await up.waitFor(/operation ([0-9A-Z]{26})/);
    const id = /operation ([0-9A-Z]{26})/.exec(up.stdout())?.[1] ?? '';
    // What the workflow records when a stack fails (driven through the store: operations stay PENDING here).
    await api.store.startOperation({ operationId: id, now: new Date(), eventId: ulid() });
    await api.store.recordStep({
      operationId: id,
      now: new Date(),
      eventId: ulid(),
      step: { name: `deploy-stack:${stackNames.etcd(name)}`, status: 'FAILED', message: 'CREATE_FAILED' },
    });
    await api.store.failOperation({
      operationId: id,
      now: new Date(),
      eventId: ulid(),
      error: {
        code: 'StackFailed',
        message: `stack ${stackNames.etcd(name)} ended CREATE_FAILED: volume limit`,
      },
    });
    const code = await new Promise<number | null>((resolve) => up.process.on('close', resolve));
    expect(code).toBe(1);
    expect(up.stdout()).toMatch(new RegExp(`deploy-stack:${stackNames.etcd(name)} +FAILED +CREATE_FAILED`));
    expect(up.stderr()).toBe(
      `kaws: cluster ${name}: operation ${id} failed: StackFailed: stack ${stackNames.etcd(name)} ended CREATE_FAILED: volume limit ` +
        `(step deploy-stack:${stackNames.etcd(name)})\n`,
    );
  });

  it('refuses an invalid spec with every problem and its path (exit 1), creating nothing', async () => {
    const name = uniqueName('invalid');
    const file = await specFile(api, name, (yaml) =>
      yaml
        .replace('podCIDR: 10.2.0.0/16', 'podCIDR: 10.0.128.0/17')
        .replace('count: 3\n  instanceType: m5.large', 'count: 0\n  instanceType: m5.large'),
    );
    const run = await kaws(api, ['up', '-f', file]);
    expect(run.code).toBe(1);
    const [head, ...paths] = run.stderr.trim().split('\n');
    expect(head).toMatch(/^kaws: Unprocessable Content: the spec has \d+ problem\(s\)$/);
    expect(paths).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ {2}podCIDR: .*overlaps vpc\.cidr/)]),
    );
    expect(paths.length).toBeGreaterThanOrEqual(2);
    expect(await api.store.getCluster(name)).toBeUndefined();
  });

  it('says what is wrong with the file or the endpoint (exit 2 for usage, 1 when the API is unreachable)', async () => {
    const missing = await kaws(api, ['up', '-f', '/nonexistent/cluster.yaml']);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      'kaws: cannot read /nonexistent/cluster.yaml: ENOENT\n',
    ]);
    const port = await closedPort();
    const unreachable = await kaws({ url: `http://127.0.0.1:${port}` }, [
      'up',
      '-f',
      await specFile(api, uniqueName('x')),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe(
      `kaws: cannot reach the kaws API at http://127.0.0.1:${port}: ECONNREFUSED (is \`npm start\` running?)\n`,
    );
    const notUrl = await kaws({ url: 'not a url' }, ['up']);
    expect([notUrl.code, notUrl.stderr]).toEqual([2, 'kaws: --endpoint "not a url" is not a URL\n']);
  });
});

/**
 * `kaws destroy`, the real CLI against the local API on the local engine: it refuses without a terminal
 * and without --force (exit 2, nothing deleted), asks on a terminal and does nothing unless the name is
 * typed, with --force waits until the cluster is DELETED with no stack left; again, it is already done.
 * After a destroy, `kaws up` of the same file creates the cluster anew (the idempotency key moves on).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackNames } from '../../lib/render/naming.ts';
import { type CliApi, type CliRun, kaws, specFile, startCliApi } from '../kube/cli-support.ts';
import { uniqueName } from '../kube/support.ts';
import { localCloud } from '../support/local-cloud.ts';

const cloud = localCloud();
const KAWS = fileURLToPath(new URL('../../bin/kaws', import.meta.url));

/** Runs `kaws destroy NAME` on a pseudo-terminal (Python's pty), answering its prompt with `answer`. */
function destroyOnTerminal(api: CliApi, name: string, answer: string): Promise<CliRun> {
  const script = `
import os, pty, select, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:5] + ['--endpoint', sys.argv[5]])
out, sent = b'', False
while True:
    ready, _, _ = select.select([fd], [], [], 60)
    if not ready:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if not sent and b'confirm:' in out:
        os.write(fd, (sys.argv[6] + '\\n').encode())
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;
  return new Promise((resolve) => {
    execFile(
      'python3',
      ['-c', script, process.execPath, KAWS, 'destroy', name, api.url, answer],
      { timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function stackExists(name: string): Promise<boolean> {
  try {
    const stack = (await cloud.clients.cloudformation.send(new DescribeStacksCommand({ StackName: name })))
      .Stacks?.[0];
    return stack !== undefined && stack.StackStatus !== 'DELETE_COMPLETE';
  } catch {
    return false;
  }
}

describe('kaws destroy', () => {
  let api: CliApi;
  const name = uniqueName('destroy');
  const stacks = () => [
    stackNames.network(name),
    stackNames.etcd(name),
    stackNames.controlPlane(name),
    ...['general', 'spot', 'gpu'].map((pool) => stackNames.nodePool(name, pool)),
  ];

  beforeAll(async () => {
    api = await startCliApi('local');
    const up = await kaws(api, ['up', '-f', await specFile(api, name), '--interval', '1']);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(() => api?.close());

  it('refuses without a terminal and without --force (exit 2), deleting nothing', async () => {
    const run = await kaws(api, ['destroy', name]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `kaws: refusing to destroy ${name} without confirmation: no terminal to ask on; pass --force\n`,
    );
    expect((await api.store.getCluster(name))?.status).toBe('ACTIVE');
  });

  it('asks on a terminal, and does nothing unless the cluster name is typed', async () => {
    const run = await destroyOnTerminal(api, name, 'yes');
    expect(run.stdout).toContain(`Destroy cluster ${name} and everything it created`);
    expect(run.stdout).toContain(`kaws: not destroying ${name}: the name was not confirmed`);
    expect(run.code).toBe(1);
    expect((await api.store.getCluster(name))?.status).toBe('ACTIVE');
  });

  it('confirmed on the terminal, waits until DELETED, no stack left (exit 0)', async () => {
    const run = await destroyOnTerminal(api, name, name);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`kaws: destroying cluster ${name}: operation [0-9A-Z]{26}`));
    expect(run.stdout).toMatch(new RegExp(`delete-stack:${stackNames.network(name)} +SUCCEEDED`));
    expect(run.stdout).toContain(`kaws: cluster ${name} is DELETED`);
    expect((await api.store.getCluster(name))?.status).toBe('DELETED');
    for (const stack of stacks()) expect(await stackExists(stack), stack).toBe(false);
  });

  it('again: the cluster is already DELETED (exit 0)', async () => {
    const run = await kaws(api, ['destroy', name, '--force']);
    expect([run.code, run.stdout]).toEqual([0, `kaws: cluster ${name} is already DELETED\n`]);
  });

  it('after the destroy, `kaws up` of the same file creates the cluster anew; --force destroys it', async () => {
    const file = await specFile(api, name);
    const up = await kaws(api, ['up', '-f', file, '--interval', '1']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(new RegExp(`^kaws: creating cluster ${name}: operation`));
    const operations = await api.store.listOperations(name, { limit: 10 });
    expect(operations.items.map((o) => `${o.type} ${o.status}`)).toEqual([
      'CREATE SUCCEEDED',
      'DELETE SUCCEEDED',
      'CREATE SUCCEEDED',
    ]);
    const destroy = await kaws(api, ['destroy', name, '--force', '--interval', '1']);
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(destroy.stdout).toContain(`kaws: cluster ${name} is DELETED`);
    for (const stack of stacks()) expect(await stackExists(stack), stack).toBe(false);
  });

  it('an unknown cluster: the API says so (exit 1)', async () => {
    const run = await kaws(api, ['destroy', 'no-such-cluster', '--force']);
    expect([run.code, run.stderr]).toEqual([1, 'kaws: Not Found: no cluster named no-such-cluster\n']);
  });
});

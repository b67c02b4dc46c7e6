/**
 * The update verbs, the real CLI (`node bin/kaws`) against the local API on the local engine (wired as
 * `npm start` wires them: plan and export with the engine's dependencies, the local fault switch):
 * `kaws apply` creates, `kaws diff` shows the plan, `kaws update` refuses without a terminal or --force,
 * rolls the pools one at a time and exits 0 at ACTIVE; with `kaws local fault --not-ready` on spot the
 * same kind of update exits 1 with the cluster UPDATE_FAILED naming spot and gpu untouched; cleared, it
 * goes through; `kaws export` writes templates and node configs without a private key; `kaws nodepool`
 * adds and removes a pool.
 *
 * The health gate's Wait moves the steps' clock on by its delay (as the workflow tests do), so a gate
 * that cannot pass times out after 60 simulated seconds instead of 60 real ones.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../functions/shared/app.ts';
import { logger } from '../../functions/shared/logger.ts';
import { stackNames } from '../../lib/render/naming.ts';
import { faultEndpoint } from '../../local/fault-endpoint.ts';
import { type ApiServer, startApiServer } from '../../local/server.ts';
import { kaws } from '../kube/cli-support.ts';
import { localCloud } from '../support/local-cloud.ts';
import { uniqueName, workflowHarness } from '../workflow/support.ts';
import { gateClock, haWithSpotNodesYaml, NEW_TYPES, poolLaunchState } from '../workflow/update-support.ts';

const cloud = localCloud();
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const harness = workflowHarness({ ...gateClock(), settings: { healthTimeoutSeconds: 60 } });
const name = uniqueName('cliup');
let server: ApiServer;
let dir: string;
const api = () => ({ url: server.url });

/** The spec file with every pool's instance type replaced by `types`. */
async function specFile(file: string, types: Record<string, string> = {}): Promise<string> {
  let yaml = haWithSpotNodesYaml(name);
  for (const [from, to] of Object.entries(types))
    yaml = yaml.replace(`instanceType: ${from}`, `instanceType: ${to}`);
  const path = join(dir, file);
  await writeFile(path, yaml);
  return path;
}

const OLD = { general: 'm5.xlarge', spot: 'c5.xlarge', gpu: 'g5.xlarge' };
const toNew = { [OLD.general]: NEW_TYPES.general, [OLD.spot]: NEW_TYPES.spot, [OLD.gpu]: NEW_TYPES.gpu };

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  dir = await mkdtemp(join(tmpdir(), 'kaws-cli-update-'));
  const app = buildApp(
    {
      aws: {
        region: cloud.region,
        endpoint: cloud.endpoint,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      },
      tableName: cloud.resources.tableName,
      bucketName: cloud.resources.bucketName,
    },
    {
      workflows: harness.engine,
      endpoints: { resolve: (n) => harness.standIns.resolve(n) },
      workflowDeps: harness.deps,
    },
  );
  server = await startApiServer({
    app,
    port: 0,
    log: false,
    local: faultEndpoint({ standIns: harness.standIns, clusters: harness.store }),
  });
});

afterAll(async () => {
  await kaws(api(), ['destroy', name, '--force']);
  await server?.close();
  await harness.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('kaws apply, diff, update, local fault, export, nodepool', () => {
  it('apply creates the cluster when it does not exist', async () => {
    const run = await kaws(api(), ['apply', '-f', await specFile('v1.yaml'), '--interval', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`kaws: creating cluster ${name}`);
    expect(run.stdout).toContain(`kaws: cluster ${name} is ACTIVE`);
  });

  it('diff shows which stacks change and the roll order, changing nothing', async () => {
    const run = await kaws(api(), ['diff', '-f', await specFile('v2.yaml', toNew)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `kaws: plan for cluster ${name} (spec version 1; stack changes by template-diff)`,
    );
    expect(run.stdout).toMatch(new RegExp(`${stackNames.network(name)} +unchanged`));
    expect(run.stdout).toMatch(
      new RegExp(
        `${stackNames.nodePool(name, 'spot')} +update  template changed \\(.*~WorkerLaunchTemplate.*\\)`,
      ),
    );
    expect(run.stdout).toContain('node pools roll in this order: general, spot, gpu');
    expect(run.stdout).toContain('certificates: none reissued');
    expect((await harness.store.getCluster(name))?.specVersion).toBe(1);

    const invalid = await kaws(api(), ['diff', '-f', await specFile('bad.yaml', { [OLD.gpu]: '"nope"' })]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('worker.nodePools[2].instanceType');
  });

  it('update refuses without a terminal unless --force; an unchanged spec updates nothing', async () => {
    const refused = await kaws(api(), ['update', '-f', join(dir, 'v2.yaml')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `refusing to update ${name} without confirmation: no terminal to ask on; pass --force`,
    );
    expect((await harness.store.getCluster(name))?.specVersion).toBe(1);
    const same = await kaws(api(), ['update', '-f', join(dir, 'v1.yaml'), '--force']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`kaws: cluster ${name} already runs this spec: nothing to update`);
    expect((await harness.store.getCluster(name))?.specVersion).toBe(1);
  });

  it('update --force rolls the pools one at a time, shown live, and exits 0 at ACTIVE', async () => {
    const run = await kaws(api(), ['update', '-f', join(dir, 'v2.yaml'), '--force', '--interval', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`kaws: updating cluster ${name}: operation`);
    expect(run.stdout).toMatch(/roll-node-pool:general +SUCCEEDED 3\/3 +health gate passed: readyz ok/);
    expect(run.stdout).toContain(
      '  node pool general: rolled, gate passed\n  node pool spot: rolled, gate passed\n  node pool gpu: rolled, gate passed',
    );
    expect(run.stdout).toMatch(new RegExp(`kaws: cluster ${name} is ACTIVE after \\d+s`));

    // `kaws events --output json`: the three pools' roll, in order.
    const events = await kaws(api(), ['events', name, '--output', 'json']);
    expect(events.code).toBe(0);
    const roll = (JSON.parse(events.stdout) as Array<{ step?: string; stepStatus?: string }>)
      .filter((e) => e.step?.startsWith('roll-node-pool:'))
      .map((e) => `${e.step} ${e.stepStatus}`);
    expect(roll).toEqual(
      ['general', 'spot', 'gpu'].flatMap((p) => [
        `roll-node-pool:${p} IN_PROGRESS`,
        `roll-node-pool:${p} SUCCEEDED`,
      ]),
    );
  });

  it('with spot made NotReady, the same kind of update exits 1: UPDATE_FAILED naming spot, gpu untouched', async () => {
    const fault = await kaws(api(), ['local', 'fault', name, '--pool', 'spot', '--not-ready']);
    expect(fault.code).toBe(0);
    expect(fault.stdout).toContain(`node pool spot of cluster ${name} is NotReady`);
    const gpuBefore = await poolLaunchState(name, 'gpu');
    const run = await kaws(api(), ['update', '-f', await specFile('v3.yaml'), '--force', '--interval', '1']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  node pool general: rolled, gate passed\n  node pool spot: FAILED');
    expect(run.stderr).toContain(`kaws: cluster ${name} is UPDATE_FAILED: operation`);
    expect(run.stderr).toContain(
      'roll-node-pool:spot failed: node pool spot did not pass its health gate within 60 s',
    );
    const cluster = await harness.store.getCluster(name);
    expect(cluster?.status).toBe('UPDATE_FAILED');
    expect(cluster?.statusReason).toContain('node pool spot');
    expect(await poolLaunchState(name, 'gpu')).toEqual(gpuBefore);
    expect((await poolLaunchState(name, 'spot')).instanceType).toBe(NEW_TYPES.spot);
  });

  it('cleared, the corrected spec applied again ends ACTIVE', async () => {
    expect((await kaws(api(), ['local', 'fault', name, '--pool', 'spot', '--clear'])).code).toBe(0);
    const run = await kaws(api(), ['apply', '-f', join(dir, 'v3.yaml'), '--force', '--interval', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '  node pool spot: rolled, gate passed\n  node pool gpu: rolled, gate passed',
    );
    for (const [pool, type] of Object.entries(OLD))
      expect((await poolLaunchState(name, pool)).instanceType, pool).toBe(type);
  });

  it('local fault is refused against anything but a local endpoint', async () => {
    const run = await kaws({ url: 'https://abc123.execute-api.us-east-1.amazonaws.com' }, [
      'local',
      'fault',
      name,
      '--pool',
      'spot',
      '--not-ready',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('works only against the local kaws (npm start)');
  });

  it('export writes the stack templates and node configs, without a private key', async () => {
    const out = join(dir, 'export');
    const run = await kaws(api(), ['export', name, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`kaws: exported cluster ${name} (spec version 4): 16 files`);
    expect((await readdir(join(out, 'stacks'))).sort()).toEqual(
      [
        stackNames.network(name),
        stackNames.etcd(name),
        stackNames.controlPlane(name),
        ...['general', 'spot', 'gpu'].map((p) => stackNames.nodePool(name, p)),
      ]
        .map((s) => `${s}.json`)
        .sort(),
    );
    expect((await readdir(join(out, 'userdata'))).length).toBe(10);
    for (const folder of ['stacks', 'userdata']) {
      for (const file of await readdir(join(out, folder))) {
        const text = await readFile(join(out, folder, file), 'utf8');
        expect(text, file).not.toMatch(PRIVATE_KEY);
        expect(() => JSON.parse(text), file).not.toThrow();
      }
    }
  });

  it('nodepool add creates only that pool stack; nodepool remove deletes it', async () => {
    const pool = join(dir, 'extra.yaml');
    await writeFile(pool, 'name: extra\ninstanceType: m5.large\ncount: 0\n');
    const added = await kaws(api(), ['nodepool', 'add', name, '-f', pool, '--interval', '1']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('  node pool extra: rolled, gate passed');
    expect(added.stdout).toContain(`kaws: cluster ${name} is ACTIVE`);
    expect((await harness.store.getCluster(name))?.spec.worker.nodePools.map((p) => p.name)).toEqual([
      'general',
      'spot',
      'gpu',
      'extra',
    ]);
    // A pool without nodes has nothing to make NotReady: the fault switch says so.
    const fault = await kaws(api(), ['local', 'fault', name, '--pool', 'extra', '--not-ready']);
    expect(fault.code).toBe(0);
    expect(fault.stdout).toContain('kaws: warning: node pool extra has no nodes (count 0)');
    expect((await kaws(api(), ['local', 'fault', name, '--pool', 'extra', '--clear'])).code).toBe(0);
    const refused = await kaws(api(), ['nodepool', 'remove', name, 'extra']);
    expect(refused.code).toBe(2);
    const removed = await kaws(api(), ['nodepool', 'remove', name, 'extra', '--force', '--interval', '1']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`delete-stack:${stackNames.nodePool(name, 'extra')}`);
    expect((await harness.store.getCluster(name))?.spec.worker.nodePools.map((p) => p.name)).toEqual([
      'general',
      'spot',
      'gpu',
    ]);
  });
});

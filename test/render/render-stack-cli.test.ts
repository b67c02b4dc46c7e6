/** `kaws render stack`, run as a user runs it (bin/kaws in a child process), after `kaws render credentials`. */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runKaws } from '../cli/run-kaws.ts';

const work = mkdtempSync(join(tmpdir(), 'kaws-render-stack-'));
const out = join(work, 'ha');
const HA = join(REPO, 'examples/ha-cluster.yaml');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const filesUnder = (folder: string) =>
  Object.fromEntries(
    ['stack-templates', 'userdata'].flatMap((sub) =>
      readdirSync(join(folder, sub)).map((file) => [
        `${sub}/${file}`,
        readFileSync(join(folder, sub, file), 'utf8'),
      ]),
    ),
  );

/** The Ignition config's inline file at `path`, decoded. */
function configFile(configText: string, path: string): string {
  const config = JSON.parse(configText) as {
    storage: { files: Array<{ path: string; contents: { source: string } }> };
  };
  const source = config.storage.files.find((f) => f.path === path)?.contents.source ?? '';
  return Buffer.from(source.replace(/^data:;base64,/, ''), 'base64').toString('utf8');
}

beforeAll(async () => {
  const credentials = await runKaws([
    'render',
    'credentials',
    '-f',
    HA,
    '--out',
    join(out, 'credentials'),
    '--generate-ca',
  ]);
  expect(credentials.code, credentials.stderr).toBe(0);
}, 120_000);

describe('kaws render stack', () => {
  it('writes one template per stack and each role config, with the credentials contributing only fingerprints', async () => {
    const run = await runKaws(['render', 'stack', '-f', HA, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const files = filesUnder(out);
    expect(Object.keys(files).sort()).toEqual([
      'stack-templates/prod-east-control-plane.json',
      'stack-templates/prod-east-etcd.json',
      'stack-templates/prod-east-network.json',
      'stack-templates/prod-east-nodepool-general.json',
      'stack-templates/prod-east-nodepool-gpu.json',
      'stack-templates/prod-east-nodepool-spot.json',
      'userdata/controller',
      'userdata/etcd',
      'userdata/worker-general',
      'userdata/worker-gpu',
      'userdata/worker-spot',
    ]);
    // No line of any certificate or key shows up anywhere, in any encoding the files use.
    const everything = Object.values(files).join('\n');
    const decoded = Object.entries(files)
      .filter(([name]) => name.startsWith('userdata/'))
      .flatMap(([, text]) =>
        (JSON.parse(text).storage.files as Array<{ contents: { source: string } }>).map((f) =>
          Buffer.from(f.contents.source.replace(/^data:;base64,/, ''), 'base64').toString('utf8'),
        ),
      )
      .join('\n');
    for (const file of readdirSync(join(out, 'credentials'))) {
      const pemLines = readFileSync(join(out, 'credentials', file), 'utf8')
        .split('\n')
        .filter((line) => line.length >= 40 && !line.startsWith('-----'));
      expect(pemLines.length, file).toBeGreaterThan(0);
      for (const line of pemLines) {
        expect(everything.includes(line), `${file} leaked into the output`).toBe(false);
        expect(decoded.includes(line), `${file} leaked into a node config`).toBe(false);
      }
    }
    // The worker config names the worker certificate by its SHA-256.
    const workerPem = readFileSync(join(out, 'credentials', 'worker.pem'));
    expect(configFile(files['userdata/worker-general'] ?? '', '/etc/kaws/assets.sha256')).toContain(
      `${createHash('sha256').update(workerPem).digest('hex')}  /etc/kaws/tls/worker.pem`,
    );
    expect(run.stderr).toContain('rendered 6 stacks and 5 node configs');
  });

  it('renders byte-identical files a second time', async () => {
    await runKaws(['render', 'stack', '-f', HA, '--out', out]);
    const first = filesUnder(out);
    const again = await runKaws(['render', 'stack', '-f', HA, '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(filesUnder(out)).toEqual(first);
  });

  it('uses credentials/ next to the spec when the output folder has none', async () => {
    const project = join(work, 'project');
    cpSync(join(out, 'credentials'), join(project, 'credentials'), { recursive: true });
    copyFileSync(HA, join(project, 'cluster.yaml'));
    const run = await runKaws(['render', 'stack', '--out', join(work, 'elsewhere')], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`(credentials: ${join(project, 'credentials')})`);
    expect(filesUnder(join(work, 'elsewhere'))).toEqual(filesUnder(out));
  });

  it('says which credentials are missing, and writes nothing', async () => {
    const partial = join(work, 'partial');
    cpSync(join(out, 'credentials'), join(partial, 'credentials'), { recursive: true });
    unlinkSync(join(partial, 'credentials', 'worker-key.pem'));
    unlinkSync(join(partial, 'credentials', 'etcd.pem'));
    const run = await runKaws(['render', 'stack', '-f', HA, '--out', partial]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `kaws: ${join(partial, 'credentials')} lacks etcd.pem, worker-key.pem; run \`kaws render credentials\` first\n`,
    );
    expect(readdirSync(partial)).toEqual(['credentials']);

    const none = await runKaws(['render', 'stack', '-f', HA, '--out', join(work, 'none')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /no credentials folder in .*none or next to .*ha-cluster.yaml; run `kaws render credentials` first/,
    );
  });

  it('reports an invalid spec with its paths, and a bad --s3-uri as a usage error', async () => {
    const invalid = await runKaws([
      'render',
      'stack',
      '-f',
      join(REPO, 'examples/seed-cluster.yaml'),
      '--out',
      out,
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(
      /^kaws: .*seed-cluster.yaml is not a valid cluster spec:\n {2}kmsKeyArn: .*\n {2}vpcId: /,
    );
    const badUri = await runKaws(['render', 'stack', '-f', HA, '--out', out, '--s3-uri', 'https://bucket']);
    expect(badUri.code).toBe(2);
    expect(badUri.stderr).toBe('kaws: --s3-uri https://bucket is not an s3://bucket[/prefix] URI\n');
    const missing = await runKaws(['render', 'stack', '-f', join(work, 'nope.yaml'), '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
  });

  it('points nodes at the bucket and prefix of --s3-uri', async () => {
    const target = join(work, 'custom-uri');
    cpSync(join(out, 'credentials'), join(target, 'credentials'), { recursive: true });
    const run = await runKaws([
      'render',
      'stack',
      '-f',
      HA,
      '--out',
      target,
      '--s3-uri',
      's3://team-bucket/kaws/',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const bootstrap = JSON.parse(
      JSON.parse(readFileSync(join(target, 'stack-templates', 'prod-east-nodepool-gpu.json'), 'utf8'))
        .Resources.WorkerLaunchTemplate.Properties.LaunchTemplateData.UserData['Fn::Base64'],
    );
    expect(bootstrap.ignition.config.replace.source).toMatch(
      /^s3:\/\/team-bucket\/kaws\/clusters\/prod-east\/userdata\/worker-gpu-[0-9a-f]{64}$/,
    );
  });
});

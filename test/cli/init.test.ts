/** `kaws init`: writes a valid cluster.yaml, mode 0600, and never overwrites. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClusterSpec } from '../../lib/spec/index.ts';
import { runKaws } from './run-kaws.ts';

const flags = [
  '--cluster-name',
  'demo',
  '--external-dns-name',
  'api.demo.example.com',
  '--region',
  'us-east-1',
  '--availability-zone',
  'us-east-1a',
  '--key-name',
  'ops',
  '--kms-key-arn',
  'arn:aws:kms:us-east-1:123456789012:key/0d2b7c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e',
];

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kaws-init-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('kaws init', () => {
  it('writes cluster.yaml (0600) that kaws validate accepts, with the given values', async () => {
    const dir = tempDir();
    const run = await runKaws(['init', ...flags, '--hosted-zone-id', 'Z0123456789ABC'], { cwd: dir });
    expect(run.code).toBe(0);
    const file = join(dir, 'cluster.yaml');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const spec = loadClusterSpec(readFileSync(file));
    expect(spec).toMatchObject({ clusterName: 'demo', region: 'us-east-1', keyName: 'ops' });
    expect(spec.apiEndpoints[0]).toMatchObject({
      dnsName: 'api.demo.example.com',
      loadBalancer: { recordSetManaged: true, hostedZone: { id: 'Z0123456789ABC' } },
    });
    expect(spec.subnets[0]!.availabilityZone).toBe('us-east-1a');
    const validate = await runKaws(['validate'], { cwd: dir });
    expect(validate.code).toBe(0);
  });

  it('refuses to overwrite an existing file and leaves it untouched', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cluster.yaml'), 'mine\n');
    const run = await runKaws(['init', ...flags, '--no-record-set'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cluster.yaml already exists; refusing to overwrite it');
    expect(readFileSync(join(dir, 'cluster.yaml'), 'utf8')).toBe('mine\n');
  });

  it('--no-record-set writes an endpoint whose DNS the user manages', async () => {
    const dir = tempDir();
    const run = await runKaws(['init', ...flags, '--no-record-set', '--file', 'other.yaml'], { cwd: dir });
    expect(run.code).toBe(0);
    const spec = loadClusterSpec(readFileSync(join(dir, 'other.yaml')));
    expect(spec.apiEndpoints[0]!.loadBalancer).toMatchObject({ recordSetManaged: false, hostedZone: {} });
  });

  it('usage errors exit 2: a missing required flag, or no hosted zone without --no-record-set', async () => {
    const dir = tempDir();
    const missing = await runKaws(['init', ...flags.slice(2)], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--cluster-name');
    const noZone = await runKaws(['init', ...flags], { cwd: dir });
    expect(noZone.code).toBe(2);
    expect(noZone.stderr).toContain('--hosted-zone-id is required unless --no-record-set');
  });

  it('an invalid value is reported against its flag (exit 1) and nothing is written', async () => {
    const dir = tempDir();
    const bad = flags.map((value) => (value === 'us-east-1a' ? 'eu-west-1a' : value));
    const run = await runKaws(['init', ...bad, '--no-record-set'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      '--availability-zone: subnets[0].availabilityZone eu-west-1a is not in region us-east-1',
    );
    expect(() => statSync(join(dir, 'cluster.yaml'))).toThrow();
  });
});

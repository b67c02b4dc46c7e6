/** `kaws validate`: the real CLI on the shipped examples and on broken input. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKaws } from './run-kaws.ts';

const json = (stdout: string) =>
  JSON.parse(stdout) as {
    valid: boolean;
    errors: Array<{ path: string; code: string; message: string }>;
    warnings: unknown[];
  };

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kaws-validate-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('kaws validate', () => {
  it('seed-cluster.yaml: exit 1, errors at exactly kmsKeyArn and vpcId (JSON output)', async () => {
    const run = await runKaws(['validate', '-f', 'examples/seed-cluster.yaml', '--output', 'json']);
    expect(run.code).toBe(1);
    const report = json(run.stdout);
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => e.path)).toEqual(['kmsKeyArn', 'vpcId']);
    expect(Object.keys(report)).toEqual(['valid', 'errors', 'warnings']);
    expect(Object.keys(report.errors[0]!)).toEqual(['path', 'code', 'message']);
  });

  it.each(['seed-cluster-valid.yaml', 'ha-cluster.yaml'])('%s: exit 0', async (name) => {
    const run = await runKaws(['validate', '-f', `examples/${name}`, '--output', 'json']);
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({ valid: true, errors: [] });
  });

  it('invalid-overlapping-cidrs.yaml: exit 1, text output is one "path: message" line per problem', async () => {
    const run = await runKaws(['validate', '-f', 'examples/invalid-overlapping-cidrs.yaml']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('podCIDR: podCIDR 10.0.128.0/17 overlaps vpc.cidr 10.0.0.0/16');
    expect(lines.slice(1).every((line) => /^[\w.[\]]+: warning: /.test(line))).toBe(true);
    expect(run.stderr).toContain('invalid (1 error(s)');
  });

  it('reads ./cluster.yaml by default, and - for standard input', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cluster.yaml'), 'clusterName: x\n');
    const byDefault = await runKaws(['validate', '--output', 'json'], { cwd: dir });
    expect(byDefault.code).toBe(1);
    expect(json(byDefault.stdout).errors.map((e) => e.path)).toContain('region');
    const stdin = await runKaws(['validate', '-f', '-', '-o', 'json'], { input: 'clusterName: [' });
    expect(stdin.code).toBe(1);
    expect(json(stdin.stdout).errors[0]!.code).toBe('syntax_error');
  });

  it('exit 2 for a missing or unreadable file, and for a bad --output', async () => {
    const missing = await runKaws(['validate', '-f', '/nonexistent/cluster.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('kaws: cannot read /nonexistent/cluster.yaml: ENOENT\n');
    const directory = await runKaws(['validate', '-f', 'examples']);
    expect(directory.code).toBe(2);
    const usage = await runKaws(['validate', '--output', 'xml']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("argument 'xml' is invalid");
  });

  it('a huge or binary file is an invalid spec (exit 1), not a crash', async () => {
    const run = await runKaws(['validate', '-f', '/dev/urandom', '-o', 'json']);
    expect(run.code).toBe(1);
    expect(json(run.stdout).errors[0]!.code).toMatch(/^(too_large|invalid_utf8|binary_input)$/);
  });
});

/**
 * Checks beyond lib/spec (e.g. lib/render's template limits) report at canonical paths; the user
 * sees the path as they wrote it, legacy flat keys included.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRenderLimits } from '../../lib/render/index.ts';
import { type SpecCheck, validateClusterSpec } from '../../lib/spec/index.ts';
import { formatPath, parsePath } from '../../lib/spec/paths.ts';
import { runKaws } from '../cli/run-kaws.ts';

const example = (name: string) =>
  readFileSync(new URL(`../../examples/${name}.yaml`, import.meta.url), 'utf8');

describe('parsePath', () => {
  it('inverts formatPath', () => {
    for (const path of [
      ['worker', 'nodePools', 1, 'name'],
      ['worker', 'nodePools', 0, 'nodeLabels', 'node.kubernetes.io/role'],
      ['stackTags', 'a "quoted" key'],
      ['etcd', 'count'],
    ]) {
      expect(parsePath(formatPath(path))).toEqual(path);
    }
  });

  it('keeps a string it did not write whole', () => {
    expect(parsePath('not a [path')).toEqual(['not a [path']);
  });
});

describe('validateClusterSpec with further checks', () => {
  const tooManyEtcd: SpecCheck = (spec) =>
    spec.etcd.count > 100 ? [{ path: 'etcd.count', code: 'too_many', message: 'too many members' }] : [];

  it('translates a check’s canonical path to the legacy flat key the user wrote', () => {
    const flat = example('seed-cluster-valid').replace('etcdCount: 1', 'etcdCount: 101');
    const result = validateClusterSpec(flat, { checks: [tooManyEtcd] });
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([{ path: 'etcdCount', code: 'too_many', message: 'too many members' }]);
    expect(result.spec).toBeUndefined();
  });

  it('keeps nested paths as they are', () => {
    const nested = example('ha-cluster').replace('etcd:\n  count: 3', 'etcd:\n  count: 101');
    const result = validateClusterSpec(nested, { checks: [tooManyEtcd] });
    expect(result.errors.map((e) => e.path)).toEqual(['etcd.count']);
  });

  it('runs no check on a spec its own rules rejected', () => {
    let called = false;
    const result = validateClusterSpec(example('invalid-overlapping-cidrs'), {
      checks: [
        () => {
          called = true;
          return [];
        },
      ],
    });
    expect(result.valid).toBe(false);
    expect(called).toBe(false);
  });
});

describe('kaws validate renders the stacks', () => {
  it('reports a stack over CloudFormation’s resource limit at the flat key that caused it', async () => {
    const flat = example('seed-cluster-valid').replace('etcdCount: 1', 'etcdCount: 125');
    const run = await runKaws(['validate', '-f', '-', '--output', 'json'], { input: flat });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { errors: Array<{ path: string; code: string }> };
    expect(report.errors).toEqual([
      expect.objectContaining({ path: 'etcdCount', code: 'too_many_resources' }),
    ]);
  });

  it('and finds nothing wrong with the valid examples', () => {
    for (const name of ['ha-cluster', 'seed-cluster-valid']) {
      expect(validateClusterSpec(example(name), { checks: [checkRenderLimits] }).valid).toBe(true);
    }
  });
});

/**
 * Every rendered template passes cfn-lint (the real one, in the region the spec names) with no
 * error and no warning. The only checks skipped are listed, with their reason, in templates/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCluster } from '../../lib/render/index.ts';
import { fakeAssets, TEST_ARTIFACTS } from './fixtures.ts';
import { VARIANTS } from './variants.ts';

const folder = mkdtempSync(join(tmpdir(), 'kaws-cfn-lint-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('cfn-lint', () => {
  it.each(VARIANTS)('passes every template of %s', (name, makeSpec) => {
    const spec = makeSpec();
    const rendered = renderCluster({ spec, assets: fakeAssets(), artifacts: { ...TEST_ARTIFACTS } });
    const files = rendered.stacks.map((stack) => {
      const file = join(folder, `${name}-${stack.name}.json`);
      writeFileSync(file, stack.template);
      return file;
    });
    const lint = spawnSync('cfn-lint', ['--format', 'json', '--regions', spec.region, '--', ...files], {
      encoding: 'utf8',
    });
    expect(lint.error, 'cfn-lint must be installed (pip install cfn-lint==1.51.0)').toBeUndefined();
    expect(JSON.parse(lint.stdout || 'null'), lint.stderr).toEqual([]);
    expect(lint.status).toBe(0);
  });

  it('reports a broken template (the check can fail)', () => {
    const file = join(folder, 'broken.json');
    writeFileSync(
      file,
      JSON.stringify({
        Resources: { Group: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '1' } } },
      }),
    );
    const lint = spawnSync('cfn-lint', ['--format', 'json', '--', file], { encoding: 'utf8' });
    expect((JSON.parse(lint.stdout) as Array<{ Level: string }>).some((m) => m.Level === 'Error')).toBe(true);
  });
});

/**
 * `npm run package` packages kaws offline (no AWS account) and the packaged template passes cfn-lint,
 * with only the ignores listed, each with its reason, in infra/cfnlint-packaged.yaml.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const run = promisify(execFile);

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

describe('serverless package', () => {
  let dir: string;
  let template: Template;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kaws-package-'));
    await run('npx', ['serverless', 'package', '--stage', 'ci', '--package', dir], {
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
      timeout: 240_000,
    });
    template = JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  }, 300_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes cfn-lint', async () => {
    const lint = await run('cfn-lint', [
      '--config-file',
      'infra/cfnlint-packaged.yaml',
      join(dir, 'cloudformation-template-update-stack.json'),
    ]).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(lint.out).toBe('');
    expect(lint.code).toBe(0);
  });

  it('deploys every function on a supported Node.js runtime', () => {
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(fn.Properties?.Runtime).toBe('nodejs22.x');
  });

  it('holds exactly the resources of infra/resources.yml, the definition the local cloud deploys', async () => {
    const shared = parseDocument(await readFile('infra/resources.yml', 'utf8'), {
      customTags: cfnTags(),
    }).toJS();
    for (const [id, resource] of Object.entries(shared.Resources as Template['Resources'])) {
      expect(template.Resources[id]?.Type, id).toBe(resource.Type);
    }
  });
});

/** CloudFormation's short-form intrinsic tags (!Ref, !Sub, ...), kept as opaque values. */
function cfnTags() {
  const names = [
    'Ref',
    'Sub',
    'GetAtt',
    'Join',
    'Select',
    'Split',
    'ImportValue',
    'If',
    'Equals',
    'Not',
    'And',
    'Or',
  ];
  return names.flatMap((name) =>
    (['scalar', 'seq', 'map'] as const).map((nodeClass) => ({
      tag: `!${name}`,
      collection: nodeClass === 'scalar' ? undefined : nodeClass,
      resolve: (value: unknown) => ({ [name === 'Ref' ? 'Ref' : `Fn::${name}`]: value }),
    })),
  );
}

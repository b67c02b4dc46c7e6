/**
 * `kaws kubeconfig`, the real CLI against the local API on the local engine: after `kaws up`, its
 * output is a kubeconfig with which real kubectl lists the pools' nodes on the cluster's stand-in;
 * --ttl sets the certificate's lifetime; refusals come back as the API's problems (exit 1).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { NodeList } from '../../lib/kube/types.ts';
import { nodeLabelKeys } from '../../lib/render/naming.ts';
import { type CliApi, kaws, specFile, startCliApi } from '../kube/cli-support.ts';
import { run, uniqueName } from '../kube/support.ts';

const KUBECTL = '/usr/bin/kubectl';

function certificateOf(kubeconfig: string): X509Certificate {
  const config = parse(kubeconfig) as { users: Array<{ user: Record<string, string> }> };
  return new X509Certificate(Buffer.from(config.users[0]?.user['client-certificate-data'] ?? '', 'base64'));
}

describe('kaws kubeconfig', () => {
  let api: CliApi;
  const name = uniqueName('kc');

  beforeAll(async () => {
    api = await startCliApi('local');
    const up = await kaws(api, ['up', '-f', await specFile(api, name), '--interval', '1']);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await kaws(api, ['destroy', name, '--force']);
    await api?.close();
  });

  it.skipIf(!existsSync(KUBECTL))(
    'writes a kubeconfig to stdout with which kubectl lists the nodes',
    async () => {
      const issued = await kaws(api, ['kubeconfig', name, '--caller', 'arn:aws:iam::123456789012:user/ops']);
      expect(issued.code, issued.stderr).toBe(0);
      expect(issued.stderr).toMatch(
        /^kaws: kubeconfig for arn:aws:iam::123456789012:user\/ops \(system:masters\) on https:\/\/127\.0\.0\.1:\d+, expires \S+Z\n$/,
      );
      const file = join(api.dir, 'kubeconfig');
      await writeFile(file, issued.stdout, { mode: 0o600 });
      const { stdout } = await run(
        KUBECTL,
        ['--kubeconfig', file, '--cache-dir', join(api.dir, 'cache'), 'get', 'nodes', '-o', 'json'],
        {
          env: { PATH: process.env.PATH ?? '', HOME: api.dir },
        },
      );
      const nodes = (JSON.parse(stdout) as NodeList).items;
      expect(nodes.map((n) => n.metadata.labels?.[nodeLabelKeys.nodePool]).sort()).toEqual([
        'general',
        'general',
        'general',
        'gpu',
        'spot',
      ]);
      expect(certificateOf(issued.stdout).subject).toBe(
        'O=system:masters\nCN=arn:aws:iam::123456789012:user/ops',
      );
    },
  );

  it('--ttl sets the lifetime; beyond 24 h is refused with the problem and its path', async () => {
    const issued = await kaws(api, ['kubeconfig', name, '--ttl', '2h']);
    expect(issued.code, issued.stderr).toBe(0);
    const hours = (Date.parse(certificateOf(issued.stdout).validTo) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.99);
    expect(hours).toBeLessThanOrEqual(2);
    const refused = await kaws(api, ['kubeconfig', name, '--ttl', '25h']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      'kaws: Unprocessable Content: ttl is 90000 seconds; it must be between 60 seconds and 24 hours\n' +
        '  ttl: ttl is 90000 seconds; it must be between 60 seconds and 24 hours\n',
    );
  });

  it('an unknown cluster is exit 1 with the API problem, nothing on stdout', async () => {
    const run404 = await kaws(api, ['kubeconfig', 'no-such-cluster']);
    expect([run404.code, run404.stdout, run404.stderr]).toEqual([
      1,
      '',
      'kaws: Not Found: no cluster named no-such-cluster\n',
    ]);
  });
});

/**
 * `kaws render credentials`, run as a user runs it (bin/kaws in a child process) on the examples.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, openssl, opensslSelfSigned, run, tempDir } from './tools.ts';

const execFileAsync = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const haExample = join(repo, 'examples/ha-cluster.yaml');
const haveOpenssl = findBinary('openssl') !== undefined;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function kaws(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [join(repo, 'bin/kaws'), ...args], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failure.code !== 'number') throw error;
    return { code: failure.code, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

/** Every file of a folder with its bytes, mode and modification time. */
async function snapshot(dir: string) {
  const names = (await readdir(dir)).sort();
  return Promise.all(
    names.map(async (name) => {
      const info = await stat(join(dir, name));
      return {
        name,
        contents: await readFile(join(dir, name), 'utf8'),
        mode: info.mode & 0o777,
        mtime: info.mtimeMs,
      };
    }),
  );
}

const EXPECTED_FILES = [
  'admin-key.pem',
  'admin.pem',
  'apiserver-key.pem',
  'apiserver.pem',
  'ca-key.pem',
  'ca.pem',
  'etcd-client-key.pem',
  'etcd-client.pem',
  'etcd-key.pem',
  'etcd.pem',
  'kube-controller-manager-key.pem',
  'kube-controller-manager.pem',
  'kube-scheduler-key.pem',
  'kube-scheduler.pem',
  'service-account-key.pem',
  'worker-key.pem',
  'worker.pem',
];

describe('kaws render credentials', () => {
  let work: string;
  let out: string;
  let first: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    work = await tempDir('render-credentials');
    out = join(work, 'credentials');
    const result = await kaws('render', 'credentials', '-f', haExample, '--out', out, '--generate-ca');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/credentials: wrote 17 file\(s\), 0 unchanged\n {2}ca: generated\n/);
    first = await snapshot(out);
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("writes kube-aws's file names, private keys readable by their owner only", async () => {
    expect(first.map((f) => f.name)).toEqual(EXPECTED_FILES);
    for (const file of first)
      expect([file.name, file.mode]).toEqual([file.name, file.name.endsWith('-key.pem') ? 0o600 : 0o644]);
    expect((await stat(out)).mode & 0o777).toBe(0o700);
  });

  it.skipIf(!haveOpenssl)(
    'the set verifies with openssl: admin in system:masters, apiserver SANs',
    async () => {
      for (const leaf of [
        'apiserver',
        'worker',
        'admin',
        'etcd',
        'etcd-client',
        'kube-controller-manager',
        'kube-scheduler',
      ]) {
        expect(
          (await run('openssl', ['verify', '-CAfile', 'ca.pem', `${leaf}.pem`], { cwd: out })).stdout,
        ).toBe(`${leaf}.pem: OK\n`);
      }
      expect(await openssl(['x509', '-in', 'admin.pem', '-noout', '-subject'], out)).toBe(
        'subject=O = system:masters, CN = kube-admin\n',
      );
      const sans = await openssl(['x509', '-in', 'apiserver.pem', '-noout', '-ext', 'subjectAltName'], out);
      expect(sans).toContain('DNS:api.prod-east.example.com');
      expect(sans).toContain('IP Address:10.3.0.1');
    },
  );

  it('a second run on the same folder and spec changes no file: same bytes, same modification times', async () => {
    const again = await kaws('render', 'credentials', '-f', haExample, '--out', out, '--generate-ca');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('credentials: up to date (17 files unchanged)');
    expect(await snapshot(out)).toEqual(first);
    // Without --generate-ca too: the folder's CA is used.
    expect((await kaws('render', 'credentials', '-f', haExample, '--out', out)).code).toBe(0);
    expect(await snapshot(out)).toEqual(first);
  });

  it('a new API endpoint name rewrites only the apiserver certificate and key', async () => {
    const copy = join(work, 'copy');
    await rm(copy, { recursive: true, force: true });
    await execFileAsync('cp', ['-a', out, copy]);
    const spec = join(work, 'cluster.yaml');
    const text = await readFile(haExample, 'utf8');
    await writeFile(
      spec,
      text.replace('dnsName: api.prod-east.example.com', 'dnsName: k8s.prod-east.example.com'),
    );
    const result = await kaws('render', 'credentials', '-f', spec, '--out', copy);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${copy}: wrote 2 file(s), 15 unchanged\n` +
        '  apiserver: DNS names changed (+k8s.prod-east.example.com, -api.prod-east.example.com)\n',
    );
    const after = await snapshot(copy);
    const changed = after.filter((file, i) => file.contents !== first[i]?.contents).map((f) => f.name);
    expect(changed).toEqual(['apiserver-key.pem', 'apiserver.pem']);
  });

  it('tightens a private key someone made world-readable, without rewriting it', async () => {
    await chmod(join(out, 'admin-key.pem'), 0o644);
    expect((await kaws('render', 'credentials', '-f', haExample, '--out', out)).code).toBe(0);
    expect((await stat(join(out, 'admin-key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(out, 'admin-key.pem'), 'utf8')).toBe(
      first.find((f) => f.name === 'admin-key.pem')?.contents,
    );
  });

  it.skipIf(!haveOpenssl)('uses a brought-your-own CA and never copies its key into the folder', async () => {
    const byo = join(work, 'byo');
    await openssl(['genrsa', '-out', join(work, 'my-ca-key.pem'), '2048'], work);
    await opensslSelfSigned(work, {
      keyFile: 'my-ca-key.pem',
      days: 3650,
      extensions: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'],
      out: 'my-ca.pem',
    });
    const caArgs = ['--ca-cert-path', join(work, 'my-ca.pem'), '--ca-key-path', join(work, 'my-ca-key.pem')];
    const result = await kaws('render', 'credentials', '-f', haExample, '--out', byo, ...caArgs);
    expect(result.code).toBe(0);
    const files = (await readdir(byo)).sort();
    expect(files).toEqual(EXPECTED_FILES.filter((name) => name !== 'ca-key.pem'));
    expect(await readFile(join(byo, 'ca.pem'), 'utf8')).toBe(await readFile(join(work, 'my-ca.pem'), 'utf8'));
    expect((await run('openssl', ['verify', '-CAfile', 'ca.pem', 'apiserver.pem'], { cwd: byo })).code).toBe(
      0,
    );

    // Later runs without the CA key work while nothing needs issuing, and say what is needed otherwise.
    expect((await kaws('render', 'credentials', '-f', haExample, '--out', byo)).code).toBe(0);
    const spec = join(work, 'renamed.yaml');
    await writeFile(spec, (await readFile(haExample, 'utf8')).replace('api.prod-east', 'k8s.prod-east'));
    const refused = await kaws('render', 'credentials', '-f', spec, '--out', byo);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `kaws: cannot render credentials into ${byo}: the CA's private key is needed to issue apiserver ` +
        '(DNS names changed (+k8s.prod-east.example.com, -api.prod-east.example.com)); provide the CA key\n',
    );
    expect((await kaws('render', 'credentials', '-f', spec, '--out', byo, ...caArgs)).code).toBe(0);
  });

  it.skipIf(!haveOpenssl)('rejects an unusable CA with every reason, writing nothing', async () => {
    const target = join(work, 'rejected');
    await openssl(['genrsa', '-out', join(work, 'leaf-key.pem'), '2048'], work);
    await openssl(['genrsa', '-out', join(work, 'unrelated-key.pem'), '2048'], work);
    await opensslSelfSigned(work, {
      keyFile: 'leaf-key.pem',
      days: 3650,
      extensions: ['basicConstraints=critical,CA:FALSE'],
      out: 'leaf.pem',
    });
    const result = await kaws(
      'render',
      'credentials',
      '-f',
      haExample,
      '--out',
      target,
      '--ca-cert-path',
      join(work, 'leaf.pem'),
      '--ca-key-path',
      join(work, 'unrelated-key.pem'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `kaws: cannot render credentials into ${target}: the provided CA cannot be used: it is not a CA ` +
        'certificate (basicConstraints CA:TRUE missing); the private key does not match the certificate\n',
    );
    await expect(stat(target)).rejects.toThrow(/ENOENT/);
  });

  it('usage errors exit 2; an invalid spec or a missing CA exit 1, with the reason', async () => {
    const both = await kaws(
      'render',
      'credentials',
      '-f',
      haExample,
      '--generate-ca',
      '--ca-cert-path',
      'x',
      '--ca-key-path',
      'y',
    );
    expect([both.code, both.stderr]).toEqual([
      2,
      'kaws: --generate-ca cannot be combined with --ca-cert-path/--ca-key-path\n',
    ]);
    const half = await kaws('render', 'credentials', '-f', haExample, '--ca-cert-path', 'x');
    expect([half.code, half.stderr]).toEqual([2, 'kaws: --ca-cert-path and --ca-key-path go together\n']);
    const missing = await kaws('render', 'credentials', '-f', join(work, 'nope.yaml'));
    expect([missing.code, missing.stderr]).toEqual([
      2,
      `kaws: cannot read the cluster spec ${join(work, 'nope.yaml')}: ENOENT\n`,
    ]);
    const bits = await kaws('render', 'credentials', '-f', haExample, '--key-bits', '1024');
    expect(bits.code).toBe(2);

    const invalid = join(work, 'invalid.yaml');
    await copyFile(join(repo, 'examples/invalid-overlapping-cidrs.yaml'), invalid);
    const bad = await kaws(
      'render',
      'credentials',
      '-f',
      invalid,
      '--out',
      join(work, 'never'),
      '--generate-ca',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^kaws: ${invalid} is not a valid cluster spec:\\n {2}\\S+: `));

    const noCa = await kaws('render', 'credentials', '-f', haExample, '--out', join(work, 'empty'));
    expect([noCa.code, noCa.stderr]).toEqual([
      1,
      `kaws: cannot render credentials into ${join(work, 'empty')}: no CA: none is stored; generate one or provide a CA certificate and key\n`,
    ]);
  });
});

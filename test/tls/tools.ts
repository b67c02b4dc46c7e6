/** Real tools for the PKI proofs: openssl, etcd, etcdctl. Temp folders are removed by the caller. */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Absolute path of an executable on PATH, or undefined when it is not installed. */
export function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit is a result, not an exception. */
export async function run(file: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 30_000,
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr } satisfies RunResult;
  } catch (error) {
    const failure = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failure.code !== 'number') throw error;
    return {
      code: failure.code,
      stdout: failure.stdout ?? '',
      stderr: failure.stderr ?? '',
    } satisfies RunResult;
  }
}

/** Runs openssl and fails loudly on a non-zero exit (a test's own setup step). */
export async function openssl(args: string[], cwd: string): Promise<string> {
  const result = await run('openssl', args, { cwd });
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `kaws-${prefix}-`));
}

/** A minimal openssl config: subject from the command line only, no extensions but those added. */
const MINIMAL_CONFIG = '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = byo-ca\n';

/**
 * A self-signed certificate made by openssl with exactly the extensions given, for a key file in `dir`.
 * Returns the certificate's PEM.
 */
export async function opensslSelfSigned(
  dir: string,
  options: { keyFile: string; days: number; extensions: string[]; out: string },
): Promise<string> {
  await writeFile(join(dir, 'minimal.cnf'), MINIMAL_CONFIG);
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-config',
      'minimal.cnf',
      '-key',
      options.keyFile,
      '-days',
      String(options.days),
      '-sha256',
      ...options.extensions.flatMap((e) => ['-addext', e]),
      '-out',
      options.out,
    ],
    dir,
  );
  return readFile(join(dir, options.out), 'utf8');
}

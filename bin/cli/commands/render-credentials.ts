/**
 * `kaws render credentials [-f cluster.yaml] [--out credentials/] [--generate-ca | --ca-cert-path F
 * --ca-key-path F] [--key-bits 2048|3072|4096]`: kube-aws's `render credentials`. Writes the cluster's
 * TLS assets under kube-aws's file names, private keys with mode 0600. What the folder already holds is
 * reused: a second run with the same spec changes no file, and a changed spec reissues only what
 * depends on the change. --generate-ca generates a CA only when the folder has none.
 */
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { credentialFiles } from '../../../lib/render/naming.ts';
import { type ClusterSpec, loadClusterSpec, SpecValidationError } from '../../../lib/spec/index.ts';
import {
  CaValidationError,
  credentialFilesOf,
  LEAF_NAMES,
  pkiRequestFromSpec,
  type RsaKeyBits,
  renderTlsAssets,
  storedAssetsFromFiles,
  systemTlsDependencies,
  type TlsDependencies,
  TlsRenderError,
  type TlsRenderResult,
} from '../../../lib/tls/index.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from '../errors.ts';

const SECRET_MODE = 0o600;
const PUBLIC_MODE = 0o644;
const FOLDER_MODE = 0o700;

/** Every file name a credentials folder may hold. */
const KNOWN_FILES = [
  credentialFiles.certificate('ca'),
  credentialFiles.privateKey('ca'),
  ...LEAF_NAMES.flatMap((name) => [credentialFiles.certificate(name), credentialFiles.privateKey(name)]),
  credentialFiles.privateKey('service-account'),
];

export interface CredentialsFolderOptions {
  spec: ClusterSpec;
  folder: string;
  generateCa: boolean;
  providedCa?: { certificatePem: string; privateKeyPem: string };
  keyBits?: RsaKeyBits;
  deps: TlsDependencies;
}

export interface CredentialsFolderResult extends TlsRenderResult {
  written: string[];
  unchanged: string[];
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Replaces a file in one step (write a temporary file, rename it), so no file is ever half-written. */
async function writeAtomically(path: string, contents: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

/**
 * Renders the credentials of `spec` into `folder`, reusing what it holds. Everything is rendered in
 * memory first: a failure leaves the folder as it was. Unchanged files are not touched at all.
 */
export async function renderCredentialsFolder(
  options: CredentialsFolderOptions,
): Promise<CredentialsFolderResult> {
  const existing = new Map<string, string>();
  for (const name of KNOWN_FILES) {
    const contents = await readIfPresent(join(options.folder, name));
    if (contents !== undefined) existing.set(name, contents);
  }
  const result = await renderTlsAssets(
    {
      request: pkiRequestFromSpec(options.spec),
      previous: storedAssetsFromFiles((name) => existing.get(name)),
      generateCa: options.generateCa,
      ...(options.providedCa ? { providedCa: options.providedCa } : {}),
      ...(options.keyBits ? { keyBits: options.keyBits } : {}),
    },
    options.deps,
  );
  await mkdir(options.folder, { recursive: true, mode: FOLDER_MODE });
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const file of credentialFilesOf(result.assets)) {
    const path = join(options.folder, file.name);
    const mode = file.secret ? SECRET_MODE : PUBLIC_MODE;
    if (existing.get(file.name) === file.contents) {
      unchanged.push(file.name);
      // A key someone made world-readable is tightened; its bytes stay as they are.
      if (file.secret && ((await stat(path)).mode & 0o777) !== SECRET_MODE) await chmod(path, SECRET_MODE);
      continue;
    }
    await writeAtomically(path, file.contents, mode);
    written.push(file.name);
  }
  return { ...result, written, unchanged };
}

async function readInput(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(`cannot read ${what} ${path}: ${reason}`, EXIT_USAGE);
  }
}

interface CommandOptions {
  file: string;
  out: string;
  generateCa?: boolean;
  caCertPath?: string;
  caKeyPath?: string;
  keyBits?: string;
}

export function registerRenderCredentials(render: Command): void {
  render
    .command('credentials')
    .description("render the cluster's TLS assets into a folder (reusing what it already holds)")
    .option('-f, --file <path>', 'the cluster spec', 'cluster.yaml')
    .option('--out <dir>', 'the credentials folder', 'credentials')
    .option('--generate-ca', 'generate a CA if the folder has none')
    .option('--ca-cert-path <path>', 'your own CA certificate (PEM); needs --ca-key-path')
    .option('--ca-key-path <path>', "your own CA's private key (unencrypted PEM); never copied to the folder")
    .addOption(
      new Option(
        '--key-bits <bits>',
        'RSA size of new keys (default 2048; existing keys of another size are reissued)',
      ).choices(['2048', '3072', '4096']),
    )
    .action(async (options: CommandOptions) => {
      if (options.generateCa && (options.caCertPath || options.caKeyPath)) {
        throw new CliError('--generate-ca cannot be combined with --ca-cert-path/--ca-key-path', EXIT_USAGE);
      }
      if (Boolean(options.caCertPath) !== Boolean(options.caKeyPath)) {
        throw new CliError('--ca-cert-path and --ca-key-path go together', EXIT_USAGE);
      }
      const text = await readInput(options.file, 'the cluster spec');
      let spec: ClusterSpec;
      try {
        spec = loadClusterSpec(text);
      } catch (error) {
        if (!(error instanceof SpecValidationError)) throw error;
        const lines = error.errors.map((issue) => `  ${issue.path || '(document)'}: ${issue.message}`);
        throw new CliError(`${options.file} is not a valid cluster spec:\n${lines.join('\n')}`);
      }
      const providedCa =
        options.caCertPath && options.caKeyPath
          ? {
              certificatePem: await readInput(options.caCertPath, 'the CA certificate'),
              privateKeyPem: await readInput(options.caKeyPath, 'the CA key'),
            }
          : undefined;
      const folder = resolve(options.out);
      let result: CredentialsFolderResult;
      try {
        result = await renderCredentialsFolder({
          spec,
          folder,
          generateCa: Boolean(options.generateCa),
          ...(providedCa ? { providedCa } : {}),
          ...(options.keyBits ? { keyBits: Number(options.keyBits) as RsaKeyBits } : {}),
          deps: systemTlsDependencies(new Date()),
        });
      } catch (error) {
        if (error instanceof CaValidationError || error instanceof TlsRenderError) {
          throw new CliError(`cannot render credentials into ${options.out}: ${error.message}`, EXIT_FAILED);
        }
        throw error;
      }
      for (const warning of result.warnings) process.stderr.write(`kaws: warning: ${warning}\n`);
      const lines = result.changes.map((change) => `  ${change.asset}: ${change.reason}`);
      const summary =
        result.written.length === 0
          ? `${options.out}: up to date (${result.unchanged.length} files unchanged)`
          : `${options.out}: wrote ${result.written.length} file(s), ${result.unchanged.length} unchanged`;
      process.stdout.write(`${[summary, ...lines].join('\n')}\n`);
    });
}

/**
 * `kaws render stack [-f cluster.yaml] [--out DIR] [--s3-uri s3://bucket/prefix]`: kube-aws's
 * `render stack`. Writes DIR/stack-templates/<stack>.json (one per stack, deployment order:
 * network, etcd, control plane, node pools) and DIR/userdata/<role> (each role's full Ignition
 * config). The TLS assets rendered by `kaws render credentials` (DIR/credentials, or credentials/
 * next to the spec) contribute only their SHA-256 fingerprints: no key or certificate is written.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  parseS3Uri,
  RenderError,
  type RenderInput,
  renderCluster,
  roleAssets,
} from '../../../lib/render/index.ts';
import { loadClusterSpec, SpecValidationError } from '../../../lib/spec/index.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from '../errors.ts';

/** Where nodes fetch their configs when neither the spec (s3URI) nor --s3-uri says. */
export const DEFAULT_PREVIEW_S3_URI = 's3://kaws-artifacts';

const CREDENTIALS = 'credentials';

/** DIR/credentials if it exists, else credentials/ next to the spec. */
function credentialsFolder(outDir: string, specPath: string): string | undefined {
  const candidates = [join(outDir, CREDENTIALS), join(dirname(specPath), CREDENTIALS)];
  return candidates.find((folder) => existsSync(folder));
}

async function fingerprints(folder: string): Promise<Record<string, { fingerprint: string }>> {
  const needed = [...new Set(Object.values(roleAssets).flat())].sort();
  const missing = needed.filter((name) => !existsSync(join(folder, name)));
  if (missing.length > 0) {
    throw new CliError(
      `${folder} lacks ${missing.join(', ')}; run \`kaws render credentials\` first`,
      EXIT_FAILED,
    );
  }
  const entries = await Promise.all(
    needed.map(async (name) => {
      const contents = await readFile(join(folder, name));
      return [name, { fingerprint: createHash('sha256').update(contents).digest('hex') }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

const issueLines = (issues: Array<{ path: string; message: string }>) =>
  issues.map((i) => `  ${i.path || '(document)'}: ${i.message}`).join('\n');

export function registerRenderStack(render: Command): void {
  render
    .command('stack')
    .description('render the CloudFormation stack templates and node userdata into a folder')
    .option('-f, --file <path>', 'the cluster spec', 'cluster.yaml')
    .option('--out <dir>', 'folder to write stack-templates/ and userdata/ into', '.')
    .option(
      '--s3-uri <uri>',
      `where nodes fetch their configs (default: the spec's s3URI, else ${DEFAULT_PREVIEW_S3_URI})`,
    )
    .action(async (options: { file: string; out: string; s3Uri?: string }) => {
      let text: string;
      try {
        text = await readFile(options.file, 'utf8');
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new CliError(`cannot read ${options.file}: ${reason}`, EXIT_USAGE);
      }
      let spec: RenderInput['spec'];
      try {
        spec = loadClusterSpec(text);
      } catch (error) {
        if (!(error instanceof SpecValidationError)) throw error;
        throw new CliError(`${options.file} is not a valid cluster spec:\n${issueLines(error.errors)}`);
      }
      const outDir = resolve(options.out);
      const folder = credentialsFolder(outDir, resolve(options.file));
      if (!folder) {
        throw new CliError(
          `no credentials folder in ${outDir} or next to ${options.file}; run \`kaws render credentials\` first`,
        );
      }
      const s3Uri = options.s3Uri ?? spec.s3URI ?? DEFAULT_PREVIEW_S3_URI;
      const artifacts = parseS3Uri(s3Uri);
      if (!artifacts) throw new CliError(`--s3-uri ${s3Uri} is not an s3://bucket[/prefix] URI`, EXIT_USAGE);

      let rendered: ReturnType<typeof renderCluster>;
      try {
        rendered = renderCluster({ spec, assets: await fingerprints(folder), artifacts });
      } catch (error) {
        if (!(error instanceof RenderError)) throw error;
        throw new CliError(`cannot render the stacks of ${options.file}:\n${issueLines(error.issues)}`);
      }
      await mkdir(join(outDir, 'stack-templates'), { recursive: true });
      await mkdir(join(outDir, 'userdata'), { recursive: true });
      for (const stack of rendered.stacks) {
        await writeFile(join(outDir, 'stack-templates', `${stack.name}.json`), stack.template);
      }
      for (const config of rendered.nodeConfigs) {
        await writeFile(join(outDir, 'userdata', config.name), config.text);
      }
      const summary = rendered.stacks.map(
        (s) =>
          `  ${s.name}: ${s.resourceCount} resources, ${s.bytes} bytes` +
          (s.templateLocation.kind === 's3' ? ' (over 51,200 bytes: deployed from S3)' : ''),
      );
      process.stderr.write(
        `rendered ${rendered.stacks.length} stacks and ${rendered.nodeConfigs.length} node configs into ${outDir} ` +
          `(credentials: ${folder})\n${summary.join('\n')}\n`,
      );
    });
}

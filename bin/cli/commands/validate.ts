/**
 * `kaws validate [-f cluster.yaml] [--output text|json]`: checks a spec offline and lists every
 * problem. Exit 0 valid, 1 invalid, 2 usage error or unreadable file.
 */
import { open } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { checkRenderLimits } from '../../../lib/render/index.ts';
import { MAX_SPEC_BYTES, type SpecIssue, validateClusterSpec } from '../../../lib/spec/index.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from '../errors.ts';

/**
 * Reads at most one byte more than the spec limit, so a huge file (or /dev/zero) costs nothing and
 * the validator still reports it as too large.
 */
async function readLimited(path: string): Promise<Uint8Array> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total > MAX_SPEC_BYTES) break;
    }
    return Buffer.concat(chunks).subarray(0, MAX_SPEC_BYTES + 1);
  }
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_SPEC_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await file.close();
  }
}

const line = (issue: SpecIssue, prefix = '') => `${issue.path || '(document)'}: ${prefix}${issue.message}`;

export function register(program: Command): void {
  program
    .command('validate')
    .description('validate a cluster.yaml offline: every problem at once, with its path')
    .option('-f, --file <path>', 'the cluster spec to check ("-" reads standard input)', 'cluster.yaml')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: { file: string; output: 'text' | 'json' }) => {
      let bytes: Uint8Array;
      try {
        bytes = await readLimited(options.file);
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new CliError(`cannot read ${options.file}: ${reason}`, EXIT_USAGE);
      }
      // Rendering the stacks (without keys) catches template limits before anything is created.
      const result = validateClusterSpec(bytes, { checks: [checkRenderLimits] });
      if (options.output === 'json') {
        const report = { valid: result.valid, errors: result.errors, warnings: result.warnings };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const lines = [
          ...result.errors.map((e) => line(e)),
          ...result.warnings.map((w) => line(w, 'warning: ')),
        ];
        if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
        const counts = `${result.errors.length} error(s), ${result.warnings.length} warning(s)`;
        process.stderr.write(`${options.file}: ${result.valid ? 'valid' : 'invalid'} (${counts})\n`);
      }
      if (!result.valid) process.exitCode = EXIT_FAILED;
    });
}

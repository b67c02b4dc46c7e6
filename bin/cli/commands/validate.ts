import { type Command, Option } from 'commander';
import { checkRenderLimits } from '../../../lib/render/index.ts';
import { type SpecIssue, validateClusterSpec } from '../../../lib/spec/index.ts';
import { EXIT_FAILED } from '../errors.ts';
import { readSpecFile } from '../read-spec.ts';

const line = (issue: SpecIssue, prefix = '') => `${issue.path || '(document)'}: ${prefix}${issue.message}`;

export function register(program: Command): void {
  program
    .command('validate')
    .description('validate a cluster.yaml offline: every problem at once, with its path')
    .option('-f, --file <path>', 'the cluster spec to check ("-" reads standard input)', 'cluster.yaml')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: { file: string; output: 'text' | 'json' }) => {
      const bytes = await readSpecFile(options.file);
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

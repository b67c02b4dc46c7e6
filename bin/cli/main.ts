/**
 * kaws CLI entry: one file per verb under ./commands, each exporting `register(program)`.
 * Exit codes: 0 success, 1 the operation failed or the input is invalid, 2 usage error or unreadable input.
 */
import { Command, CommanderError } from 'commander';
import { CliError, EXIT_USAGE } from './errors.ts';

const program = new Command('kaws')
  .description('Kubernetes clusters on AWS from a kube-aws cluster.yaml')
  .showHelpAfterError()
  .exitOverride();

// Each verb registers itself; keep this list sorted.
const verbs: Array<Promise<{ register(program: Command): void }>> = [
  import('./commands/apply.ts'),
  import('./commands/destroy.ts'),
  import('./commands/diff.ts'),
  import('./commands/events.ts'),
  import('./commands/export.ts'),
  import('./commands/init.ts'),
  import('./commands/kubeconfig.ts'),
  import('./commands/local.ts'),
  import('./commands/nodepool.ts'),
  import('./commands/render.ts'),
  import('./commands/status.ts'),
  import('./commands/up.ts'),
  import('./commands/update.ts'),
  import('./commands/validate.ts'),
];
for (const verb of await Promise.all(verbs)) verb.register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version exit 0; every other commander error is a usage error.
    process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (error instanceof CliError) {
    if (error.message) process.stderr.write(`kaws: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`kaws: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

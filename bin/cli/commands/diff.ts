/**
 * `kaws diff [-f cluster.yaml] [--output text|json]`: what `kaws update` with this file would change
 * (POST /clusters/{name}/plan), changing nothing. Exit 0 with the plan; 1 when the spec is not valid.
 */
import { type Command, Option } from 'commander';
import { type ApiOptions, apiFrom, withApiOptions } from '../api-client.ts';
import { CliError, EXIT_FAILED } from '../errors.ts';
import { readSpecFile } from '../read-spec.ts';
import { clusterNameOf, planFor, planLines, write } from './update.ts';

interface DiffOptions extends ApiOptions {
  file: string;
  output: 'text' | 'json';
}

export function register(program: Command): void {
  withApiOptions(
    program
      .command('diff')
      .description('show what updating the cluster to a cluster.yaml would change (changes nothing)')
      .option('-f, --file <path>', 'the cluster spec ("-" reads standard input)', 'cluster.yaml')
      .addOption(
        new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'),
      ),
  ).action(async (options: DiffOptions) => {
    const spec = await readSpecFile(options.file);
    const name = clusterNameOf(spec, options.file);
    const plan = await planFor(apiFrom(options), name, spec);
    if (options.output === 'json') write(JSON.stringify(plan, null, 2));
    else for (const line of planLines(plan)) write(line);
    if (!plan.valid) throw new CliError('', EXIT_FAILED);
  });
}

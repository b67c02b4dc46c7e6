/**
 * `kaws export NAME --out DIR` (kube-aws's `up --export`): the templates the cluster's stacks run and its
 * node configs (GET /clusters/{name}/templates), written as files: `stacks/<stack>.json`,
 * `userdata/<config>.ign` (the instance userdata) and `userdata/<config>.json` (the full Ignition config).
 * No private key is in any of them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ClusterExport } from '../../../lib/service/export.ts';
import { type ApiOptions, apiFrom, segment, withApiOptions } from '../api-client.ts';
import { CliError, EXIT_USAGE } from '../errors.ts';
import { write } from './update.ts';

interface ExportOptions extends ApiOptions {
  out: string;
}

/** A file name from a name the API gave (stack and config names are [a-z0-9-]; anything else is refused). */
function fileName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw new CliError(`the API named a file ${JSON.stringify(name)}`);
  return name;
}

export function register(program: Command): void {
  withApiOptions(
    program
      .command('export')
      .description("write a cluster's stack templates and node configs to a folder (no private keys)")
      .argument('<name>', 'the cluster')
      .requiredOption('--out <dir>', 'the folder to write to (created if needed)'),
  ).action(async (name: string, options: ExportOptions) => {
    const exported = (
      await apiFrom(options).request<ClusterExport>('GET', `/clusters/${segment(name)}/templates`)
    ).body;
    const out = resolve(options.out);
    try {
      await mkdir(join(out, 'stacks'), { recursive: true });
      await mkdir(join(out, 'userdata'), { recursive: true });
    } catch (error) {
      throw new CliError(
        `cannot create ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        EXIT_USAGE,
      );
    }
    const written: string[] = [];
    const put = async (path: string, text: string) => {
      await writeFile(join(out, path), text.endsWith('\n') ? text : `${text}\n`, { mode: 0o644 });
      written.push(path);
    };
    for (const stack of exported.stacks) {
      if (stack.template === undefined) {
        write(`kaws: stack ${stack.name} does not exist: not exported`);
        continue;
      }
      await put(join('stacks', `${fileName(stack.name)}.json`), stack.template);
    }
    for (const config of exported.nodeConfigs) {
      await put(join('userdata', `${fileName(config.name)}.ign`), config.userdata);
      await put(join('userdata', `${fileName(config.name)}.json`), config.config);
    }
    const stale = exported.stacks.filter((s) => s.template !== undefined && !s.inSync).map((s) => s.name);
    for (const path of written) write(join(options.out, path));
    write(
      `kaws: exported cluster ${name} (spec version ${exported.specVersion}): ${written.length} files` +
        (stale.length ? `; not in sync with the spec: ${stale.join(', ')}` : ''),
    );
  });
}

/** `kaws render <what>`: kube-aws's render verbs. Each subcommand lives in its own file. */
import type { Command } from 'commander';
import { registerRenderCredentials } from './render-credentials.ts';
import { registerRenderStack } from './render-stack.ts';

export function register(program: Command): void {
  const render = program.command('render').description('render credentials or stacks into a folder');
  const subcommands: Array<(render: Command) => void> = [registerRenderCredentials, registerRenderStack];
  for (const add of subcommands) add(render);
}

/** Runs the real CLI (`node bin/kaws ...`) as a user would, capturing exit code and output. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const KAWS = fileURLToPath(new URL('../../bin/kaws', import.meta.url));
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runKaws(args: string[], options: { cwd?: string; input?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [KAWS, ...args],
      { cwd: options.cwd ?? REPO, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

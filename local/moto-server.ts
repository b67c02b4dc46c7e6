/**
 * Starts moto's server (through local/moto/launcher.py) on a free loopback port and stops it with
 * the parent: on exit, on Ctrl-C, on a crash, and, through the launcher's stdin watchdog, even when
 * the parent is killed outright.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const LAUNCHER = fileURLToPath(new URL('./moto/launcher.py', import.meta.url));

export class MotoMissingError extends Error {
  constructor(python: string) {
    super(
      `moto's server is not installed for ${python}. Install it with:\n` +
        `  ${python} -m pip install 'moto[server]==5.2.1'\n` +
        'or point kaws at another emulator with AWS_ENDPOINT_URL=http://host:port.',
    );
    this.name = 'MotoMissingError';
  }
}

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, picked by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function pythonWithMoto(): string {
  const python = process.env.KAWS_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore' });
  if (probe.status !== 0) throw new MotoMissingError(python);
  return python;
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited early with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms`);
}

const running = new Set<ChildProcess>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = () => {
    for (const child of running) child.kill('SIGTERM');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      // Re-raise so the default behaviour (exit with 128+n) still happens unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** Starts moto on a free loopback port and waits until it answers. */
export async function startMotoServer(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const python = pythonWithMoto();
  const port = await freePort();
  const child = spawn(python, [LAUNCHER, '127.0.0.1', String(port)], {
    stdio: ['pipe', 'ignore', process.env.KAWS_MOTO_LOG ? 'inherit' : 'ignore'],
  });
  running.add(child);
  installExitHooks();
  child.once('exit', () => running.delete(child));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, child, options.timeoutMs ?? 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // Closing stdin lets the launcher's watchdog exit at once and cleanly; SIGTERM is the fallback.
        child.stdin?.end();
        setTimeout(() => child.kill('SIGTERM'), 2_000).unref();
      }),
  };
}

/**
 * Reads a spec file (or standard input for `-`) for any verb: at most one byte more than the spec
 * limit, so a huge file (or /dev/zero) costs nothing and the validator or the API still names it as
 * too large. An unreadable file is a usage error (exit 2).
 */
import { open } from 'node:fs/promises';
import { MAX_SPEC_BYTES } from '../../lib/spec/index.ts';
import { CliError, EXIT_USAGE } from './errors.ts';

async function readLimited(path: string): Promise<Buffer> {
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

/** The spec's bytes; `kaws: cannot read PATH: REASON` (exit 2) when it cannot be read. */
export async function readSpecFile(path: string): Promise<Buffer> {
  try {
    return await readLimited(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(`cannot read ${path}: ${reason}`, EXIT_USAGE);
  }
}

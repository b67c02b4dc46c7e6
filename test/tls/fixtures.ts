/**
 * Test fixtures for lib/tls: the examples' normalized specs, and deterministic dependencies (fixed
 * clock, seeded serials, a key pool generated once per test file) so that two renders with the same
 * inputs can be compared byte for byte.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadClusterSpec } from '../../lib/spec/index.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import { credentialFilesOf, pkiRequestFromSpec, renderTlsAssets } from '../../lib/tls/index.ts';
import { nodeKeyGenerator, systemTlsDependencies } from '../../lib/tls/system.ts';
import type { KeyGenerator, KeyRequest, TlsDependencies } from '../../lib/tls/types.ts';

/** The normalized spec of an example file, loaded by lib/spec as the CLI loads it. */
export async function exampleSpec(name: 'ha-cluster.yaml' | 'seed-cluster-valid.yaml'): Promise<ClusterSpec> {
  return loadClusterSpec(await readFile(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
}

/** Random-looking but reproducible bytes: SHA-256 in counter mode over a seed. */
export function seededRandomBytes(seed: string): (size: number) => Uint8Array {
  let counter = 0;
  return (size) => {
    const out = new Uint8Array(size);
    for (let offset = 0; offset < size; offset += 32) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, size - offset)), offset);
    }
    return out;
  };
}

/**
 * Real RSA keys, generated lazily once per (purpose, bits, generation) and then handed out again, so
 * that a test can render twice with "the same" key generator. `nextGeneration()` makes later requests
 * get fresh keys, as a real generator would.
 */
export class KeyPool {
  private readonly keys = new Map<string, Promise<string>>();
  private generation = 0;
  /** Every request made, in order: tests assert which keys a render asked for. */
  readonly requests: KeyRequest[] = [];

  readonly generateKey: KeyGenerator = (request) => {
    this.requests.push(request);
    const id = `${request.purpose}/${request.bits}/${this.generation}`;
    let key = this.keys.get(id);
    if (!key) {
      key = nodeKeyGenerator(request);
      this.keys.set(id, key);
    }
    return key;
  };

  nextGeneration(): void {
    this.generation++;
  }
}

export function testDependencies(pool: KeyPool, now: Date, seed = 'serials'): TlsDependencies {
  return { now, randomBytes: seededRandomBytes(seed), generateKey: pool.generateKey };
}

export const RENDER_TIME = new Date('2025-06-01T12:00:00.000Z');

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Renders the example's full asset set with the real clock, randomness and key generator (as the CLI
 * does) and writes it to `dir` under kube-aws's file names.
 */
export async function writeRealCredentials(dir: string, clusterName = 'prod-east'): Promise<void> {
  const spec = await exampleSpec('ha-cluster.yaml');
  const request = pkiRequestFromSpec({ ...spec, clusterName });
  const { assets } = await renderTlsAssets({ request, generateCa: true }, systemTlsDependencies(new Date()));
  for (const file of credentialFilesOf(assets)) {
    await writeFile(join(dir, file.name), file.contents, { mode: file.secret ? 0o600 : 0o644 });
  }
}

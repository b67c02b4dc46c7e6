/** Shared inputs of the render tests: the examples as normalized specs, and stand-in asset fingerprints. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type RenderInput, roleAssets } from '../../lib/render/index.ts';
import { loadClusterSpec } from '../../lib/spec/index.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';

export type ExampleName = 'ha-cluster' | 'seed-cluster-valid';
export const EXAMPLES: ExampleName[] = ['seed-cluster-valid', 'ha-cluster'];

export function exampleSpec(name: ExampleName): ClusterSpec {
  return loadClusterSpec(readFileSync(new URL(`../../examples/${name}.yaml`, import.meta.url), 'utf8'));
}

export const ASSET_NAMES = [...new Set(Object.values(roleAssets).flat())].sort();

/** What `kaws render credentials` would contribute: a SHA-256 per asset (here of a stand-in content). */
export function fakeAssets(changed: Record<string, string> = {}): RenderInput['assets'] {
  return Object.fromEntries(
    ASSET_NAMES.map((name) => [
      name,
      {
        fingerprint: createHash('sha256')
          .update(changed[name] ?? `stand-in ${name}`)
          .digest('hex'),
      },
    ]),
  );
}

export const TEST_ARTIFACTS = { bucket: 'kaws-artifacts-example', rootPrefix: '' } as const;

export function exampleInput(name: ExampleName): RenderInput {
  return { spec: exampleSpec(name), assets: fakeAssets(), artifacts: { ...TEST_ARTIFACTS } };
}

/** A deep copy to mutate in a test. */
export const copy = <T>(value: T): T => structuredClone(value);

/** Canonical serialization: JSON with keys sorted at every level, so equal specs are equal bytes. */
import type { ClusterSpec } from './types.ts';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) sorted[key] = sortKeys(child);
  }
  return sorted;
}

/** Stable JSON text of a normalized spec (2-space indent, trailing newline). */
export function serializeSpec(spec: ClusterSpec): string {
  return `${JSON.stringify(sortKeys(spec), null, 2)}\n`;
}
